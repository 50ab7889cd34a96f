// summary.json of a merged run: the shards' totals and reasons added up, latency from the shards'
// whole-run histograms added together (exact percentiles), peak online from the merged timeline,
// hosts, storms and saturation records of every shard, tagged with it (hosts renumbered).
import { LATENCY_KINDS, type LatencyKind, type LatencySummary } from '../../contract/metrics.ts';
import type { Scenario } from '../../contract/scenario.ts';
import type { RunSummary, TimelinePoint } from '../../contract/snapshot.ts';
import { summarize } from '../../shared/histograms.ts';
import type { HistogramSet } from './histograms-file.ts';
import { mergeBackpressure } from '../backpressure-summary.ts';

export interface SummaryShard {
  summary: RunSummary | null;
  shardIndex: number;
  hostOffset: number;
}

const ENDS: RunSummary['endReason'][] = ['duration', 'stopped', 'signal', 'error'];

const addReasons = (into: Record<string, number>, from: Record<string, number> | undefined) => {
  for (const [k, v] of Object.entries(from ?? {})) into[k] = (into[k] ?? 0) + v;
};

/**
 * Null when no shard left a summary. Shards without one add nothing to the totals. `latency`: the shards' whole-run histograms added; null when some shard had none (its
 * percentiles are then the highest of the shards', count and max exact).
 */
export function mergeSummaries(scenario: Scenario, shards: SummaryShard[], timeline: TimelinePoint[], latency: HistogramSet | null): RunSummary | null {
  const present = shards.filter((s): s is SummaryShard & { summary: RunSummary } => s.summary !== null);
  if (present.length === 0) return null;
  const sum = (f: (s: RunSummary) => number) => present.reduce((n, s) => n + f(s.summary), 0);
  const startedAt = Math.min(...present.map((s) => Date.parse(s.summary.startedAt)));
  const endedAt = Math.max(...present.map((s) => Date.parse(s.summary.endedAt)));
  const failures: Record<string, number> = {};
  const disconnectReasons: Record<string, number> = {};
  for (const s of present) {
    addReasons(failures, s.summary.failures);
    addReasons(disconnectReasons, s.summary.disconnectReasons);
  }
  const latencyMs = {} as Record<LatencyKind, LatencySummary>;
  for (const k of LATENCY_KINDS) {
    const h = latency?.[k];
    if (latency) latencyMs[k] = h ? summarize(h) : { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    else {
      const all = present.map((s) => s.summary.latencyMs[k]).filter(Boolean);
      const hi = (f: keyof LatencySummary) => Math.max(0, ...all.map((l) => l[f]));
      latencyMs[k] = { count: all.reduce((n, l) => n + l.count, 0), p50: hi('p50'), p90: hi('p90'), p99: hi('p99'), max: hi('max') };
    }
  }
  const backpressure = mergeBackpressure(present.map((s) => s.summary.backpressure), timeline);
  // The run ended the worst way any shard did.
  const endReason = ENDS[Math.max(0, ...present.map((s) => ENDS.indexOf(s.summary.endReason)))];
  const tagged = <T extends object>(list: T[] | undefined, s: SummaryShard, host?: (x: T) => number) =>
    (list ?? []).map((x) => ({ ...x, ...(host ? { hostId: host(x) + s.hostOffset } : {}), shard: s.shardIndex }));
  return {
    name: scenario.name,
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationMs: endedAt - startedAt,
    endReason,
    devices: scenario.groups.reduce((n, g) => n + g.count, 0),
    online: sum((s) => s.online),
    peakOnline: Math.max(0, ...timeline.map((p) => p.online)),
    connectAttempts: sum((s) => s.connectAttempts),
    connects: sum((s) => s.connects),
    disconnects: sum((s) => s.disconnects),
    reconnects: sum((s) => s.reconnects),
    connectFailures: sum((s) => s.connectFailures),
    gaveUp: sum((s) => s.gaveUp),
    lost: sum((s) => s.lost),
    failures,
    disconnectReasons,
    sent: { heartbeat: sum((s) => s.sent.heartbeat), status: sum((s) => s.sent.status), ping: sum((s) => s.sent.ping) },
    received: sum((s) => s.received),
    bytes: { sent: sum((s) => s.bytes.sent), received: sum((s) => s.bytes.received) },
    latencyMs,
    storms: present.flatMap((s) => tagged(s.summary.storms, s)),
    generatorSaturated: present.some((s) => s.summary.generatorSaturated),
    saturation: present.flatMap((s) => tagged(s.summary.saturation, s, (r) => r.hostId)),
    hosts: present.flatMap((s) => tagged(s.summary.hosts, s, (h) => h.hostId)),
    ...(backpressure && { backpressure }),
  };
}
