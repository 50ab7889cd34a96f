// The chart data buffer: columns for uPlot, capped, x strictly increasing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TimelineBuffer } from '../../renderer/state/timeline.ts';
import { point } from './fixtures.ts';

describe('TimelineBuffer', () => {
  test('keeps one column per series and notifies subscribers', () => {
    const tl = new TimelineBuffer();
    let calls = 0;
    tl.subscribe(() => calls++);
    tl.push(point(1));
    tl.push(point(2, { online: 42 }));
    assert.equal(calls, 2);
    assert.deepEqual(tl.x, [1, 2]);
    assert.deepEqual(tl.cols.online, [10, 42]);
    const [x, online, sent] = tl.data(['online', 'sent']);
    assert.equal(x, tl.x);
    assert.deepEqual(online, [10, 42]);
    assert.deepEqual(sent, [5, 5]);
    assert.equal(tl.last('online'), 42);
  });

  test('a second without latency samples is a gap (null), not zero', () => {
    const tl = new TimelineBuffer();
    tl.push(point(1, { p99: { connect: 12, tls: 0, connack: 0, puback: 3, ping: 0, echo: 0, delivery: 0 } }));
    assert.deepEqual([tl.cols.connect[0], tl.cols.connack[0], tl.cols.puback[0]], [12, null, 3]);
  });

  test("the target's per-second figures are columns; an external target's (or an older record's) seconds are gaps", () => {
    const tl = new TimelineBuffer();
    tl.push(point(1, { targetBufferedBytes: 2048, targetMaxClientBufferedBytes: 1024, targetSlowClients: 2, targetDropped: 1, targetRefused: 3, targetShed: 0 }));
    tl.push(point(2));
    assert.deepEqual(tl.cols.targetMaxClientBufferedBytes, [1024, null]);
    assert.deepEqual(tl.cols.targetSlowClients, [2, null]);
    assert.deepEqual([tl.cols.targetDropped, tl.cols.targetRefused, tl.cols.targetShed], [[1, null], [3, null], [0, null]]);
  });

  test('x stays strictly increasing when the final point repeats a second', () => {
    const tl = new TimelineBuffer();
    tl.push(point(29));
    tl.push(point(30));
    tl.push({ ...point(30), at: point(30).at + 300 });
    tl.push({ ...point(30), at: point(30).at }); // same wall clock again
    for (let i = 1; i < tl.x.length; i++) assert.ok(tl.x[i] > tl.x[i - 1], `x[${i}] ${tl.x[i]} > ${tl.x[i - 1]}`);
  });

  test('drops the oldest points past the cap; reset replaces everything', () => {
    const tl = new TimelineBuffer(3);
    for (let t = 1; t <= 5; t++) tl.push(point(t));
    assert.deepEqual(tl.x, [3, 4, 5]);
    assert.equal(tl.cols.sent.length, 3);
    tl.reset([point(7), point(8)]);
    assert.deepEqual(tl.x, [7, 8]);
    tl.reset();
    assert.equal(tl.length, 0);
  });
});
