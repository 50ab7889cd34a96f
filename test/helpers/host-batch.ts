// A host's metrics batch with nothing counted, for unit tests that feed one field at a time.
import { zeroBackpressure, zeroCounters, zeroGauges, type HostHealth, type MetricsBatch } from '../../src/contract/metrics.ts';

export function hostBatch(hostId: number, at: number, health: Partial<HostHealth> = {}, extra: Partial<MetricsBatch> = {}): MetricsBatch {
  return {
    hostId,
    seq: 0,
    at,
    intervalMs: 250,
    counters: zeroCounters(),
    disconnectReasons: {},
    failureReasons: {},
    gauges: zeroGauges(),
    groupGauges: {},
    histograms: {},
    backpressure: zeroBackpressure(),
    health: { pid: 1, devices: 10, cpuPct: 0, rssBytes: 0, heapUsedBytes: 0, loopLagP99Ms: 0, loopLagMaxMs: 0, ...health },
    ...extra,
  };
}
