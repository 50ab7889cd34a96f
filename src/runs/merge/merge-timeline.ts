// Merges the shards' timelines into one: rows aligned by wall-clock second (each row's `at`
// rounded to the nearest second), counts and gauges summed over the shards that have that
// second, p50/p99 recomputed from the shards' histograms of that second added together, and
// each shard's host columns moved to its fleet-unique host ids.
import { LATENCY_KINDS, type EncodedHistograms, type LatencyKind } from '../../contract/metrics.ts';
import type { SecondHistograms, TimelinePoint } from '../../contract/snapshot.ts';
import { encodeHistogram, summarize } from '../../shared/histograms.ts';
import { addEncoded, type HistogramSet } from './histograms-file.ts';

export interface ShardTimeline {
  points: TimelinePoint[];
  /** The shard's per-second histograms; null for a record without them (its p50/p99 are then taken as written). */
  histograms: SecondHistograms[] | null;
  /** Added to each of the shard's host ids. */
  hostOffset: number;
}

export interface MergedTimeline {
  points: TimelinePoint[];
  /** The merged seconds' histograms (seconds with samples only), for the merged run's histograms.ndjson. */
  histograms: SecondHistograms[];
  /** Seconds whose percentiles could not be recomputed (a shard had no histograms): the shards' highest were kept. */
  approximateSeconds: number;
}

export const secondOf = (at: number) => Math.round(at / 1000);

/** The target's per-second counts (added up) and gauges (added over shards; the largest client is the largest of any), absent in older records. */
const TARGET_COUNTS = ['targetDropped', 'targetRefused', 'targetShed'] as const;
const TARGET_SUMMED = [...TARGET_COUNTS, 'targetSlowClients'] as const;

/** Adds `row`'s target figures into `p` (only those it has: a record from before them adds nothing). */
function addTarget(p: TimelinePoint, row: TimelinePoint): void {
  for (const f of TARGET_SUMMED) if (row[f] !== undefined) p[f] = (p[f] ?? 0) + row[f];
  if (row.targetMaxClientBufferedBytes !== undefined) p.targetMaxClientBufferedBytes = Math.max(p.targetMaxClientBufferedBytes ?? 0, row.targetMaxClientBufferedBytes);
}

const addReasons = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/**
 * One shard's rows keyed by second. Two rows of one shard in the same second (the last tick
 * when a run stops comes less than a second after the one before) fold: counts add, gauges and
 * host figures are the later row's.
 */
function bySecond(points: TimelinePoint[]): Map<number, TimelinePoint> {
  const out = new Map<number, TimelinePoint>();
  for (const p of points) {
    const s = secondOf(p.at);
    const prev = out.get(s);
    if (!prev) {
      out.set(s, { ...p, disconnectsByReason: { ...p.disconnectsByReason }, p50: { ...p.p50 }, p99: { ...p.p99 } });
      continue;
    }
    const reasons = { ...prev.disconnectsByReason };
    addReasons(reasons, p.disconnectsByReason);
    const hi = (a: Record<LatencyKind, number>, b: Record<LatencyKind, number>) =>
      Object.fromEntries(LATENCY_KINDS.map((k) => [k, Math.max(a[k] ?? 0, b[k] ?? 0)])) as Record<LatencyKind, number>;
    out.set(s, {
      ...p,
      connects: prev.connects + p.connects,
      disconnects: prev.disconnects + p.disconnects,
      sent: prev.sent + p.sent,
      received: prev.received + p.received,
      bytesSent: prev.bytesSent + p.bytesSent,
      disconnectsByReason: reasons,
      p50: hi(prev.p50, p.p50),
      p99: hi(prev.p99, p.p99),
      ...Object.fromEntries(TARGET_COUNTS.filter((f) => prev[f] !== undefined || p[f] !== undefined).map((f) => [f, (prev[f] ?? 0) + (p[f] ?? 0)])),
    });
  }
  return out;
}

function histogramsBySecond(lines: SecondHistograms[]): Map<number, EncodedHistograms[]> {
  const out = new Map<number, EncodedHistograms[]>();
  for (const l of lines) {
    const s = secondOf(l.at);
    const list = out.get(s);
    if (list) list.push(l.h);
    else out.set(s, [l.h]);
  }
  return out;
}

/** `startedAt`: the merged run's start (ms); each row's `t` counts seconds from it. */
export function mergeTimelines(shards: ShardTimeline[], startedAt: number): MergedTimeline {
  const rows = shards.map((s) => bySecond(s.points));
  const hists = shards.map((s) => (s.histograms ? histogramsBySecond(s.histograms) : null));
  const seconds = [...new Set(rows.flatMap((r) => [...r.keys()]))].sort((a, b) => a - b);
  const points: TimelinePoint[] = [];
  const histograms: SecondHistograms[] = [];
  let approximateSeconds = 0;
  for (const second of seconds) {
    const at = second * 1000;
    const t = Math.round((at - startedAt) / 1000);
    const p: TimelinePoint = {
      t,
      at,
      online: 0,
      connecting: 0,
      backoff: 0,
      connects: 0,
      disconnects: 0,
      sent: 0,
      received: 0,
      bytesSent: 0,
      targetBufferedBytes: 0,
      writeQueueBytes: 0,
      inflight: 0,
      disconnectsByReason: {},
      p50: Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as Record<LatencyKind, number>,
      p99: Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as Record<LatencyKind, number>,
      hosts: [],
    };
    const set: HistogramSet = {};
    let exact = true;
    rows.forEach((r, i) => {
      const row = r.get(second);
      if (!row) return; // this shard started later or ended earlier: the others make the second
      for (const f of ['online', 'connecting', 'backoff', 'connects', 'disconnects', 'sent', 'received', 'bytesSent', 'targetBufferedBytes', 'writeQueueBytes', 'inflight'] as const) p[f] += row[f];
      addReasons(p.disconnectsByReason, row.disconnectsByReason);
      addTarget(p, row);
      for (const h of row.hosts) p.hosts.push({ ...h, hostId: h.hostId + shards[i].hostOffset });
      // Kept in case a shard has no histograms: then the highest of the shards' own percentiles stand.
      for (const k of LATENCY_KINDS) {
        p.p50[k] = Math.max(p.p50[k], row.p50[k] ?? 0);
        p.p99[k] = Math.max(p.p99[k], row.p99[k] ?? 0);
      }
      const shardHists = hists[i];
      if (shardHists) for (const e of shardHists.get(second) ?? []) addEncoded(set, e);
      else exact = false;
    });
    const encoded: EncodedHistograms = {};
    for (const k of LATENCY_KINDS) {
      const h = set[k];
      const s = h && h.totalCount > 0 ? summarize(h) : null;
      if (h && s) encoded[k] = encodeHistogram(h);
      if (exact) {
        p.p50[k] = s?.p50 ?? 0;
        p.p99[k] = s?.p99 ?? 0;
      }
    }
    if (!exact) approximateSeconds++;
    else if (Object.keys(encoded).length > 0) histograms.push({ t, at, h: encoded });
    points.push(p);
  }
  return { points, histograms, approximateSeconds };
}
