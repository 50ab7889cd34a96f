// A fleet snapshot: the whole live view of a run at one moment, put together from the parts
// that keep it (the merged metrics, the hosts, storms, saturation, the target and the ramp).
import type { FleetSnapshot, HostStatus, RampStatus, RunState, SaturationRecord } from '../contract/snapshot.ts';
import type { StormRecord } from '../contract/storm.ts';
import type { TargetStats } from '../contract/target.ts';
import type { MetricsMerger } from './metrics-merger.ts';

export interface SnapshotParts {
  state: RunState;
  startedAt: number;
  /** 0 while the run has not ended. */
  endedAt: number;
  durationMs: number;
  devices: number;
  merger: MetricsMerger;
  hosts: HostStatus[];
  storms: StormRecord[];
  saturation: SaturationRecord[];
  target: TargetStats | null;
  ramp: RampStatus;
}

export function buildSnapshot({ state, startedAt, endedAt, durationMs, devices, merger, ...rest }: SnapshotParts, now = Date.now()): FleetSnapshot {
  return {
    at: now,
    elapsedMs: state === 'starting' ? 0 : (endedAt || now) - startedAt,
    durationMs,
    state,
    devices,
    gauges: merger.gauges(),
    groups: merger.groupGauges(),
    groupStats: merger.groupStats(now),
    totals: { ...merger.totals },
    rates: merger.rates(now),
    ...merger.reasons(),
    latency: merger.latency(),
    hosts: rest.hosts,
    storms: rest.storms,
    saturation: rest.saturation,
    target: rest.target,
    backpressure: merger.backpressure(),
    ramp: rest.ramp,
  };
}
