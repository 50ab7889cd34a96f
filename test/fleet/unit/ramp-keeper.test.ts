import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LATENCY_KINDS } from '../../../src/contract/metrics.ts';
import type { FleetEvent, TimelinePoint } from '../../../src/contract/snapshot.ts';
import { validateScenario } from '../../../src/contract/validate.ts';
import { RampKeeper } from '../../../src/fleet/ramp-keeper.ts';

const zeros = () => Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as TimelinePoint['p99'];
const point = (t: number, connackP99 = 10): TimelinePoint => ({
  t, at: 1000 * t, online: 0, connecting: 0, backoff: 0, connects: 0, disconnects: 0, sent: 0, received: 0, bytesSent: 0,
  targetBufferedBytes: 0, writeQueueBytes: 0, inflight: 0, disconnectsByReason: {}, p50: zeros(), p99: { ...zeros(), connack: connackP99 }, hosts: [],
});

function keeper(count: number, first: number) {
  const v = validateScenario({ ramp: 'adaptive', adaptive: { ceiling: 1000, start: 200, step: 100 }, groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 400 }] });
  if (!v.ok) throw new Error(v.problems.join('; '));
  const rates: number[] = [];
  const events: FleetEvent[] = [];
  const k = new RampKeeper(v.scenario, { setRate: (r) => rates.push(r), setPaused: () => {}, emit: (e) => events.push(e), shards: () => [{ group: 0, first, count }] });
  return { k, rates, events };
}

test('one shard of four judges the fleet rate by its own share of the attempts', () => {
  const { k, rates } = keeper(100, 100);
  // 200/s fleet-wide is 50/s for this quarter: 30 attempts is the rate in use (≥ half of it).
  const p = k.onSecond(point(1), { failureReasons: {}, totals: { connectAttempts: 30 } }, true);
  assert.deepEqual(rates, [300]);
  assert.equal(p.connectRate, 200, 'the timeline has the rate in force during the second');
  // 10 more attempts in the next second is not: the rate stays.
  k.onSecond(point(2), { failureReasons: {}, totals: { connectAttempts: 40 } }, true);
  assert.deepEqual(rates, [300]);
});

test('a cut is recorded with its reason in an event, the status and the summary', () => {
  const { k, rates, events } = keeper(400, 0);
  k.onSecond(point(1), { failureReasons: { timeout: 2 }, totals: { connectAttempts: 200 } }, true);
  k.onSecond(point(2), { failureReasons: { timeout: 2 }, totals: { connectAttempts: 230 } }, true);
  assert.deepEqual(rates, [100], 'failures counted per second: the second second had none new, and was not in use enough to raise');
  assert.deepEqual(events.map((e) => e.type === 'ramp' && [e.rate, e.reason]), [[100, 'connect failures: timeout 2']]);
  assert.deepEqual({ ...k.status(), changedAt: 0 }, { mode: 'adaptive', rate: 100, reason: 'connect failures: timeout 2', changedAt: 0, paused: false });
  assert.deepEqual(k.summary(0), { mode: 'adaptive', changes: 1, minRate: 100, maxRate: 200, finalRate: 100, pauses: 0, pausedSeconds: 0 });
});
