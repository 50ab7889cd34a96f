// What the report says about a run, worked out from its files: the summary when there is one,
// and otherwise whatever the per-second timeline and the fleet events can tell (an interrupted
// run has no summary.json). Pure functions: no I/O.
import { LATENCY_KINDS, type LatencyKind, type LatencySummary } from '../../contract/metrics.ts';
import type { RunDetail } from '../../contract/runs.ts';
import type { FleetEvent, SaturationRecord, TimelinePoint } from '../../contract/snapshot.ts';
import type { StormRecord } from '../../contract/storm.ts';

export interface ReportInput {
  detail: RunDetail;
  /** The whole timeline (not thinned). */
  timeline: TimelinePoint[];
  /** fleet-events.ndjson, up to a limit; `eventsLeftOut` more were not kept. */
  events: FleetEvent[];
  eventsLeftOut: number;
  /** When the report was made (ms since epoch). */
  generatedAt: number;
}

/** A headline figure: null when the run's files cannot tell it. */
export interface Headline {
  devices: number;
  peakOnline: number | null;
  online: number | null;
  connectAttempts: number | null;
  connects: number | null;
  reconnects: number | null;
  connectFailures: number | null;
  disconnects: number | null;
  gaveUp: number | null;
  lost: number | null;
  sent: number | null;
  sentParts: { heartbeat: number; status: number; ping: number } | null;
  received: number | null;
  bytesSent: number | null;
  bytesReceived: number | null;
  generatorSaturated: boolean;
  /** True when the figures come from the timeline (no summary). */
  fromTimeline: boolean;
}

const sum = (xs: Iterable<number>) => {
  let n = 0;
  for (const x of xs) n += x;
  return n;
};
const maxOf = (xs: readonly number[]) => xs.reduce((a, b) => (b > a ? b : a), 0);

export function saturationRecords(input: ReportInput): SaturationRecord[] {
  if (input.detail.summary?.saturation) return input.detail.summary.saturation;
  return input.events.flatMap((e) => (e.type === 'generator-saturated' ? [e.record] : []));
}

export function scenarioDevices(input: ReportInput): number {
  const { scenario, summary, entry } = input.detail;
  return summary?.devices ?? scenario?.groups.reduce((n, g) => n + g.count, 0) ?? entry.devices;
}

export function headline(input: ReportInput): Headline {
  const s = input.detail.summary;
  const tl = input.timeline;
  const devices = scenarioDevices(input);
  if (s) {
    const sentParts = s.sent ?? { heartbeat: 0, status: 0, ping: 0 };
    return {
      devices,
      peakOnline: s.peakOnline,
      online: s.online,
      connectAttempts: s.connectAttempts,
      connects: s.connects,
      reconnects: s.reconnects,
      connectFailures: s.connectFailures,
      disconnects: s.disconnects,
      gaveUp: s.gaveUp,
      lost: s.lost,
      // As the timeline counts them: heartbeats, status messages and pings.
      sent: sentParts.heartbeat + sentParts.status + sentParts.ping,
      sentParts,
      received: s.received,
      bytesSent: s.bytes?.sent ?? null,
      bytesReceived: s.bytes?.received ?? null,
      generatorSaturated: s.generatorSaturated,
      fromTimeline: false,
    };
  }
  const has = tl.length > 0;
  return {
    devices,
    peakOnline: has ? maxOf(tl.map((p) => p.online)) : null,
    online: has ? tl[tl.length - 1].online : null,
    connectAttempts: null,
    connects: has ? sum(tl.map((p) => p.connects)) : null,
    reconnects: null,
    connectFailures: null,
    disconnects: has ? sum(tl.map((p) => p.disconnects)) : null,
    gaveUp: null,
    lost: null,
    sent: has ? sum(tl.map((p) => p.sent)) : null,
    sentParts: null,
    received: has ? sum(tl.map((p) => p.received)) : null,
    bytesSent: has ? sum(tl.map((p) => p.bytesSent)) : null,
    bytesReceived: null,
    generatorSaturated: saturationRecords(input).length > 0,
    fromTimeline: true,
  };
}

/** Reason → count, largest first, with each one's share of the total. */
export interface ReasonRow {
  reason: string;
  count: number;
  share: number;
}

export function reasonRows(reasons: Record<string, number> | null | undefined): ReasonRow[] {
  const entries = Object.entries(reasons ?? {}).filter(([, n]) => n > 0);
  const total = sum(entries.map(([, n]) => n));
  return entries
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, count]) => ({ reason, count, share: total ? (count / total) * 100 : 0 }));
}

/** Drops by reason: the summary's, or the timeline's per-second counts added up. */
export function disconnectReasons(input: ReportInput): Record<string, number> {
  if (input.detail.summary) return input.detail.summary.disconnectReasons ?? {};
  const out: Record<string, number> = {};
  for (const p of input.timeline) for (const [r, n] of Object.entries(p.disconnectsByReason)) out[r] = (out[r] ?? 0) + n;
  return out;
}

/** Latency kinds that recorded anything: in the summary, or in any second of the timeline. */
export function latencyKinds(input: ReportInput): LatencyKind[] {
  const s = input.detail.summary;
  return LATENCY_KINDS.filter((k) => (s?.latencyMs?.[k]?.count ?? 0) > 0 || input.timeline.some((p) => (p.p99[k] ?? 0) > 0));
}

export interface LatencyRow {
  kind: LatencyKind;
  summary: LatencySummary;
}

export function latencyRows(input: ReportInput): LatencyRow[] {
  const s = input.detail.summary;
  if (!s?.latencyMs) return [];
  return LATENCY_KINDS.filter((k) => (s.latencyMs[k]?.count ?? 0) > 0).map((kind) => ({ kind, summary: s.latencyMs[kind] }));
}

/** Without a summary: what the per-second percentiles say (seconds with samples, medians, worst). */
export interface TimelineLatencyRow {
  kind: LatencyKind;
  seconds: number;
  medianP50: number;
  medianP99: number;
  worstP99: number;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function timelineLatencyRows(input: ReportInput): TimelineLatencyRow[] {
  return latencyKinds(input).map((kind) => {
    const seconds = input.timeline.filter((p) => (p.p99[kind] ?? 0) > 0);
    return {
      kind,
      seconds: seconds.length,
      medianP50: median(seconds.map((p) => p.p50?.[kind] ?? 0).filter((v) => v > 0)),
      medianP99: median(seconds.map((p) => p.p99[kind])),
      worstP99: maxOf(seconds.map((p) => p.p99[kind])),
    };
  });
}

export interface StormRow extends StormRecord {
  /** Recovery worked out from the per-second timeline (no summary): 1 s resolution. */
  estimated: boolean;
}

/** The storms with their recovery: the summary's, or the start records in the fleet events
 * with the dip and the recovery read off the timeline. */
export function stormRows(input: ReportInput): StormRow[] {
  const s = input.detail.summary;
  if (s?.storms) return s.storms.map((r) => ({ ...r, estimated: false }));
  const started = new Map<number, StormRecord>();
  for (const e of input.events) if (e.type === 'storm') started.set(e.storm.id, e.storm);
  const records = [...started.values()].sort((a, b) => a.at - b.at);
  return records.map((r, i) => {
    const next = records[i + 1]?.t ?? Infinity;
    const window = input.timeline.filter((p) => p.t > r.t && p.t <= next);
    const threshold = r.onlineBefore * 0.99;
    // The low point until the fleet is back (as the live tracker does), then the first second back.
    let minOnline = r.onlineBefore;
    let back: TimelinePoint | undefined;
    for (const p of window) {
      if (minOnline < threshold && p.online >= threshold) {
        back = p;
        break;
      }
      minOnline = Math.min(minOnline, p.online);
    }
    const outcome = r.error ? r.outcome : minOnline >= threshold ? 'no-impact' : back ? 'recovered' : 'not-recovered';
    return {
      ...r,
      minOnline,
      outcome,
      recoveredAfterMs: back ? Math.max(0, (back.t - r.t) * 1000) : null,
      peakConnectsPerSec: maxOf(window.map((p) => p.connects)),
      connackP99Ms: maxOf(window.map((p) => p.p99.connack ?? 0)),
      estimated: true,
    };
  });
}

export interface HostRow {
  hostId: number;
  /** The shard the host ran in, in a run merged from shards. */
  shard: number | null;
  pid: number | null;
  devices: number | null;
  state: string;
  peakRssMB: number | null;
  avgCpuPct: number | null;
  peakCpuPct: number | null;
  loopLagP99Ms: number | null;
  worstLoopLagP99Ms: number | null;
}

/** One row per generator host: the summary's figures with averages and peaks from the timeline. */
export function hostRows(input: ReportInput): HostRow[] {
  // One pass over the timeline: a day of 64 hosts is 5.5 million samples.
  const acc = new Map<number, { n: number; cpuSum: number; cpuMax: number; rssMax: number; lagMax: number }>();
  for (const p of input.timeline) {
    for (const h of p.hosts) {
      const a = acc.get(h.hostId);
      if (!a) acc.set(h.hostId, { n: 1, cpuSum: h.cpuPct, cpuMax: h.cpuPct, rssMax: h.rssMB, lagMax: h.loopLagP99Ms });
      else {
        a.n++;
        a.cpuSum += h.cpuPct;
        if (h.cpuPct > a.cpuMax) a.cpuMax = h.cpuPct;
        if (h.rssMB > a.rssMax) a.rssMax = h.rssMB;
        if (h.loopLagP99Ms > a.lagMax) a.lagMax = h.loopLagP99Ms;
      }
    }
  }
  const fromSummary = new Map((input.detail.summary?.hosts ?? []).map((h) => [h.hostId, h]));
  const ids = [...new Set([...fromSummary.keys(), ...acc.keys()])].sort((a, b) => a - b);
  const lost = new Map<number, FleetEvent & { type: 'host-lost' }>();
  for (const e of input.events) if (e.type === 'host-lost') lost.set(e.hostId, e);
  return ids.map((hostId) => {
    const s = fromSummary.get(hostId);
    const a = acc.get(hostId);
    return {
      hostId,
      shard: s?.shard ?? null,
      pid: s?.pid ?? null,
      devices: s?.devices ?? lost.get(hostId)?.devices ?? null,
      state: s?.state ?? (lost.has(hostId) ? 'lost' : 'unknown'),
      peakRssMB: s?.peakRssMB ?? a?.rssMax ?? null,
      avgCpuPct: a ? a.cpuSum / a.n : (s?.cpuPct ?? null),
      peakCpuPct: a?.cpuMax ?? null,
      loopLagP99Ms: s?.loopLagP99Ms ?? null,
      worstLoopLagP99Ms: a?.lagMax ?? null,
    };
  });
}

/** The fleet events worth reading: everything but the storms (they have their own table). */
export function notableEvents(input: ReportInput): FleetEvent[] {
  return input.events.filter((e) => e.type !== 'storm' && !(e.type === 'run-state' && !e.detail && e.state !== 'failed'));
}

/** When the run started (ms since epoch): the summary's start, or the timeline's second 0. */
export function runStart(input: ReportInput): number {
  const first = input.timeline[0];
  return Date.parse(input.detail.summary?.startedAt ?? '') || (first ? first.at - first.t * 1000 : Date.parse(input.detail.entry.startedAt));
}

/** Seconds into the run of a wall-clock time. */
export function runOffset(input: ReportInput, at: number): number {
  return Math.max(0, (at - runStart(input)) / 1000);
}
