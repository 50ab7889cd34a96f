import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onlineSwings } from '../../../src/fleet/capacity/online-swings.ts';

const series = (...online: number[]) => online.map((n, t) => ({ t, online: n }));

test('a ramp that levels off does not swing', () => {
  const s = onlineSwings(series(0, 1000, 2000, 3000, 3000, 2995, 3000));
  assert.equal(s.peak, 3000);
  assert.equal(s.peakAt, 3);
  assert.equal(s.falls, 0);
  assert.equal(s.oscillating, false);
  assert.equal(s.detail, null);
});

test('repeated falls and climbs are an oscillation', () => {
  const s = onlineSwings(series(0, 4000, 8000, 6000, 7800, 5000, 7900, 8000));
  assert.equal(s.falls, 2);
  assert.equal(s.peak, 8000);
  assert.equal(s.lowestAfterPeak, 5000);
  assert.equal(s.oscillating, true);
  assert.match(s.detail!, /fell 2 times .*peak 8,000 at 2 s, down to 5,000/);
});

test('one fall after the peak that never climbs back is a collapse', () => {
  const s = onlineSwings(series(0, 5000, 10_000, 9000, 6000, 5800));
  assert.equal(s.falls, 1);
  assert.equal(s.oscillating, true);
  assert.match(s.detail!, /did not climb back .*5,800 at the end/);
});

test('one fall it recovers from is not an oscillation; small dips are not falls', () => {
  assert.equal(onlineSwings(series(0, 10_000, 8000, 10_000)).oscillating, false);
  assert.equal(onlineSwings(series(0, 100, 92, 100, 93, 100)).falls, 0, 'fewer than 10 devices');
});
