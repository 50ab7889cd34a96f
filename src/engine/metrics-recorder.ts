// A host's hot-path metrics: plain counters, reason tallies, per-group state gauges and
// latency histograms. `cut()` turns everything since the last cut into a MetricsBatch body.
import {
  LATENCY_KINDS,
  zeroCounters,
  zeroGauges,
  type BackpressureGauges,
  type Counters,
  type DeviceState,
  type Gauges,
  type LatencyKind,
  type MetricsBatch,
} from '../contract/metrics.ts';
import { DropTimings } from './drop-timings.ts';
import { encodeHistogram, newHistogram, recordMs, type Histogram } from './histograms.ts';

export class MetricsRecorder {
  counters: Counters = zeroCounters();
  /** Messages not sent because a device's inflight window was full, since the last cut. */
  heldBack = 0;
  private disconnectReasons: Record<string, number> = {};
  private failureReasons: Record<string, number> = {};
  private readonly histograms: Record<LatencyKind, Histogram>;
  private readonly groupGauges: Record<string, Gauges> = {};

  constructor(groupNames: string[]) {
    for (const g of groupNames) this.groupGauges[g] = zeroGauges();
    this.histograms = Object.fromEntries(LATENCY_KINDS.map((k) => [k, newHistogram()])) as Record<LatencyKind, Histogram>;
  }

  latency(kind: LatencyKind, ms: number): void {
    recordMs(this.histograms[kind], ms);
  }

  private readonly dropTimings = new DropTimings();

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

  /** A device of `group` moved between states (from null: a device came into being). */
  transition(group: string, from: DeviceState | null, to: DeviceState): void {
    const g = this.groupGauges[group];
    if (from) g[from]--;
    g[to]++;
  }

  /** The batch's backpressure gauges: the host's sample of its devices plus heldBack since the last cut. */
  cutBackpressure(sample: Omit<BackpressureGauges, 'heldBack'>): BackpressureGauges {
    const out = { ...sample, heldBack: this.heldBack };
    this.heldBack = 0;
    return out;
  }

  /** Everything since the previous cut; counters and histograms restart from zero. */
  cut(): Pick<MetricsBatch, 'counters' | 'disconnectReasons' | 'disconnectTimings' | 'failureReasons' | 'gauges' | 'groupGauges' | 'histograms'> {
    const gauges = zeroGauges();
    const groupGauges: Record<string, Gauges> = {};
    for (const [name, g] of Object.entries(this.groupGauges)) {
      groupGauges[name] = { ...g };
      for (const s of Object.keys(g) as DeviceState[]) gauges[s] += g[s];
    }
    const histograms: MetricsBatch['histograms'] = {};
    for (const kind of LATENCY_KINDS) {
      const h = this.histograms[kind];
      if (h.totalCount > 0) {
        histograms[kind] = encodeHistogram(h);
        h.reset();
      }
    }
    const out = {
      counters: this.counters,
      disconnectReasons: this.disconnectReasons,
      disconnectTimings: this.dropTimings.cut(),
      failureReasons: this.failureReasons,
      gauges,
      groupGauges,
      histograms,
    };
    this.counters = zeroCounters();
    this.disconnectReasons = {};
    this.failureReasons = {};
    return out;
  }
}
