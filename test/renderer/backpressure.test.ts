// Backpressure view logic: tolerant reads of old snapshots, the "keeps growing" trend, the
// highlight level, and byte formatting for the card and the Buffers axis.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FleetSnapshot } from '../../src/contract/snapshot.ts';
import { BYTE_INCRS, fmtBytes, fmtBytesTick } from '../../renderer/lib/format.ts';
import { backpressureLevel, fleetBackpressure, isGrowing, targetStats } from '../../renderer/state/backpressure.ts';
import { TimelineBuffer } from '../../renderer/state/timeline.ts';
import { point, snapshot } from './fixtures.ts';

const MB = 1024 * 1024;

describe('backpressure', () => {
  test('old snapshots without backpressure / target read as zeros and no target', () => {
    const old = snapshot() as Partial<FleetSnapshot>;
    delete old.backpressure;
    delete old.target;
    const bp = fleetBackpressure(old as FleetSnapshot);
    assert.deepEqual(bp, { writeQueueBytes: 0, maxWriteQueueBytes: 0, inflight: 0, heldBack: 0, slowReaders: 0 });
    assert.equal(fleetBackpressure(old as FleetSnapshot), bp, 'stable object (zustand selectors)');
    assert.equal(fleetBackpressure(null), bp);
    assert.equal(targetStats(old as FleetSnapshot), null);
    const s = snapshot();
    assert.equal(fleetBackpressure(s), s.backpressure);
  });

  test('old timeline points without the buffer fields chart as zero', () => {
    const tl = new TimelineBuffer();
    const old = point(1) as Partial<ReturnType<typeof point>>;
    delete old.targetBufferedBytes;
    delete old.writeQueueBytes;
    delete old.inflight;
    tl.push(old as ReturnType<typeof point>);
    tl.push(point(2, { targetBufferedBytes: 5 * MB, writeQueueBytes: 300 }));
    assert.deepEqual(tl.cols.targetBufferedBytes, [0, 5 * MB]);
    assert.deepEqual(tl.cols.writeQueueBytes, [0, 300]);
    assert.deepEqual(tl.cols.inflight, [0, 0]);
  });

  test('growing: net rise over the window, one flat second tolerated, above the floor', () => {
    assert.equal(isGrowing([1, 2, 3, 4, 5].map((m) => m * MB)), true);
    assert.equal(isGrowing([1, 2, 2, 4, 5].map((m) => m * MB)), true, 'one flat second');
    assert.equal(isGrowing([1, 2, 2, 2, 5].map((m) => m * MB)), false, 'two flat seconds');
    assert.equal(isGrowing([5, 4, 3, 2, 1].map((m) => m * MB)), false);
    assert.equal(isGrowing([2, 3, 4].map((m) => m * MB)), false, 'too few points');
    assert.equal(isGrowing([100, 200, 300, 400, 500]), false, 'below the floor');
    assert.equal(isGrowing([0, 0, 0, 0, 0]), false);
    assert.equal(isGrowing([null, 1 * MB, 2 * MB, 3 * MB, 4 * MB]), true, 'null reads as 0');
    assert.equal(isGrowing([9 * MB, 9 * MB, 1 * MB, 2 * MB, 3 * MB, 4 * MB, 5 * MB]), true, 'only the last window counts');
  });

  test('level: amber for growth or slow clients, red for both', () => {
    assert.equal(backpressureLevel(false, 0), 'ok');
    assert.equal(backpressureLevel(true, 0), 'warn');
    assert.equal(backpressureLevel(false, 3), 'warn');
    assert.equal(backpressureLevel(true, 3), 'alert');
  });

  test('bytes: card values and axis ticks', () => {
    assert.equal(fmtBytes(12.4 * MB), '12.4 MB');
    assert.equal(fmtBytes(0), '0 B');
    assert.equal(fmtBytesTick(0), '0');
    assert.equal(fmtBytesTick(512), '512 B');
    assert.equal(fmtBytesTick(256 * 1024), '256 KB');
    assert.equal(fmtBytesTick(1 * MB), '1 MB');
    assert.equal(fmtBytesTick(1.5 * MB), '1.5 MB');
    assert.equal(fmtBytesTick(20 * MB), '20 MB');
    for (let i = 1; i < BYTE_INCRS.length; i++) assert.ok(BYTE_INCRS[i] > BYTE_INCRS[i - 1]);
  });
});
