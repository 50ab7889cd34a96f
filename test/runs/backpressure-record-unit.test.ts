// Backpressure in the record, piece by piece: timeline.csv's target columns (written, read back,
// absent in older files), merged over shards, the summary and its outcome in words (embedded
// target capped or not, external target, a record from before), and devices.csv's targetDropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackpressureSummary } from '../../src/contract/backpressure.ts';
import { LATENCY_KINDS } from '../../src/contract/metrics.ts';
import type { TimelinePoint } from '../../src/contract/snapshot.ts';
import { backpressureFromTimeline, EXTERNAL_TARGET_NOTE, mergeBackpressure, summarizeBackpressure, type TargetEnd } from '../../src/runs/backpressure-summary.ts';
import { parseDeviceRow } from '../../src/runs/devices-csv.ts';
import { mergeTimelines } from '../../src/runs/merge/merge-timeline.ts';
import { parseTimeline, timelineHeader, timelineRow } from '../../src/runs/timeline-csv.ts';

const MB = 1024 * 1024;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const zeros = () => Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as TimelinePoint['p99'];
const point = (t: number, o: Partial<TimelinePoint> = {}): TimelinePoint => ({
  t, at: T0 + t * 1000, online: 24, connecting: 0, backoff: 0, connects: 0, disconnects: 0, sent: 0, received: 0, bytesSent: 0,
  targetBufferedBytes: 0, writeQueueBytes: 0, inflight: 0, disconnectsByReason: {}, p50: zeros(), p99: zeros(), hosts: [], ...o,
});
const target = (o: Partial<TimelinePoint> = {}): Partial<TimelinePoint> => ({ targetMaxClientBufferedBytes: 0, targetSlowClients: 0, targetDropped: 0, targetRefused: 0, targetShed: 0, ...o });
const end = (o: Partial<TargetEnd> = {}): TargetEnd => ({ capBytes: 0, droppedSlowClients: 0, refusedByRate: 0, shedByOverload: 0, drops: [], droppedButOnline: 0, ...o });

test('timeline.csv: the target columns round-trip, are empty for an external target, and absent in older files', () => {
  const rows = [point(1, { targetBufferedBytes: 5 * MB, ...target({ targetMaxClientBufferedBytes: MB, targetSlowClients: 4, targetDropped: 2, targetRefused: 3, targetShed: 1 }) }), point(2)];
  const text = timelineHeader(1) + rows.map((p) => timelineRow({ ...p, hosts: [{ hostId: 0, cpuPct: 1, rssMB: 2, loopLagP99Ms: 3 }] }, 1)).join('');
  const header = text.split('\n')[0].split(',');
  assert.deepEqual(header.slice(header.indexOf('connectRate') + 1), ['targetMaxClientBufferedBytes', 'targetSlowClients', 'targetDroppedPerSec', 'targetRefusedPerSec', 'targetShedPerSec', 'host0_cpuPct', 'host0_rssMB', 'host0_loopLagP99Ms']);
  const [withTarget, external] = parseTimeline(text).points;
  assert.deepEqual(
    [withTarget.targetBufferedBytes, withTarget.targetMaxClientBufferedBytes, withTarget.targetSlowClients, withTarget.targetDropped, withTarget.targetRefused, withTarget.targetShed, withTarget.hosts[0].rssMB],
    [5 * MB, MB, 4, 2, 3, 1, 2],
  );
  assert.equal(external.targetSlowClients, undefined, 'an external target leaves the cells empty');
  // A file from before: no target columns at all; it still reads, with its host columns.
  const old = text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(',').filter((_, i) => !header[i].startsWith('target') || header[i] === 'targetBufferedBytes').join(','))
    .join('\n');
  const parsed = parseTimeline(old + '\n');
  assert.equal(parsed.skipped, 0);
  assert.deepEqual(parsed.points.map((p) => [p.targetBufferedBytes, p.targetDropped, p.hosts.length]), [[5 * MB, undefined, 1], [0, undefined, 1]]);
});

test('merged shards: target counts and slow clients add up, the largest client is the largest; older shards add nothing', () => {
  const a = [point(1, { targetBufferedBytes: 2 * MB, ...target({ targetMaxClientBufferedBytes: MB, targetSlowClients: 2, targetDropped: 1 }) }), point(2, target({ targetDropped: 1 }))];
  const b = [point(1, { targetBufferedBytes: 3 * MB, ...target({ targetMaxClientBufferedBytes: 2 * MB, targetSlowClients: 1, targetRefused: 5 }) }), point(2, target({ targetShed: 2 }))];
  const old = [point(1, { targetBufferedBytes: 7 }), point(2)];
  const m = mergeTimelines([a, b, old].map((points, i) => ({ points, histograms: [], hostOffset: i })), T0).points;
  assert.deepEqual(
    m.map((p) => [p.targetBufferedBytes, p.targetMaxClientBufferedBytes, p.targetSlowClients, p.targetDropped, p.targetRefused, p.targetShed]),
    [[5 * MB + 7, 2 * MB, 3, 1, 5, 0], [0, 0, 0, 1, 0, 2]],
  );
  // Only records from before: the fields stay absent.
  assert.equal(mergeTimelines([{ points: old, histograms: [], hostOffset: 0 }], T0).points[0].targetDropped, undefined);
});

test('the outcome in words: growing without a cap, dropped at a cap, external target, nothing', () => {
  const climbing = [0, 0, 1, 3, 5, 7, 9].map((mb, t) => point(t, { targetBufferedBytes: mb * MB, ...target({ targetSlowClients: mb ? 4 : 0, targetMaxClientBufferedBytes: (mb * MB) / 4 }) }));
  const grew = summarizeBackpressure({ timeline: [...climbing, point(7, target())], fleet: { heldBack: 0, peakSlowReaders: 4 }, target: end() });
  assert.ok(grew.target);
  assert.equal(grew.target.peakBufferedBytes, 9 * MB);
  assert.equal(grew.target.growthBytesPerSec, 2 * MB, 'from the first second that held anything to the peak');
  assert.equal(grew.target.stillGrowing, true);
  assert.equal(grew.outcome, 'The target held 9 MB for 4 readers that stopped reading and kept growing at 2 MB/s. Fleet: 4 devices reading slowly.');

  const fell = summarizeBackpressure({ timeline: [...climbing, point(7, { targetBufferedBytes: MB, ...target() }), point(8, { targetBufferedBytes: MB, ...target() }), point(9, target())], fleet: null, target: end() });
  assert.equal(fell.target?.stillGrowing, false);
  assert.match(fell.outcome, /^The target's buffers peaked at 9 MB at 6s \(largest client 2\.3 MB, 4 slow clients at most\), then stopped growing\.$/);

  const drops = ['slow-0', 'slow-1', 'slow-1'].map((id, i) => ({ id, cause: 'cap' as const, at: T0 + i }));
  const capped = summarizeBackpressure({
    timeline: [point(1, { targetBufferedBytes: 3 * MB, ...target({ targetMaxClientBufferedBytes: MB + 160, targetSlowClients: 3 }) }), point(2, target({ targetDropped: 2, targetRefused: 1 }))],
    fleet: { heldBack: 7, peakSlowReaders: 2 },
    target: end({ capBytes: MB, droppedSlowClients: 2, refusedByRate: 1, drops, droppedButOnline: 2 }),
  });
  assert.deepEqual(capped.target?.droppedDevices.map((d) => d.id), ['slow-0', 'slow-1'], 'one entry per device');
  assert.equal(
    capped.outcome,
    'The target dropped 2 slow readers at its 1 MB cap; its buffers peaked at 3 MB (largest client 1 MB). 2 of them still count themselves online: they read nothing, so never saw the close. It refused 1 connection over its accept rate. Fleet: 7 held back by full windows, 2 devices reading slowly.',
  );

  const external = summarizeBackpressure({ timeline: [point(1, { writeQueueBytes: 2048, inflight: 10 })], fleet: { heldBack: 0, peakSlowReaders: 0 }, target: null });
  assert.equal(external.target, null);
  assert.equal(external.outcome, `${EXTERNAL_TARGET_NOTE} Fleet: write queues peaked at 2 KB, 10 QoS 1 messages in flight at most.`);

  assert.equal(summarizeBackpressure({ timeline: [point(1, target())], fleet: null, target: end() }).outcome, 'No backpressure at the target: its buffers peaked at 0 B and no client was dropped.');
});

test('a record from before the summary had backpressure: worked out from its timeline, or nothing', () => {
  const old = [point(1, { targetBufferedBytes: MB }), point(2, { targetBufferedBytes: 3 * MB }), point(3)];
  const bp = backpressureFromTimeline(old, true);
  assert.equal(bp?.target?.peakBufferedBytes, 3 * MB);
  assert.equal(bp?.target?.droppedSlowClients, 0);
  assert.equal(backpressureFromTimeline([point(1), point(2)], true), null, 'nothing measured');
  assert.equal(backpressureFromTimeline([point(1, { inflight: 3 })], false)?.target, null);
});

test('merged summaries: totals add, peaks come from the merged timeline', () => {
  const part = (dropped: number, ids: string[]): BackpressureSummary =>
    summarizeBackpressure({
      timeline: [point(1, { targetBufferedBytes: MB, ...target({ targetDropped: dropped }) })],
      fleet: { heldBack: 1, peakSlowReaders: 1 },
      target: end({ capBytes: MB, droppedSlowClients: dropped, drops: ids.map((id) => ({ id, cause: 'cap' as const, at: T0 })), droppedButOnline: ids.length }),
    });
  const merged = mergeBackpressure([part(1, ['a']), undefined, part(2, ['b', 'c'])], [point(1, { targetBufferedBytes: 2 * MB, ...target({ targetDropped: 3 }) })]);
  assert.ok(merged?.target);
  assert.deepEqual([merged.target.droppedSlowClients, merged.target.droppedDevicesCount, merged.target.droppedButOnline, merged.target.peakBufferedBytes, merged.fleet.heldBack], [3, 3, 3, 2 * MB, 2]);
  assert.match(merged.outcome, /^The target dropped 3 slow readers at its 1 MB cap/);
  assert.equal(mergeBackpressure([undefined, undefined], []), undefined);
});

test('devices.csv rows: targetDropped read back; rows from before it (and hosts\' parts) still read', () => {
  const now = parseDeviceRow('slow-0,slow,0,0,stopped,1,0,,0,1,0,65536,cap');
  assert.equal(now?.targetDropped, 'cap');
  assert.equal(parseDeviceRow('dev-1,m,1,0,stopped,1,0,,3,4,50,60,')?.targetDropped, undefined);
  const old = parseDeviceRow('dev-1,m,1,0,stopped,1,0,,3,4,50,60');
  assert.deepEqual([old?.id, old?.sent, old?.bytesReceived, old?.targetDropped], ['dev-1', 3, 60, undefined]);
  assert.equal(parseDeviceRow('dev-1,m,1,0,stopped,1,0,,3,4,50,60,nonsense')?.targetDropped, undefined, 'only known causes');
});
