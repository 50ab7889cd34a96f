// The run summary: what `fleetsim run` prints at the end and `--json` emits.
import type { DistributedRun } from '../contract/fleet-shard.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { HostStatus, RampSummary, RunSummary, SaturationRecord } from '../contract/snapshot.ts';
import type { CapacityResult } from '../contract/capacity.ts';
import type { StormRecord } from '../contract/storm.ts';
import type { TargetDrop } from '../contract/backpressure.ts';
import type { TargetStats } from '../contract/target.ts';
import { summarizeBackpressure } from '../runs/backpressure-summary.ts';
import type { MetricsMerger } from './metrics-merger.ts';
import { evaluateThresholds } from './threshold-evaluation.ts';

export interface SummaryInput {
  scenario: Scenario;
  /** Devices this process ran (a shard's slice, or the whole fleet). */
  devices: number;
  distributed?: DistributedRun;
  merger: MetricsMerger;
  hosts: HostStatus[];
  startedAt: number;
  endedAt: number;
  endReason: RunSummary['endReason'];
  onlineAtEnd: number;
  storms: StormRecord[];
  saturation: SaturationRecord[];
  /** The embedded target at the end (null: external): its last stats, the clients it dropped, and how many of those the fleet still counted online. */
  target: { lastStats: TargetStats | null; drops: readonly TargetDrop[]; droppedButOnline: number | null } | null;
  ramp: RampSummary;
  /** A capacity search's result. */
  capacity?: CapacityResult;
}

function backpressure({ scenario, merger, target }: SummaryInput): RunSummary['backpressure'] {
  const s = target?.lastStats;
  const end = target && {
    capBytes: scenario.embedded?.maxClientBuffer ?? 0,
    droppedSlowClients: s?.droppedSlowClients ?? 0,
    refusedByRate: s?.refusedByRate ?? 0,
    shedByOverload: s?.shedByOverload ?? 0,
    drops: target.drops,
    droppedButOnline: target.droppedButOnline,
  };
  return summarizeBackpressure({ timeline: merger.timeline, fleet: { heldBack: merger.backpressure().heldBack, peakSlowReaders: merger.peakSlowReaders }, target: end });
}

function summaryReasons(merger: MetricsMerger): Pick<RunSummary, 'failures' | 'disconnectReasons' | 'disconnectCauses'> {
  const { failureReasons, disconnectReasons, disconnectCauses } = merger.reasons();
  return { failures: failureReasons, disconnectReasons, disconnectCauses };
}

export function buildSummary(input: SummaryInput): RunSummary {
  const { scenario, devices, distributed, merger, hosts, startedAt, endedAt, endReason, onlineAtEnd, storms, saturation } = input;
  const t = merger.totals;
  const summary: RunSummary = {
    name: scenario.name,
    startedAt: new Date(startedAt).toISOString(),
    endedAt: new Date(endedAt).toISOString(),
    durationMs: endedAt - startedAt,
    endReason,
    devices,
    ...(distributed && { runId: distributed.runId, shard: distributed.shard }),
    online: onlineAtEnd,
    peakOnline: merger.peakOnline,
    connectAttempts: t.connectAttempts,
    connects: t.connects,
    disconnects: t.disconnects,
    reconnects: t.reconnects,
    connectFailures: t.connectFailures,
    gaveUp: t.gaveUp,
    lost: merger.gauges().lost,
    ...summaryReasons(merger),
    sent: { heartbeat: t.sentHeartbeat, status: t.sentStatus, ping: t.sentPing },
    received: t.received,
    bytes: { sent: t.bytesSent, received: t.bytesReceived },
    latencyMs: merger.latency(),
    groups: merger.groupStats(endedAt, endedAt - startedAt),
    storms: storms.map((s) => ({ ...s })),
    generatorSaturated: saturation.length > 0,
    saturation,
    hosts: hosts.map((h) => {
      const v = merger.host(h.hostId);
      return {
        hostId: h.hostId,
        pid: h.pid,
        devices: h.devices,
        state: h.state,
        rssMB: h.rssMB,
        peakRssMB: Math.round((v?.peakRss ?? 0) / 1048576),
        cpuPct: v?.cpuAvg ?? 0,
        loopLagP99Ms: v?.worstLagP99 ?? 0,
      };
    }),
  };
  summary.backpressure = backpressure(input);
  if (scenario.thresholds.length > 0) summary.thresholds = evaluateThresholds(scenario.thresholds, summary, merger.timeline);
  if (input.capacity) summary.capacity = input.capacity;
  summary.ramp = input.ramp;
  return summary;
}
