import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostBatch } from '../../helpers/host-batch.ts';
import { SaturationWatch } from '../../../src/fleet/saturation.ts';

const T0 = 1_700_000_000_000;
const batch = (hostId: number, at: number, loopLagP99Ms: number, cpuPct: number) =>
  hostBatch(hostId, at, { cpuPct, loopLagP99Ms, loopLagMaxMs: loopLagP99Ms });

test('a host within its limits is never flagged', () => {
  const w = new SaturationWatch(() => T0);
  assert.equal(w.observe(batch(0, T0 + 1000, 50, 90)), null);
  assert.deepEqual(w.records(), []);
});

test('loop lag or CPU past the limit flags the host once, then accumulates', () => {
  const w = new SaturationWatch(() => T0);
  const first = w.observe(batch(1, T0 + 12_000, 80, 40));
  assert.deepEqual(first, { hostId: 1, firstAt: T0 + 12_000, t: 12, seconds: 0.25, worstLoopLagP99Ms: 80, worstCpuPct: 40 });
  assert.equal(w.observe(batch(1, T0 + 12_250, 20, 97)), null, 'reported once per host');
  assert.equal(w.observe(batch(1, T0 + 12_500, 10, 10)), null);
  assert.deepEqual(w.records(), [{ hostId: 1, firstAt: T0 + 12_000, t: 12, seconds: 0.5, worstLoopLagP99Ms: 80, worstCpuPct: 97 }]);
  assert.ok(w.observe(batch(0, T0 + 13_000, 10, 95)), 'another host is reported on its own');
  assert.equal(w.records().length, 2);
});
