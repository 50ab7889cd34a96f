// One group's hot-path metrics on a host: plain counters, reason tallies, state gauges and
// latency histograms. The host's MetricsRecorder sums its groups when it cuts a batch.
import {
  LATENCY_KINDS,
  zeroCounters,
  zeroGauges,
  type Counters,
  type DeviceState,
  type EncodedHistograms,
  type Gauges,
  type GroupBatch,
  type LatencyKind,
} from '../contract/metrics.ts';
import type { DropTimings } from './drop-timings.ts';
import { encodeHistogram, newHistogram, recordMs, type Histogram } from '../shared/histograms.ts';

export class GroupRecorder {
  counters: Counters = zeroCounters();
  /** Messages not sent because a device's inflight window was full, since the last cut. */
  heldBack = 0;
  readonly gauges: Gauges = zeroGauges();
  disconnectReasons: Record<string, number> = {};
  failureReasons: Record<string, number> = {};
  readonly histograms = Object.fromEntries(LATENCY_KINDS.map((k) => [k, newHistogram()])) as Record<LatencyKind, Histogram>;

  latency(kind: LatencyKind, ms: number): void {
    recordMs(this.histograms[kind], ms);
  }

  constructor(private readonly dropTimings: DropTimings) {}

  /** An online device dropped: its connection's age and the time since its last byte in and out. */
  disconnect(reason: string, ageMs: number, sinceRxMs: number, sinceTxMs: number): void {
    this.counters.disconnects++;
    this.disconnectReasons[reason] = (this.disconnectReasons[reason] ?? 0) + 1;
    this.dropTimings.record(reason, ageMs, sinceRxMs, sinceTxMs);
  }

  connectFailure(reason: string): void {
    this.counters.connectFailures++;
    this.failureReasons[reason] = (this.failureReasons[reason] ?? 0) + 1;
  }

  /** A device of this group moved between states (from null: a device came into being); `_group` keeps the host recorder's signature. */
  transition(_group: string, from: DeviceState | null, to: DeviceState): void {
    if (from) this.gauges[from]--;
    this.gauges[to]++;
  }

  /** Everything since the previous cut, histograms encoded; counters, reasons and histograms restart from zero. */
  cut(): GroupBatch {
    const histograms: EncodedHistograms = {};
    for (const kind of LATENCY_KINDS) if (this.histograms[kind].totalCount > 0) histograms[kind] = encodeHistogram(this.histograms[kind]);
    const out = { counters: this.counters, disconnectReasons: this.disconnectReasons, failureReasons: this.failureReasons, histograms };
    this.counters = zeroCounters();
    this.disconnectReasons = {};
    this.failureReasons = {};
    return out;
  }

  resetHistograms(): void {
    for (const kind of LATENCY_KINDS) this.histograms[kind].reset();
  }
}
