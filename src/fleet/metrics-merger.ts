// Merges MetricsBatches from every host into fleet totals, cumulative latency histograms,
// rates and a one-second timeline.
import {
  COUNTERS,
  LATENCY_KINDS,
  zeroBackpressure,
  zeroCounters,
  zeroGauges,
  type BackpressureGauges,
  type Counters,
  type DeviceState,
  type EncodedHistograms,
  type Gauges,
  type HostHealth,
  type LatencyKind,
  type LatencySummary,
  type MetricsBatch,
} from '../contract/metrics.ts';
import type { Rates, TimelinePoint } from '../contract/snapshot.ts';
import type { TargetStats } from '../contract/target.ts';
import { TargetSeconds } from './target-seconds.ts';
import type { DisconnectCause } from '../contract/disconnect-causes.ts';
import { nameDisconnectCauses } from './disconnect-causes.ts';
import { DropTimingPool } from './drop-timing-pool.ts';
import type { GroupStats } from '../contract/snapshot.ts';
import { GroupMerger } from './group-merger.ts';
import { bucketCounts, decodeHistogram, encodeHistogram, newHistogram, summarize, type BucketCounts, type Histogram } from '../shared/histograms.ts';

interface HostView {
  gauges: Gauges;
  backpressure: BackpressureGauges;
  groups: Record<string, Gauges>;
  health: HostHealth | null;
  peakRss: number;
  cpuSum: number;
  cpuSamples: number;
  worstLagP99: number;
}

const addInto = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

const newHistograms = () => Object.fromEntries(LATENCY_KINDS.map((k) => [k, newHistogram()])) as Record<LatencyKind, Histogram>;

export class MetricsMerger {
  readonly totals: Counters = zeroCounters();
  readonly disconnectReasons: Record<string, number> = {};
  readonly failureReasons: Record<string, number> = {};
  /** A sample of drop timings per reason, for naming causes. */
  readonly dropTimings = new DropTimingPool();
  private readonly cumulative = newHistograms();
  private readonly second = newHistograms();
  private readonly hosts = new Map<number, HostView>();
  private secondStart = zeroCounters();
  private secondStartReasons: Record<string, number> = {};
  private readonly rateSamples: Array<{ at: number; totals: Counters }> = [];
  readonly timeline: TimelinePoint[] = [];
  /** The histograms of the second the last tick closed (only kinds with samples): what a run record keeps. */
  lastSecondHistograms: EncodedHistograms = {};
  peakOnline = 0;
  private readonly groupMerger = new GroupMerger();
  private groupOnlineAtEnd: Record<string, number> | null = null;
  /** Messages held back by full QoS 1 windows since the start. */
  private heldBack = 0;
  /** The most devices limited in their reads at any closed second. */
  peakSlowReaders = 0;
  private readonly targetSeconds = new TargetSeconds();

  constructor(private readonly startedAt: number) {}

  /** Reasons for drops and refusals so far, and the causes named from them. */
  reasons(): { disconnectReasons: Record<string, number>; failureReasons: Record<string, number>; disconnectCauses: DisconnectCause[] } {
    const disconnectReasons = { ...this.disconnectReasons };
    const failureReasons = { ...this.failureReasons };
    return { disconnectReasons, failureReasons, disconnectCauses: nameDisconnectCauses({ disconnectReasons, failureReasons, timings: this.dropTimings.samples() }) };
  }

  add(batch: MetricsBatch): void {
    addInto(this.totals, batch.counters);
    addInto(this.disconnectReasons, batch.disconnectReasons);
    addInto(this.failureReasons, batch.failureReasons);
    this.dropTimings.add(batch.disconnectTimings);
    if (batch.groupMetrics) this.groupMerger.add(batch.groupMetrics);
    for (const [kind, encoded] of Object.entries(batch.histograms) as Array<[LatencyKind, string]>) {
      const h = decodeHistogram(encoded);
      this.cumulative[kind].add(h);
      this.second[kind].add(h);
    }
    const view = this.hosts.get(batch.hostId) ?? { gauges: zeroGauges(), backpressure: zeroBackpressure(), groups: {}, health: null, peakRss: 0, cpuSum: 0, cpuSamples: 0, worstLagP99: 0 };
    view.gauges = batch.gauges;
    view.backpressure = batch.backpressure;
    this.heldBack += batch.backpressure.heldBack;
    view.groups = batch.groupGauges;
    view.health = batch.health;
    view.peakRss = Math.max(view.peakRss, batch.health.rssBytes);
    view.cpuSum += batch.health.cpuPct;
    view.cpuSamples++;
    view.worstLagP99 = Math.max(view.worstLagP99, batch.health.loopLagP99Ms);
    this.hosts.set(batch.hostId, view);
    this.peakOnline = Math.max(this.peakOnline, this.gauges().online);
  }

  /** A host died: all its devices count as lost; its online devices as dropped with `reason`. */
  hostLost(hostId: number, devices: number, reason: string): number {
    const view = this.hosts.get(hostId);
    const wasOnline = view?.gauges.online ?? 0;
    if (wasOnline > 0) {
      this.totals.disconnects += wasOnline;
      addInto(this.disconnectReasons, { [reason]: wasOnline });
    }
    const lost = { ...zeroGauges(), lost: devices };
    const groups: Record<string, Gauges> = {};
    this.groupMerger.hostLost(Object.fromEntries(Object.entries(view?.groups ?? {}).map(([name, g]) => [name, g.online])), reason);
    for (const [name, g] of Object.entries(view?.groups ?? {})) {
      const n = (Object.values(g) as number[]).reduce((a, b) => a + b, 0);
      groups[name] = { ...zeroGauges(), lost: n };
    }
    this.hosts.set(hostId, { gauges: lost, backpressure: zeroBackpressure(), groups, health: view?.health ?? null, peakRss: view?.peakRss ?? 0, cpuSum: view?.cpuSum ?? 0, cpuSamples: view?.cpuSamples ?? 0, worstLagP99: view?.worstLagP99 ?? 0 });
    return wasOnline;
  }

  gauges(): Gauges {
    const g = zeroGauges();
    for (const v of this.hosts.values()) for (const s of Object.keys(g) as DeviceState[]) g[s] += v.gauges[s];
    return g;
  }

  /** Fleet-wide backpressure now: sums over hosts (max for the largest queue), heldBack since start. */
  backpressure(): BackpressureGauges {
    const b = zeroBackpressure();
    for (const v of this.hosts.values()) {
      b.writeQueueBytes += v.backpressure.writeQueueBytes;
      b.maxWriteQueueBytes = Math.max(b.maxWriteQueueBytes, v.backpressure.maxWriteQueueBytes);
      b.inflight += v.backpressure.inflight;
      b.slowReaders += v.backpressure.slowReaders;
    }
    b.heldBack = this.heldBack;
    return b;
  }

  groupGauges(): Record<string, Gauges> {
    const out: Record<string, Gauges> = {};
    for (const v of this.hosts.values()) {
      for (const [name, g] of Object.entries(v.groups)) {
        const into = (out[name] ??= zeroGauges());
        for (const s of Object.keys(g) as DeviceState[]) into[s] += g[s];
      }
    }
    return out;
  }

  /** Per-group figures; rates over the last second, or over `overMs` since the start (a summary: online as marked at the end). */
  groupStats(now: number, overMs?: number): Record<string, GroupStats> {
    const stats = this.groupMerger.stats(this.groupGauges(), now, overMs);
    if (overMs !== undefined && this.groupOnlineAtEnd) for (const [name, g] of Object.entries(stats)) g.online = this.groupOnlineAtEnd[name] ?? 0;
    return stats;
  }

  /** The run is ending (devices still up): keeps each group's online count for the summary; returns the fleet's. */
  markEnd(): number {
    this.groupOnlineAtEnd = Object.fromEntries(Object.entries(this.groupGauges()).map(([name, g]) => [name, g.online]));
    return this.gauges().online;
  }

  host(hostId: number): (HostView & { cpuAvg: number }) | undefined {
    const v = this.hosts.get(hostId);
    return v && { ...v, cpuAvg: v.cpuSamples ? Math.round((v.cpuSum / v.cpuSamples) * 10) / 10 : 0 };
  }

  /** Cumulative bucket counts per kind since the start (the Prometheus histograms). */
  latencyBuckets(boundsMs: readonly number[]): Record<LatencyKind, BucketCounts> {
    return Object.fromEntries(LATENCY_KINDS.map((k) => [k, bucketCounts(this.cumulative[k], boundsMs)])) as Record<LatencyKind, BucketCounts>;
  }

  /** The whole run's histograms so far, encoded (only kinds with samples). */
  encodedLatency(): EncodedHistograms {
    const out: EncodedHistograms = {};
    for (const k of LATENCY_KINDS) if (this.cumulative[k].totalCount > 0) out[k] = encodeHistogram(this.cumulative[k]);
    return out;
  }

  latency(): Record<LatencyKind, LatencySummary> {
    return Object.fromEntries(LATENCY_KINDS.map((k) => [k, summarize(this.cumulative[k])])) as Record<LatencyKind, LatencySummary>;
  }

  /** Rates over roughly the last second. */
  rates(now: number): Rates {
    this.rateSamples.push({ at: now, totals: { ...this.totals } });
    while (this.rateSamples.length > 2 && now - this.rateSamples[1].at >= 1000) this.rateSamples.shift();
    const old = this.rateSamples[0];
    const dt = (now - old.at) / 1000;
    const per = (c: keyof Counters) => (dt > 0 ? Math.round((this.totals[c] - old.totals[c]) / dt) : 0);
    return {
      connectsPerSec: per('connects'),
      disconnectsPerSec: per('disconnects'),
      sentPerSec: dt > 0 ? Math.round((this.sentTotal(this.totals) - this.sentTotal(old.totals)) / dt) : 0,
      receivedPerSec: per('received'),
      bytesSentPerSec: per('bytesSent'),
    };
  }

  private sentTotal(c: Counters): number {
    return c.sentHeartbeat + c.sentStatus + c.sentPing;
  }

  /** Closes the current second into a timeline point, with the embedded target's side of it (null: none). */
  tick(now: number, target: TargetStats | null = null): TimelinePoint {
    const delta = (c: keyof Counters) => this.totals[c] - this.secondStart[c];
    const g = this.gauges();
    const backpressure = this.backpressure();
    this.peakSlowReaders = Math.max(this.peakSlowReaders, backpressure.slowReaders);
    const p50 = {} as Record<LatencyKind, number>;
    const p99 = {} as Record<LatencyKind, number>;
    const encoded: EncodedHistograms = {};
    for (const k of LATENCY_KINDS) {
      const s = summarize(this.second[k]);
      p50[k] = s.p50;
      p99[k] = s.p99;
      if (s.count > 0) encoded[k] = encodeHistogram(this.second[k]);
      this.second[k].reset();
    }
    this.lastSecondHistograms = encoded;
    const disconnectsByReason: Record<string, number> = {};
    for (const [reason, n] of Object.entries(this.disconnectReasons)) {
      const d = n - (this.secondStartReasons[reason] ?? 0);
      if (d > 0) disconnectsByReason[reason] = d;
    }
    this.secondStartReasons = { ...this.disconnectReasons };
    const point: TimelinePoint = {
      t: Math.round((now - this.startedAt) / 1000),
      at: now,
      online: g.online,
      connecting: g.connecting,
      backoff: g.backoff,
      connects: delta('connects'),
      disconnects: delta('disconnects'),
      sent: this.sentTotal(this.totals) - this.sentTotal(this.secondStart),
      received: delta('received'),
      bytesSent: delta('bytesSent'),
      ...this.targetSeconds.next(target),
      writeQueueBytes: backpressure.writeQueueBytes,
      inflight: backpressure.inflight,
      disconnectsByReason,
      p50,
      p99,
      hosts: [...this.hosts.entries()].map(([hostId, v]) => ({
        hostId,
        cpuPct: v.health?.cpuPct ?? 0,
        rssMB: Math.round((v.health?.rssBytes ?? 0) / 1048576),
        loopLagP99Ms: v.health?.loopLagP99Ms ?? 0,
      })),
    };
    for (const c of COUNTERS) this.secondStart[c] = this.totals[c];
    this.timeline.push(point);
    return point;
  }
}
