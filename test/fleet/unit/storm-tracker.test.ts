import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeroCounters } from '../../../src/contract/metrics.ts';
import { hostBatch } from '../../helpers/host-batch.ts';
import { StormTracker } from '../../../src/fleet/storm-tracker.ts';

const T0 = 1_700_000_000_000;
const batch = (disconnects: Record<string, number>) => hostBatch(0, T0, { devices: 0 }, { disconnectReasons: disconnects });
const tracker = () => new StormTracker(1, { action: 'drop', percent: 50, mode: 'close' }, T0, T0 - 10_000, 100, zeroCounters());

test('a dip below 99% and the climb back: recovered, with the time it took', () => {
  const t = tracker();
  t.observe(T0 + 250, 60, 0, zeroCounters());
  t.observe(T0 + 500, 90, 40, { ...zeroCounters(), connectAttempts: 45 });
  assert.equal(t.record.outcome, 'recovering');
  t.observe(T0 + 1750, 99, 10, { ...zeroCounters(), connectAttempts: 50 });
  assert.equal(t.record.outcome, 'recovered');
  assert.equal(t.record.recoveredAfterMs, 1750);
  assert.equal(t.record.minOnline, 60);
  assert.equal(t.record.peakConnectsPerSec, 40);
  assert.equal(t.record.reconnectAttempts, 50);
  assert.equal(t.record.t, 10);
  t.observe(T0 + 2000, 10, 0, zeroCounters());
  assert.equal(t.record.minOnline, 60, 'a closed window changes no more');
});

test('drops faster than the sampling still count as impact', () => {
  const t = tracker();
  t.addBatch(batch({ 'storm-close': 20 }));
  t.observe(T0 + 250, 100, 200, zeroCounters());
  assert.equal(t.record.outcome, 'recovering', 'not judged before every host has reported');
  t.addBatch(batch({ 'storm-close': 30 }));
  t.observe(T0 + 750, 100, 200, zeroCounters());
  assert.equal(t.record.outcome, 'recovered');
  assert.equal(t.record.recoveredAfterMs, 750);
  assert.equal(t.record.disconnects['storm-close'], 50, 'drops reported by the slower host are in');
});

test('no dip and no drops: no impact; a dip never recovered: not recovered; an error is kept', () => {
  const calm = tracker();
  calm.observe(T0 + 250, 100, 0, zeroCounters());
  calm.close();
  assert.equal(calm.record.outcome, 'no-impact');
  const down = tracker();
  down.observe(T0 + 250, 20, 0, zeroCounters());
  down.close();
  assert.equal(down.record.outcome, 'not-recovered');
  const failed = tracker();
  failed.close('no host 7');
  assert.equal(failed.record.outcome, 'not-recovered');
  assert.equal(failed.record.error, 'no host 7');
});
