// timeline.csv's connectRate column: written and read back; files from before it still read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LATENCY_KINDS } from '../../src/contract/metrics.ts';
import type { TimelinePoint } from '../../src/contract/snapshot.ts';
import { parseTimeline, timelineHeader, timelineRow } from '../../src/runs/timeline-csv.ts';

const zeros = () => Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as TimelinePoint['p99'];
const point = (t: number, connectRate?: number): TimelinePoint => ({
  t, at: 1_700_000_000_000 + t * 1000, online: t, connecting: 0, backoff: 0, connects: 1, disconnects: 0, sent: 0, received: 0, bytesSent: 0,
  targetBufferedBytes: 0, writeQueueBytes: 0, inflight: 0, disconnectsByReason: {}, p50: zeros(), p99: zeros(), hosts: [], connectRate,
});

test('connectRate round-trips; a file without the column reads with no connectRate', () => {
  const text = timelineHeader(0) + timelineRow(point(1, 200), 0) + timelineRow(point(2, 100), 0);
  assert.deepEqual(parseTimeline(text).points.map((p) => p.connectRate), [200, 100]);
  // An older file: the columns up to connectRate (those added after it were not there either).
  const upTo = text.split('\n')[0].split(',').indexOf('connectRate');
  const drop = (line: string) => line.split(',').slice(0, upTo).join(',');
  const old = text.split('\n').filter(Boolean).map(drop).join('\n') + '\n';
  const parsed = parseTimeline(old);
  assert.equal(parsed.skipped, 0);
  assert.deepEqual(parsed.points.map((p) => [p.t, p.online, p.connectRate]), [[1, 1, undefined], [2, 2, undefined]]);
});
