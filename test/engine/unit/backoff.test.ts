// reconnectDelay: the delay before retry number `attempt` (from 0), or null to give up.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReconnectPolicy } from '../../../src/contract/scenario.ts';
import { reconnectDelay } from '../../../src/engine/backoff.ts';

const policy = (p: Partial<ReconnectPolicy>): ReconnectPolicy => ({
  policy: 'exponential',
  base: 1000,
  cap: 60_000,
  jitter: 'none',
  maxAttempts: 0,
  ...p,
});

const noRandom = () => assert.fail('random() must not be called without jitter');

describe('reconnectDelay', () => {
  test('policy none never retries', () => {
    for (const jitter of ['none', 'full'] as const) {
      assert.equal(reconnectDelay(policy({ policy: 'none', jitter }), 0, noRandom), null);
      assert.equal(reconnectDelay(policy({ policy: 'none', jitter }), 5, noRandom), null);
    }
  });

  test('fixed without jitter is always base, whatever the attempt and the cap', () => {
    const p = policy({ policy: 'fixed', base: 5000, cap: 1000 });
    for (const attempt of [0, 1, 2, 10, 100]) assert.equal(reconnectDelay(p, attempt, noRandom), 5000);
  });

  test('exponential without jitter doubles from base up to the cap', () => {
    const p = policy({ base: 1000, cap: 60_000 });
    const delays = Array.from({ length: 9 }, (_, attempt) => reconnectDelay(p, attempt, noRandom));
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  test('exponential stays at the cap for huge attempt numbers (no Infinity or NaN)', () => {
    const p = policy({ base: 1000, cap: 60_000 });
    for (const attempt of [31, 100, 1024, 1e6]) assert.equal(reconnectDelay(p, attempt, noRandom), 60_000);
  });

  test('a cap that is not a power-of-two multiple of base is reached exactly', () => {
    assert.equal(reconnectDelay(policy({ base: 300, cap: 1000 }), 1, noRandom), 600);
    assert.equal(reconnectDelay(policy({ base: 300, cap: 1000 }), 2, noRandom), 1000);
  });

  test('full jitter scales the ceiling by random() and floors it', () => {
    const p = policy({ base: 1000, cap: 60_000, jitter: 'full' });
    assert.equal(reconnectDelay(p, 2, () => 0.5), 2000);
    assert.equal(reconnectDelay(p, 2, () => 0.25), 1000);
    assert.equal(reconnectDelay(p, 0, () => 0), 0);
    assert.equal(reconnectDelay(p, 0, () => 0.9999), 999);
    assert.equal(reconnectDelay(p, 3, () => 0.3333), 2666);
    assert.equal(reconnectDelay(p, 20, () => 0.5), 30_000, 'jitter applies to the capped delay');
  });

  test('full jitter with a fixed policy is uniform in [0, base)', () => {
    const p = policy({ policy: 'fixed', base: 4000, jitter: 'full' });
    assert.equal(reconnectDelay(p, 0, () => 0.75), 3000);
    assert.equal(reconnectDelay(p, 7, () => 0.1), 400);
  });

  test('full jitter calls random() once per delay and stays in range', () => {
    const p = policy({ jitter: 'full' });
    let calls = 0;
    const values = [0, 0.1, 0.5, 0.99, 0.999999];
    for (let attempt = 0; attempt < 10; attempt++) {
      for (const v of values) {
        const before = calls;
        const d = reconnectDelay(p, attempt, () => (calls++, v));
        assert.equal(calls, before + 1);
        assert.ok(d !== null && Number.isInteger(d) && d >= 0 && d < Math.min(60_000, 1000 * 2 ** attempt), `attempt ${attempt}: ${d}`);
      }
    }
  });

  test('maxAttempts gives up once that many retries were made', () => {
    const p = policy({ maxAttempts: 3 });
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((attempt) => reconnectDelay(p, attempt, noRandom)),
      [1000, 2000, 4000, null, null],
    );
    assert.equal(reconnectDelay(policy({ policy: 'fixed', maxAttempts: 1 }), 1, noRandom), null);
    assert.equal(reconnectDelay(policy({ policy: 'fixed', maxAttempts: 1 }), 0, noRandom), 1000);
  });

  test('maxAttempts 0 never gives up', () => {
    assert.equal(reconnectDelay(policy({ maxAttempts: 0 }), 100_000, noRandom), 60_000);
  });

  test('uses Math.random when no random function is given', () => {
    const p = policy({ base: 1000, cap: 1000, jitter: 'full' });
    for (let i = 0; i < 200; i++) {
      const d = reconnectDelay(p, 0);
      assert.ok(d !== null && d >= 0 && d < 1000);
    }
  });
});
