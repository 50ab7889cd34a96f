import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostBatch } from '../../helpers/host-batch.ts';
import { RampPause, RESUME_AFTER_MS } from '../../../src/fleet/ramp-pause.ts';

const T0 = 1_700_000_000_000;
const batch = (hostId: number, at: number, loopLagP99Ms: number, cpuPct = 10) =>
  hostBatch(hostId, at, { cpuPct, loopLagP99Ms, loopLagMaxMs: loopLagP99Ms });

test('one saturated batch (a GC pause) does not pause', () => {
  const p = new RampPause();
  assert.equal(p.observe(batch(0, T0, 300)), null);
  assert.equal(p.observe(batch(0, T0 + 250, 5)), null);
  assert.equal(p.observe(batch(0, T0 + 500, 300)), null);
  assert.equal(p.paused, false);
});

test('pauses at the second saturated batch in a row, resumes only after every host is healthy for the hysteresis', () => {
  const p = new RampPause();
  assert.equal(p.observe(batch(0, T0, 5)), null);
  assert.equal(p.observe(batch(1, T0, 5)), null);
  assert.equal(p.observe(batch(1, T0 + 125, 120)), null);
  const paused = p.observe(batch(1, T0 + 250, 120));
  assert.deepEqual(paused, { paused: true, reason: 'generator host 1 saturated (loop lag p99 120 ms, CPU 10%)' });
  assert.equal(p.observe(batch(0, T0 + 500, 5, 95)), null, 'already paused (CPU past the limit counts too)');
  // Host 1 healthy from +750, host 0 from +750 too; not before +750 + RESUME_AFTER_MS.
  assert.equal(p.observe(batch(1, T0 + 750, 5)), null);
  assert.equal(p.observe(batch(0, T0 + 750, 5)), null);
  assert.equal(p.observe(batch(1, T0 + 750 + RESUME_AFTER_MS - 250, 5)), null);
  assert.equal(p.observe(batch(1, T0 + 3000, 70)), null, 'a relapse restarts the clock');
  assert.equal(p.observe(batch(1, T0 + 3250, 5)), null);
  assert.equal(p.observe(batch(1, T0 + 3250 + RESUME_AFTER_MS - 1, 5)), null);
  const resumed = p.observe(batch(1, T0 + 3250 + RESUME_AFTER_MS, 5));
  assert.equal(resumed?.paused, false);
  assert.equal(p.pauses, 1);
  assert.equal(p.totalPausedMs(T0 + 99_999), 3250 + RESUME_AFTER_MS - 250, "from the pause (+250) to the resume");
});

test('a host that is gone does not keep the ramp paused', () => {
  const p = new RampPause();
  p.observe(batch(0, T0, 200));
  p.observe(batch(0, T0 + 1, 200));
  assert.equal(p.paused, true);
  p.observe(batch(1, T0, 5));
  p.forget(0);
  assert.equal(p.observe(batch(1, T0 + RESUME_AFTER_MS, 5))?.paused, false);
});
