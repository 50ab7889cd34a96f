// Small builders for renderer tests: snapshots, timeline points, summaries.
import type { FleetSnapshot, RunSummary, TimelinePoint } from '../../src/contract/snapshot.ts';
import { LATENCY_KINDS, zeroCounters, zeroGauges, type LatencyKind, type LatencySummary } from '../../src/contract/metrics.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { PRESETS } from '../../src/contract/presets.ts';
import type { Scenario } from '../../src/contract/scenario.ts';

const latency = (): Record<LatencyKind, LatencySummary> =>
  Object.fromEntries(LATENCY_KINDS.map((k) => [k, { count: 0, p50: 0, p90: 0, p99: 0, max: 0 }])) as Record<LatencyKind, LatencySummary>;

export function demoScenario(): Scenario {
  const v = validateScenario(PRESETS.demo);
  if (!v.ok) throw new Error(v.problems.join('\n'));
  return v.scenario;
}

export function snapshot(over: Partial<FleetSnapshot> = {}): FleetSnapshot {
  return {
    at: Date.now(),
    elapsedMs: 1000,
    durationMs: 30_000,
    state: 'running',
    devices: 1200,
    gauges: { ...zeroGauges(), online: 600, connecting: 100 },
    groups: {},
    totals: zeroCounters(),
    rates: { connectsPerSec: 400, disconnectsPerSec: 0, sentPerSec: 10, receivedPerSec: 20, bytesSentPerSec: 200 },
    disconnectReasons: {},
    failureReasons: {},
    latency: latency(),
    hosts: [],
    storms: [],
    saturation: [],
    target: null,
    backpressure: { writeQueueBytes: 0, maxWriteQueueBytes: 0, inflight: 0, heldBack: 0, slowReaders: 0 },
    ...over,
  };
}

export function point(t: number, over: Partial<TimelinePoint> = {}, start = 1_700_000_000_000): TimelinePoint {
  const p99 = Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as Record<LatencyKind, number>;
  return { t, at: start + t * 1000, online: t * 10, connecting: 1, backoff: 0, connects: 10, disconnects: 0, sent: 5, received: 6, bytesSent: 100, targetBufferedBytes: 0, writeQueueBytes: 0, inflight: 0, disconnectsByReason: {}, p50: { ...p99 }, p99, hosts: [], ...over };
}

export function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    name: 'demo',
    startedAt: new Date(1_700_000_000_000).toISOString(),
    endedAt: new Date(1_700_000_030_000).toISOString(),
    durationMs: 30_000,
    endReason: 'duration',
    devices: 1200,
    online: 1200,
    peakOnline: 1200,
    connectAttempts: 1200,
    connects: 1200,
    disconnects: 0,
    reconnects: 0,
    connectFailures: 0,
    gaveUp: 0,
    lost: 0,
    failures: {},
    disconnectReasons: {},
    sent: { heartbeat: 1, status: 1, ping: 1 },
    received: 3,
    bytes: { sent: 10, received: 10 },
    latencyMs: latency(),
    storms: [],
    generatorSaturated: false,
    saturation: [],
    hosts: [],
    ...over,
  };
}
