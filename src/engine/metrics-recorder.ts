// A host's metrics: one GroupRecorder per device group (what the hot path bumps), summed into
// the host's totals when `cut()` turns everything since the last cut into a MetricsBatch body.
import {
  COUNTERS,
  LATENCY_KINDS,
  zeroCounters,
  zeroGauges,
  type BackpressureGauges,
  type DeviceState,
  type Gauges,
  type GroupBatch,
  type LatencyKind,
  type MetricsBatch,
} from '../contract/metrics.ts';
import { DropTimings } from './drop-timings.ts';
import { GroupRecorder } from './group-recorder.ts';
import { decodeHistogram, encodeHistogram, type Histogram } from '../shared/histograms.ts';


const addInto = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

export class MetricsRecorder {
  private readonly groups = new Map<string, GroupRecorder>();
  /** Drops of online devices, timed, for every group of the host (see drop-timings.ts). */
  private readonly dropTimings = new DropTimings();

  constructor(groupNames: string[]) {
    for (const g of groupNames) this.groups.set(g, new GroupRecorder(this.dropTimings));
  }

  /** The recorder the devices of `group` bump. */
  forGroup(group: string): GroupRecorder {
    const r = this.groups.get(group);
    if (!r) throw new Error(`metrics: no group named ${group}`);
    return r;
  }

  /** The batch's backpressure gauges: the host's sample of its devices plus heldBack since the last cut. */
  cutBackpressure(sample: Omit<BackpressureGauges, 'heldBack'>): BackpressureGauges {
    let heldBack = 0;
    for (const g of this.groups.values()) {
      heldBack += g.heldBack;
      g.heldBack = 0;
    }
    return { ...sample, heldBack };
  }

  /** Everything since the previous cut, per group and summed; counters and histograms restart from zero. */
  cut(): Pick<MetricsBatch, 'counters' | 'disconnectReasons' | 'disconnectTimings' | 'failureReasons' | 'gauges' | 'groupGauges' | 'groupMetrics' | 'histograms'> {
    const counters = zeroCounters();
    const disconnectReasons: Record<string, number> = {};
    const failureReasons: Record<string, number> = {};
    const gauges = zeroGauges();
    const groupGauges: Record<string, Gauges> = {};
    const groupMetrics: Record<string, GroupBatch> = {};
    const sums: Partial<Record<LatencyKind, Histogram>> = {};
    const histograms: MetricsBatch['histograms'] = {};
    for (const [name, g] of this.groups) {
      groupGauges[name] = { ...g.gauges };
      for (const s of Object.keys(gauges) as DeviceState[]) gauges[s] += g.gauges[s];
      const part = g.cut();
      groupMetrics[name] = part;
      for (const c of COUNTERS) counters[c] += part.counters[c];
      addInto(disconnectReasons, part.disconnectReasons);
      addInto(failureReasons, part.failureReasons);
      for (const kind of LATENCY_KINDS) {
        const h = g.histograms[kind];
        if (h.totalCount === 0) continue;
        // A kind only one group recorded ships that group's encoding as the total: no second encode.
        if (histograms[kind] === undefined) histograms[kind] = part.histograms[kind];
        else (sums[kind] ??= decodeHistogram(histograms[kind])).add(h);
      }
      g.resetHistograms();
    }
    for (const [kind, h] of Object.entries(sums) as Array<[LatencyKind, Histogram]>) histograms[kind] = encodeHistogram(h);
    return { counters, disconnectReasons, disconnectTimings: this.dropTimings.cut(), failureReasons, gauges, groupGauges, groupMetrics, histograms };
  }
}
