// The live view of a distributed run, fed from Prometheus: every `intervalMs` it runs the PromQL
// of attach-queries.ts and builds the FleetSnapshot and TimelinePoint the live view already draws.
// What Prometheus cannot give (groups, per-host device counts, storms, the embedded target) stays
// zero or empty. It never throws: a Prometheus that is down or answers garbage becomes a status.
import { EventEmitter } from 'node:events';
import type { AttachStatus } from '../../contract/attach.ts';
import { DEVICE_STATES, LATENCY_KINDS, zeroBackpressure, zeroCounters, zeroGauges, type Counters, type LatencyKind, type LatencySummary } from '../../contract/metrics.ts';
import type { FleetSnapshot, HostStatus, SaturationRecord, TimelinePoint } from '../../contract/snapshot.ts';
import { attachQueries, type AttachQueryName } from './attach-queries.ts';
import { queryVector, type Sample } from './prometheus-query.ts';

export interface PrometheusAttachOptions {
  prometheusUrl: string;
  runId: string;
  windowSeconds: number;
  /** Between the end of one poll and the start of the next (default 2000). */
  intervalMs?: number;
  /** Per query (default: the interval, at most 5 s). */
  timeoutMs?: number;
}

export interface PrometheusAttachEvents {
  snapshot: [FleetSnapshot];
  timeline: [TimelinePoint];
  status: [AttachStatus];
}

const TOTAL_KEYS: Record<string, keyof Counters> = {
  fleetsim_connect_attempts_total: 'connectAttempts',
  fleetsim_connects_total: 'connects',
  fleetsim_reconnects_total: 'reconnects',
  fleetsim_messages_received_total: 'received',
  fleetsim_bytes_sent_total: 'bytesSent',
  fleetsim_bytes_received_total: 'bytesReceived',
  fleetsim_tls_handshakes_total: 'tlsHandshakes',
  fleetsim_tls_resumed_total: 'tlsResumed',
};

type Answers = Record<AttachQueryName, Sample[]>;

export class PrometheusAttach extends EventEmitter<PrometheusAttachEvents> {
  private readonly queries: Record<AttachQueryName, string>;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private polling: Promise<void> | null = null;
  private current: AttachStatus;
  private latest: FleetSnapshot | null = null;
  private readonly points: TimelinePoint[] = [];
  /** First poll that saw each shard×host saturated: Prometheus keeps no event time for it. */
  private readonly saturatedSince = new Map<string, number>();

  constructor(private readonly options: PrometheusAttachOptions) {
    super();
    this.queries = attachQueries(options.runId, options.windowSeconds);
    this.intervalMs = options.intervalMs ?? 2000;
    this.timeoutMs = options.timeoutMs ?? Math.min(5000, Math.max(500, this.intervalMs));
    this.current = { prometheusUrl: options.prometheusUrl, runId: options.runId, windowSeconds: options.windowSeconds, health: 'connecting', shards: 0, message: null, lastPollAt: null };
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
  }

  status(): AttachStatus {
    return { ...this.current };
  }

  snapshot(): FleetSnapshot | null {
    return this.latest;
  }

  /** Points kept for a UI that opens later (the last hour at one poll every 2 s). */
  timeline(): readonly TimelinePoint[] {
    return this.points;
  }

  /** One poll now (tests; the timer calls it too). */
  async poll(): Promise<void> {
    const names = Object.keys(this.queries) as AttachQueryName[];
    const results = await Promise.all(names.map((n) => queryVector(this.options.prometheusUrl, this.queries[n], this.timeoutMs)));
    if (this.stopped) return;
    const at = Date.now();
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) return this.setStatus({ health: 'error', message: failed.problem, lastPollAt: at });
    const answers = Object.fromEntries(names.map((n, i) => [n, (results[i] as { samples: Sample[] }).samples])) as Answers;
    const shards = answers.shards.length;
    if (shards === 0) return this.setStatus({ health: 'waiting', shards: 0, message: `no series for run ${this.options.runId} yet (are the shards up, started with --run-id ${this.options.runId}, and scraped by this Prometheus?)`, lastPollAt: at });
    const snapshot = this.buildSnapshot(answers, at);
    const point = this.buildPoint(answers, snapshot);
    this.latest = snapshot;
    this.points.push(point);
    if (this.points.length > 1800) this.points.shift();
    this.setStatus({ health: 'ok', shards, message: null, lastPollAt: at });
    this.emit('snapshot', snapshot);
    this.emit('timeline', point);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll()
        .catch((err: Error) => this.setStatus({ health: 'error', message: `attach: ${err.message}`, lastPollAt: Date.now() }))
        .finally(() => {
          this.polling = null;
          this.schedule(this.intervalMs);
        });
    }, delayMs);
    this.timer.unref?.();
  }

  private setStatus(patch: Partial<AttachStatus>): void {
    this.current = { ...this.current, ...patch };
    this.emit('status', this.status());
  }

  private buildSnapshot(a: Answers, at: number): FleetSnapshot {
    const gauges = zeroGauges();
    for (const s of a.devicesByState) if ((DEVICE_STATES as readonly string[]).includes(s.labels.state)) gauges[s.labels.state as keyof typeof gauges] = s.value;
    const totals = zeroCounters();
    const backpressure = zeroBackpressure();
    for (const s of a.sums) {
      const name = s.labels.__name__;
      if (name in TOTAL_KEYS) totals[TOTAL_KEYS[name]] = s.value;
      else if (name === 'fleetsim_write_queue_bytes') backpressure.writeQueueBytes = s.value;
      else if (name === 'fleetsim_qos1_inflight') backpressure.inflight = s.value;
    }
    const kinds: Record<string, keyof Counters> = { heartbeat: 'sentHeartbeat', status: 'sentStatus', ping: 'sentPing' };
    for (const s of a.sentByKind) if (kinds[s.labels.kind]) totals[kinds[s.labels.kind]] = s.value;
    const disconnectReasons = byLabel(a.disconnectsByReason, 'reason');
    const failureReasons = byLabel(a.failuresByReason, 'reason');
    totals.disconnects = sum(Object.values(disconnectReasons));
    totals.connectFailures = sum(Object.values(failureReasons));
    const latency = {} as Record<LatencyKind, LatencySummary>;
    const [p50, p90, p99, count, max] = [a.p50, a.p90, a.p99, a.latencyCount, a.latencyMax].map((v) => byLabel(v, 'kind'));
    for (const kind of LATENCY_KINDS) latency[kind] = { count: count[kind] ?? 0, p50: round(p50[kind]), p90: round(p90[kind]), p99: round(p99[kind]), max: round(max[kind]) };
    const { hosts, saturation } = this.buildHosts(a.hosts, at);
    return {
      at,
      elapsedMs: at - this.startedAt,
      durationMs: 0,
      state: 'running',
      devices: a.devicesTarget[0]?.value ?? 0,
      gauges,
      groups: {},
      totals,
      rates: {
        connectsPerSec: round(a.connectsRate[0]?.value),
        disconnectsPerSec: round(sum(a.disconnectsRateByReason.map((s) => s.value))),
        sentPerSec: round(a.sentRate[0]?.value),
        receivedPerSec: round(a.receivedRate[0]?.value),
        bytesSentPerSec: round(a.bytesSentRate[0]?.value),
      },
      disconnectReasons,
      failureReasons,
      latency,
      hosts,
      storms: [],
      saturation,
      target: null,
      backpressure,
    };
  }

  /** One row per shard×host, from the host gauges; a saturation record for each that saturated. */
  private buildHosts(samples: Sample[], at: number): { hosts: HostStatus[]; saturation: SaturationRecord[] } {
    const rows = new Map<string, { shard: number; hostId: number; values: Record<string, number> }>();
    for (const s of samples) {
      const shard = Number(s.labels.shard);
      const hostId = Number(s.labels.host);
      if (!Number.isInteger(shard) || !Number.isInteger(hostId)) continue;
      const key = `${shard}/${hostId}`;
      const row = rows.get(key) ?? { shard, hostId, values: {} };
      row.values[s.labels.__name__] = s.value;
      rows.set(key, row);
    }
    const sorted = [...rows.entries()].sort(([, x], [, y]) => x.shard - y.shard || x.hostId - y.hostId);
    const hosts: HostStatus[] = [];
    const saturation: SaturationRecord[] = [];
    for (const [key, { shard, hostId, values }] of sorted) {
      const cpuPct = round(values.fleetsim_host_cpu_percent);
      const loopLagP99Ms = round(values.fleetsim_host_loop_lag_p99_milliseconds);
      hosts.push({ hostId, shard, pid: null, state: 'running', devices: 0, cpuPct, rssMB: round((values.fleetsim_host_rss_bytes ?? 0) / 1048576), loopLagP99Ms });
      const seconds = values.fleetsim_host_saturated_seconds_total ?? 0;
      if (seconds > 0 || values.fleetsim_host_saturated === 1) {
        if (!this.saturatedSince.has(key)) this.saturatedSince.set(key, at);
        const firstAt = this.saturatedSince.get(key)!;
        saturation.push({ hostId, shard, firstAt, t: Math.round((firstAt - this.startedAt) / 1000), seconds: round(seconds), worstLoopLagP99Ms: loopLagP99Ms, worstCpuPct: cpuPct });
      }
    }
    return { hosts, saturation };
  }

  private buildPoint(a: Answers, s: FleetSnapshot): TimelinePoint {
    const w50 = byLabel(a.windowP50, 'kind');
    const w99 = byLabel(a.windowP99, 'kind');
    const p50 = {} as Record<LatencyKind, number>;
    const p99 = {} as Record<LatencyKind, number>;
    for (const kind of LATENCY_KINDS) {
      p50[kind] = round(w50[kind]);
      p99[kind] = round(w99[kind]);
    }
    const perSec = byLabel(a.disconnectsRateByReason, 'reason');
    return {
      t: Math.round(s.elapsedMs / 1000),
      at: s.at,
      online: s.gauges.online,
      connecting: s.gauges.connecting,
      backoff: s.gauges.backoff,
      // Per-second figures: rates over the window, as the local timeline's per-second counts.
      connects: s.rates.connectsPerSec,
      disconnects: s.rates.disconnectsPerSec,
      sent: s.rates.sentPerSec,
      received: s.rates.receivedPerSec,
      bytesSent: s.rates.bytesSentPerSec,
      targetBufferedBytes: 0,
      writeQueueBytes: s.backpressure.writeQueueBytes,
      inflight: s.backpressure.inflight,
      disconnectsByReason: Object.fromEntries(Object.entries(perSec).map(([k, v]) => [k, round(v)])),
      p50,
      p99,
      hosts: s.hosts.map((h) => ({ hostId: h.hostId, cpuPct: h.cpuPct, rssMB: h.rssMB, loopLagP99Ms: h.loopLagP99Ms })),
    };
  }
}

function byLabel(samples: Sample[], label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (s.labels[label] !== undefined) out[s.labels[label]] = s.value;
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const round = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 0 : Math.round(x * 100) / 100);
