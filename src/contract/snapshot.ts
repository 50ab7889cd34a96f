// What the controller shows of a running fleet: a snapshot (≤4 per second), a timeline
// (one point per second) and, at the end, the run summary (also `fleetsim run --json`).
import type { DisconnectCause } from './disconnect-causes.ts';
import type { FleetShard } from './fleet-shard.ts';
import type { BackpressureGauges, Counters, EncodedHistograms, Gauges, LatencyKind, LatencySummary } from './metrics.ts';
import type { StormRecord } from './storm.ts';
import type { BackpressureSummary } from './backpressure.ts';
import type { CapacityResult } from './capacity.ts';
import type { TargetStats } from './target.ts';
import type { ThresholdResult } from './thresholds.ts';

export type RunState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface HostStatus {
  hostId: number;
  /** The shard this host belongs to, in a view attached to a distributed run (absent for a local run). */
  shard?: number;
  pid: number | null;
  state: 'starting' | 'running' | 'stopping' | 'stopped' | 'lost';
  devices: number;
  cpuPct: number;
  rssMB: number;
  loopLagP99Ms: number;
  lostReason?: string;
}

export interface Rates {
  connectsPerSec: number;
  disconnectsPerSec: number;
  sentPerSec: number;
  receivedPerSec: number;
  bytesSentPerSec: number;
}

export interface FleetSnapshot {
  at: number;
  elapsedMs: number;
  durationMs: number;
  state: RunState;
  devices: number;
  gauges: Gauges;
  groups: Record<string, Gauges>;
  /** Per group: connects, drops by reason, messages and latency (absent in snapshots of older versions). */
  groupStats?: Record<string, GroupStats>;
  totals: Counters;
  rates: Rates;
  disconnectReasons: Record<string, number>;
  failureReasons: Record<string, number>;
  /** Causes named from the drops and refusals so far (absent in snapshots of older versions). */
  disconnectCauses?: DisconnectCause[];
  latency: Record<LatencyKind, LatencySummary>;
  hosts: HostStatus[];
  /** Storms of this run, each with its recovery so far. */
  storms: StormRecord[];
  /** Generator hosts that saturated during the run: results are then not trustworthy. */
  saturation: SaturationRecord[];
  /** The embedded target's own view (clients, buffered bytes to slow readers …); null for external targets. */
  target: TargetStats | null;
  /** The fleet's side of backpressure: write queues, QoS 1 in flight, held back, slow readers. */
  backpressure: BackpressureGauges;
  /** The fleet connect rate now and why (absent in snapshots of older versions). */
  ramp?: RampStatus;
}

/** One group of devices over the run so far (counts since the start; rates over about the last second, or the whole run in a summary). */
export interface GroupStats {
  devices: number;
  online: number;
  connectAttempts: number;
  connects: number;
  connectFailures: number;
  disconnects: number;
  /** Drops of online devices by reason. */
  disconnectReasons: Record<string, number>;
  /** Messages sent (heartbeat, status, ping) and received. */
  sent: number;
  received: number;
  sentPerSec: number;
  receivedPerSec: number;
  latency: Record<LatencyKind, LatencySummary>;
}

/** The fleet's connect rate (connects/s, 0 = unlimited), the last reason it changed, and the saturation pause. */
export interface RampStatus {
  mode: 'fixed' | 'adaptive';
  rate: number;
  reason: string;
  /** When the rate last changed (ms since epoch; the start for a rate never changed). */
  changedAt: number;
  /** True while new devices are held back because a generator host is saturated. */
  paused: boolean;
  pausedReason?: string;
}

/** The ramp over a whole run. */
export interface RampSummary {
  mode: 'fixed' | 'adaptive';
  /** Changes of the rate (adaptive), pauses at saturation, seconds spent paused. */
  changes: number;
  minRate: number;
  maxRate: number;
  finalRate: number;
  pauses: number;
  pausedSeconds: number;
}

/** A host of the generator that went past its limits (loop-lag p99 > 50 ms or CPU > 90%). */
export interface SaturationRecord {
  hostId: number;
  /** The shard the host ran in: in a view attached to a distributed run, or a run merged from shards. */
  shard?: number;
  /** When it first happened (ms since epoch) and seconds into the run. */
  firstAt: number;
  t: number;
  /** Roughly how long the host spent saturated. */
  seconds: number;
  worstLoopLagP99Ms: number;
  worstCpuPct: number;
}

export interface TimelinePoint {
  /** Seconds since the run started. */
  t: number;
  at: number;
  online: number;
  connecting: number;
  backoff: number;
  connects: number;
  disconnects: number;
  sent: number;
  received: number;
  bytesSent: number;
  /** Bytes the embedded target holds for its clients (0 for external targets). */
  targetBufferedBytes: number;
  /** Bytes the fleet's devices have queued for writing, and their QoS 1 messages in flight. */
  writeQueueBytes: number;
  inflight: number;
  /** Drops of online devices during this second, by reason. */
  disconnectsByReason: Record<string, number>;
  /** p50 and p99 of latencies recorded during this second, ms (0 when none). */
  p50: Record<LatencyKind, number>;
  p99: Record<LatencyKind, number>;
  hosts: Array<{ hostId: number; cpuPct: number; rssMB: number; loopLagP99Ms: number }>;
  /** The fleet connect rate in force during this second (connects/s, 0 = unlimited). */
  connectRate?: number;
  /**
   * The embedded target's side this second (absent for external targets and in older records):
   * the most one client had buffered towards it, its slow clients, and the clients it dropped at
   * its cap, refused over its accept rate and shed under overload during this second.
   */
  targetMaxClientBufferedBytes?: number;
  targetSlowClients?: number;
  targetDropped?: number;
  targetRefused?: number;
  targetShed?: number;
}

/**
 * The latency histograms of one closed second (the same second as the TimelinePoint with this
 * `t` and `at`): kept by the recorder so percentiles over many shards can be recomputed exactly.
 */
export interface SecondHistograms {
  t: number;
  at: number;
  h: EncodedHistograms;
}

export type FleetEvent =
  | { type: 'host-lost'; at: number; hostId: number; devices: number; reason: string }
  | { type: 'target-lost'; at: number; reason: string }
  | { type: 'run-state'; at: number; state: RunState; detail?: string }
  | { type: 'storm'; at: number; storm: StormRecord }
  | { type: 'generator-saturated'; at: number; record: SaturationRecord }
  /** The fleet connect rate changed (adaptive ramp) or the ramp paused/resumed at generator saturation. */
  | { type: 'ramp'; at: number; rate: number; paused: boolean; reason: string }
  /** Something the run did for the user that they should know of (e.g. a test PKI created). */
  | { type: 'note'; at: number; message: string };

export interface RunSummary {
  /** One shard of a distributed run: the run id all shards share and which shard this is. */
  runId?: string;
  shard?: FleetShard;
  name: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Why the run ended: its duration elapsed, a stop was asked for, or a signal arrived. */
  endReason: 'duration' | 'stopped' | 'signal' | 'error';
  devices: number;
  /** Devices online when the run ended (before the fleet was stopped). */
  online: number;
  peakOnline: number;
  connectAttempts: number;
  connects: number;
  disconnects: number;
  reconnects: number;
  connectFailures: number;
  gaveUp: number;
  lost: number;
  /** Failed connection attempts by reason. */
  failures: Record<string, number>;
  /** Drops of online devices by reason. */
  disconnectReasons: Record<string, number>;
  /** Causes named from drops and refusals: idle timeouts, lifetime limits, takeovers … (absent in older summaries). */
  disconnectCauses?: DisconnectCause[];
  sent: { heartbeat: number; status: number; ping: number };
  received: number;
  bytes: { sent: number; received: number };
  latencyMs: Record<LatencyKind, LatencySummary>;
  /** Per group, over the whole run (rates are averages over its duration; absent in summaries of older versions). */
  groups?: Record<string, GroupStats>;
  storms: StormRecord[];
  /** True when any generator host saturated; `saturation` says when and which. */
  generatorSaturated: boolean;
  saturation: SaturationRecord[];
  /** The connect rate over the run (absent in summaries of older versions). */
  ramp?: RampSummary;
  /** In a run merged from shards (`fleetsim runs merge`), `shard` is the shard index each host ran in. */
  hosts: Array<{ hostId: number; pid: number | null; devices: number; state: HostStatus['state']; rssMB: number; peakRssMB: number; cpuPct: number; loopLagP99Ms: number; shard?: number }>;
  /** A capacity search (`fleetsim capacity`): its steps, knee and verdict (also capacity.json). */
  capacity?: CapacityResult;
  /** The scenario's thresholds, each with its measured value and whether it held (absent in summaries of older versions). */
  thresholds?: ThresholdResult[];
  /** Backpressure over the run, fleet and target, with its outcome in words (absent in summaries of older versions). */
  backpressure?: BackpressureSummary;
}
