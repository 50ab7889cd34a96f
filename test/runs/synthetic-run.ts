// A run directory written by hand, as the recorder would leave it: run.json, scenario.json,
// timeline.csv (one row per second, any length), summary.json and fleet-events.ndjson. For
// reports of runs too long (or too odd) to record for real in a test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LATENCY_KINDS, type LatencyKind, type LatencySummary } from '../../src/contract/metrics.ts';
import type { FleetEvent, RunSummary, TimelinePoint } from '../../src/contract/snapshot.ts';
import type { StormRecord } from '../../src/contract/storm.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { timelineHeader, timelineRow } from '../../src/runs/timeline-csv.ts';

export interface SyntheticRun {
  name: string;
  seconds: number;
  devices?: number;
  hosts?: number;
  /** Group name written into scenario.json as is (not validated). */
  group?: string;
  /** A failure and a drop reason added to the summary. */
  reason?: string;
  /** A note in the fleet events. */
  note?: string;
  /** One second with `spike` disconnects. */
  spikeAt?: number;
  spike?: number;
  startedAt?: number;
}

const zeros = () => Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as Record<LatencyKind, number>;
const lat = (p50: number, p99: number, count: number): LatencySummary => ({ count, p50, p90: (p50 + p99) / 2, p99, max: p99 * 1.5 });

export function writeSyntheticRun(dir: string, o: SyntheticRun): void {
  mkdirSync(dir, { recursive: true });
  const devices = o.devices ?? 10_000;
  const hosts = o.hosts ?? 2;
  const start = o.startedAt ?? Date.parse('2026-11-20T06:00:00Z');
  const v = validateScenario({
    name: 'synthetic',
    duration: `${o.seconds}s`,
    ramp: 1000,
    hosts,
    groups: [{ name: 'fleet', protocol: 'mqtt', url: 'embedded:mqtt', count: devices, mqtt: { qos: 1 } }],
  });
  if (!v.ok) throw new Error(v.problems.join('; '));
  const scenario = { ...v.scenario, name: o.name, groups: v.scenario.groups.map((g) => ({ ...g, name: o.group ?? g.name })) };
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario, null, 2));

  const stormAt = [0.25, 0.5, 0.75].map((f) => Math.round(o.seconds * f));
  const storms: StormRecord[] = stormAt.map((t, i) => ({
    id: i + 1,
    label: `drop ${10 * (i + 1)}% (close)`,
    action: { action: 'drop', percent: 10 * (i + 1), mode: 'close' },
    at: start + t * 1000,
    t,
    affected: devices * 0.1 * (i + 1),
    onlineBefore: devices,
    minOnline: devices * (1 - 0.1 * (i + 1)),
    recoveredAfterMs: 8000,
    outcome: 'recovered',
    reconnectAttempts: devices * 0.1 * (i + 1),
    peakConnectsPerSec: 1000,
    connackP99Ms: 40 + i * 10,
    connectP99Ms: 20,
    failures: {},
    disconnects: { 'storm-close': devices * 0.1 * (i + 1) },
  }));

  const chunks: string[] = [timelineHeader(hosts)];
  let connects = 0;
  let disconnects = 0;
  let sent = 0;
  let peak = 0;
  let last: TimelinePoint | null = null;
  for (let t = 1; t <= o.seconds; t++) {
    const storm = storms.find((s) => t >= s.t && t < s.t + 8);
    const dip = storm ? storm.affected * (1 - (t - storm.t) / 8) : 0;
    const ramping = t <= 10;
    const online = Math.round(ramping ? (devices * t) / 10 : devices - dip);
    const down = storm && t === storm.t ? storm.affected : t === o.spikeAt ? (o.spike ?? 0) : 0;
    const up = ramping ? devices / 10 : storm ? storm.affected / 8 : 0;
    const p50 = zeros();
    const p99 = zeros();
    p50.puback = 2 + Math.sin(t / 600);
    p99.puback = 6 + 3 * Math.sin(t / 900) + (t % 97 === 0 ? 20 : 0);
    if (up > 0) {
      p50.connect = 3;
      p99.connect = 12;
      p50.connack = 8;
      p99.connack = 30;
    }
    const point: TimelinePoint = {
      t,
      at: start + t * 1000,
      online,
      connecting: Math.round(up / 4),
      backoff: Math.round(dip / 2),
      connects: Math.round(up),
      disconnects: down,
      disconnectsByReason: down ? { [storm ? 'storm-close' : 'keepalive-timeout']: down } : {},
      sent: Math.round(online / 15),
      received: 0,
      bytesSent: Math.round((online / 15) * 60),
      writeQueueBytes: 0,
      inflight: 0,
      targetBufferedBytes: 0,
      p50,
      p99,
      hosts: Array.from({ length: hosts }, (_, h) => ({
        hostId: h,
        cpuPct: +(18 + 6 * Math.sin(t / 300 + h) + (storm ? 20 : 0)).toFixed(1),
        rssMB: Math.round(300 + h * 20 + t / 1000),
        loopLagP99Ms: +(1.5 + Math.abs(Math.sin(t / 120 + h))).toFixed(2),
      })),
    };
    connects += point.connects;
    disconnects += point.disconnects;
    sent += point.sent;
    peak = Math.max(peak, online);
    last = point;
    chunks.push(timelineRow(point, hosts));
  }
  writeFileSync(join(dir, 'timeline.csv'), chunks.join(''));

  const endedAt = new Date(start + o.seconds * 1000).toISOString();
  const reasons = o.reason ? { [o.reason]: 7 } : {};
  const latencyMs = Object.fromEntries(LATENCY_KINDS.map((k) => [k, lat(0, 0, 0)])) as Record<LatencyKind, LatencySummary>;
  latencyMs.connect = lat(3, 14, connects);
  latencyMs.connack = lat(8, 33, connects);
  latencyMs.puback = lat(2.1, 9.5, sent);
  const summary: RunSummary = {
    name: o.name,
    startedAt: new Date(start).toISOString(),
    endedAt,
    durationMs: o.seconds * 1000,
    endReason: 'duration',
    devices,
    online: last?.online ?? 0,
    peakOnline: peak,
    connectAttempts: connects + 7,
    connects,
    disconnects,
    reconnects: connects - devices,
    connectFailures: 7,
    gaveUp: 0,
    lost: 0,
    failures: { 'connect-timeout': 3, ...reasons },
    disconnectReasons: { 'storm-close': disconnects - (o.spike ?? 0), ...(o.spike ? { 'keepalive-timeout': o.spike } : {}), ...reasons },
    sent: { heartbeat: sent, status: 0, ping: 0 },
    received: 0,
    bytes: { sent: sent * 60, received: sent * 4 },
    latencyMs,
    storms,
    generatorSaturated: false,
    saturation: [],
    hosts: Array.from({ length: hosts }, (_, h) => ({ hostId: h, pid: 1000 + h, devices: devices / hosts, state: 'stopped' as const, rssMB: 320, peakRssMB: 400, cpuPct: 20, loopLagP99Ms: 2.4 })),
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));

  const events: FleetEvent[] = [
    { type: 'run-state', at: start, state: 'running' },
    ...storms.map((s): FleetEvent => ({ type: 'storm', at: s.at, storm: { ...s, outcome: 'recovering', recoveredAfterMs: null } })),
    ...(o.note ? [{ type: 'note', at: start + 500, message: o.note } as FleetEvent] : []),
    { type: 'run-state', at: start + o.seconds * 1000, state: 'stopped' },
  ];
  writeFileSync(join(dir, 'fleet-events.ndjson'), events.map((e) => JSON.stringify(e) + '\n').join(''));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ status: 'complete', startedAt: new Date(start).toISOString(), endedAt, pid: process.pid, hosts }, null, 2));
}
