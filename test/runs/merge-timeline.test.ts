// Timeline alignment of a merge, on synthetic shards: rows a few ms off the whole second land in
// the same second, a second one shard lacks is made by the others, two rows of one shard in one
// second fold, and percentiles come from the histograms added together.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LATENCY_KINDS, type LatencyKind } from '../../src/contract/metrics.ts';
import type { TimelinePoint } from '../../src/contract/snapshot.ts';
import { encodeHistogram, newHistogram, recordMs, summarize } from '../../src/shared/histograms.ts';
import { mergeTimelines } from '../../src/runs/merge/merge-timeline.ts';

const zeros = () => Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as Record<LatencyKind, number>;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');

function point(at: number, o: Partial<TimelinePoint> = {}): TimelinePoint {
  return { t: 0, at, online: 0, connecting: 0, backoff: 0, connects: 0, disconnects: 0, sent: 0, received: 0, bytesSent: 0, targetBufferedBytes: 0, writeQueueBytes: 0, inflight: 0, disconnectsByReason: {}, p50: zeros(), p99: zeros(), hosts: [], ...o };
}

function encoded(ms: number[]): string {
  const h = newHistogram();
  for (const x of ms) recordMs(h, x);
  return encodeHistogram(h);
}

test('rows a few ms apart are one second, summed; a second missing in one shard comes from the other', () => {
  const a = [
    point(T0 + 1000 - 4, { online: 10, connects: 10, hosts: [{ hostId: 0, cpuPct: 5, rssMB: 60, loopLagP99Ms: 1 }, { hostId: 1, cpuPct: 6, rssMB: 61, loopLagP99Ms: 2 }] }),
    point(T0 + 2000 + 3, { online: 10, sent: 7, disconnectsByReason: { 'server-closed': 1 }, hosts: [{ hostId: 0, cpuPct: 5, rssMB: 60, loopLagP99Ms: 1 }] }),
    point(T0 + 3000 - 1, { online: 9, disconnects: 1 }),
  ];
  const b = [
    point(T0 + 1000 + 6, { online: 20, connects: 20, hosts: [{ hostId: 0, cpuPct: 7, rssMB: 70, loopLagP99Ms: 3 }] }),
    point(T0 + 2000 - 8, { online: 20, sent: 5, disconnectsByReason: { 'server-closed': 2, timeout: 1 } }),
    // No second 3: this shard ended early.
  ];
  const m = mergeTimelines(
    [
      { points: a, histograms: [], hostOffset: 0 },
      { points: b, histograms: [], hostOffset: 2 },
    ],
    T0,
  );
  assert.deepEqual(m.points.map((p) => p.at), [T0 + 1000, T0 + 2000, T0 + 3000], 'aligned to whole seconds');
  assert.deepEqual(m.points.map((p) => p.t), [1, 2, 3]);
  assert.deepEqual(m.points.map((p) => p.online), [30, 30, 9], 'second 3 from shard a alone');
  assert.deepEqual(m.points.map((p) => p.connects), [30, 0, 0]);
  assert.equal(m.points[1].sent, 12);
  assert.deepEqual(m.points[1].disconnectsByReason, { 'server-closed': 3, timeout: 1 });
  assert.deepEqual(m.points[0].hosts.map((h) => h.hostId), [0, 1, 2], "shard b's host 0 is host 2");
  assert.equal(m.points[0].hosts[2].rssMB, 70);
  assert.equal(m.approximateSeconds, 0);
});

test("two rows of one shard in one second fold (the stop's last tick); percentiles are the histograms added, not averaged", () => {
  const slow = Array.from({ length: 100 }, () => 200); // shard a: 100 samples at 200 ms
  const fast = Array.from({ length: 900 }, () => 2); // shard b: 900 samples at 2 ms
  const a = [point(T0 + 1000, { online: 5, connects: 3 }), point(T0 + 1400, { online: 4, connects: 2 })];
  const b = [point(T0 + 1001, { online: 6 })];
  const m = mergeTimelines(
    [
      { points: a, histograms: [{ t: 1, at: T0 + 1000, h: { puback: encoded(slow.slice(0, 50)) } }, { t: 1, at: T0 + 1400, h: { puback: encoded(slow.slice(50)) } }], hostOffset: 0 },
      { points: b, histograms: [{ t: 1, at: T0 + 1001, h: { puback: encoded(fast) } }], hostOffset: 1 },
    ],
    T0,
  );
  assert.equal(m.points.length, 1);
  assert.equal(m.points[0].online, 10, "the later row's gauge, plus shard b's");
  assert.equal(m.points[0].connects, 5, 'counts of both rows');
  const all = newHistogram();
  for (const x of [...slow, ...fast]) recordMs(all, x);
  assert.equal(m.points[0].p99.puback, summarize(all).p99);
  assert.ok(m.points[0].p99.puback > 100, `p99 of 1000 samples, 10% at 200 ms, is ~200 ms: ${m.points[0].p99.puback}`);
  assert.equal(m.points[0].p50.puback, summarize(all).p50);
  assert.equal(m.points[0].p99.connect, 0, 'a kind without samples is 0');
  assert.equal(m.histograms.length, 1);
  assert.deepEqual(Object.keys(m.histograms[0].h), ['puback']);
});

test('a shard without histograms (an older record): the highest of the shards\' percentiles, counted as approximate', () => {
  const p99 = { ...zeros(), puback: 40 };
  const m = mergeTimelines(
    [
      { points: [point(T0, { p99 })], histograms: null, hostOffset: 0 },
      { points: [point(T0, { p99: { ...zeros(), puback: 12 } })], histograms: [{ t: 0, at: T0, h: { puback: encoded([12]) } }], hostOffset: 1 },
    ],
    T0,
  );
  assert.equal(m.points[0].p99.puback, 40);
  assert.equal(m.approximateSeconds, 1);
  assert.equal(m.histograms.length, 0, 'no merged histogram claims to be exact');
});
