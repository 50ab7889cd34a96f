// The per-group table's rows, p50 beside p99 in the timeline, and disconnect reasons stacked per second.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LATENCY_KINDS } from '../../src/contract/metrics.ts';
import type { GroupStats } from '../../src/contract/snapshot.ts';
import { groupTable } from '../../renderer/state/group-rows.ts';
import { OTHER_REASONS, stackReasons } from '../../src/contract/reason-stack.ts';
import { TimelineBuffer } from '../../renderer/state/timeline.ts';
import { point } from './fixtures.ts';

function stats(over: Partial<GroupStats> = {}, connack?: { p50: number; p99: number }): GroupStats {
  const latency = Object.fromEntries(LATENCY_KINDS.map((k) => [k, { count: 0, p50: 0, p90: 0, p99: 0, max: 0 }])) as GroupStats['latency'];
  if (connack) latency.connack = { count: 10, p50: connack.p50, p90: connack.p99, p99: connack.p99, max: connack.p99 };
  return { devices: 10, online: 8, connectAttempts: 12, connects: 11, connectFailures: 1, disconnects: 3, disconnectReasons: {}, sent: 100, received: 50, sentPerSec: 10, receivedPerSec: 5, latency, ...over };
}

describe('per-group table', () => {
  test('one row per group, reasons most frequent first, only latency kinds some group recorded', () => {
    const t = groupTable({
      mqtt: stats({ disconnectReasons: { 'server-closed': 1, 'keepalive-timeout': 2, zero: 0 } }, { p50: 4, p99: 9 }),
      ws: stats({ disconnects: 0 }),
    });
    assert.deepEqual(t.rows.map((r) => r.name), ['mqtt', 'ws']);
    assert.deepEqual(t.rows[0].reasons, [['keepalive-timeout', 2], ['server-closed', 1]]);
    assert.deepEqual(t.rows[1].reasons, []);
    assert.deepEqual(t.kinds, ['connack']);
  });

  test('no groups (a snapshot or summary of an older version): no rows', () => {
    assert.deepEqual(groupTable(undefined), { rows: [], kinds: [] });
  });
});

describe('timeline p50 and reasons', () => {
  test('p50 columns sit beside the p99 ones; each second keeps its drops by reason', () => {
    const tl = new TimelineBuffer(3);
    const lat = (v: number) => ({ connect: 0, tls: 0, connack: v, puback: 0, ping: 0, echo: 0, delivery: 0 });
    tl.push(point(1, { p50: lat(2), p99: lat(8), disconnectsByReason: { a: 1 } }));
    tl.push(point(2, { p50: lat(0), p99: lat(0) }));
    assert.deepEqual(tl.cols['connack:p50'], [2, null]);
    assert.deepEqual(tl.cols.connack, [8, null]);
    assert.deepEqual(tl.reasons, [{ a: 1 }, {}]);
    for (let t = 3; t <= 5; t++) tl.push(point(t, { disconnectsByReason: { b: t } }));
    // Capped at 3 points: the reasons column drops with the others.
    assert.deepEqual(tl.reasons, [{ b: 3 }, { b: 4 }, { b: 5 }]);
    tl.reset();
    assert.equal(tl.reasons.length, 0);
  });

  test('stacks the top reasons apart and the rest as other, summing seconds into bars', () => {
    const x = [1, 2, 3, 4];
    const byReason: Array<Record<string, number>> = [{ a: 5, b: 1 }, { c: 2 }, {}, { a: 1, d: 1 }];
    const s = stackReasons(x, byReason, 2, 2);
    assert.deepEqual(s.reasons, ['a', 'c', OTHER_REASONS]);
    assert.equal(s.perBar, 2);
    assert.deepEqual(s.bars, [
      { x0: 0, x1: 2, values: [5, 2, 1] },
      { x0: 2, x1: 4, values: [1, 0, 1] },
    ]);
    assert.equal(s.max, 8);
    // Every drop is in some bar.
    assert.equal(s.bars.flatMap((b) => b.values).reduce((a, v) => a + v, 0), 10);
  });

  test('no drops: no reasons and no bars', () => {
    assert.deepEqual(stackReasons([1, 2], [{}, {}]), { reasons: [], bars: [], max: 0, perBar: 1 });
  });
});
