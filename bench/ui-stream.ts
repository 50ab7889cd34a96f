// A synthetic 250k-device run for the UI benchmark (bench/ui.ts): what a fleet would push to the
// UI (snapshots, timeline points, events) and what it would answer (device pages, device logs,
// the recorded run), generated from the clock and the device index alone, so it costs the
// replay server little and is the same on every run. Many groups, every reason kind, storms,
// 10 hosts, and an hour of timeline before the stream starts.
import type { DevicePage, DeviceQuery, DeviceRow } from '../src/contract/fleet-api.ts';
import type { DeviceEvent, DeviceLog } from '../src/contract/device-log.ts';
import { CAUSE_KINDS, type DisconnectCause } from '../src/contract/disconnect-causes.ts';
import { COUNTERS, LATENCY_KINDS, type Counters, type DeviceState, type Gauges, type LatencyKind, type LatencySummary } from '../src/contract/metrics.ts';
import { PRESETS } from '../src/contract/presets.ts';
import type { Scenario, ScenarioInput } from '../src/contract/scenario.ts';
import type { FleetEvent, FleetSnapshot, GroupStats, HostStatus, RunSummary, TimelinePoint } from '../src/contract/snapshot.ts';
import type { StormAction, StormRecord } from '../src/contract/storm.ts';
import { validateScenario } from '../src/contract/validate.ts';

export const DISCONNECT_REASONS = ['abnormal-close', 'takeover', 'keepalive-timeout', 'ping-timeout', 'server-close', 'client-close', 'idle-timeout', 'tls-alert', 'storm-close', 'storm-reset', 'target-kick', 'unspecified-error'];
export const FAILURE_REASONS = ['connect-timeout', 'ECONNREFUSED', 'ECONNRESET', 'tls-alert', 'not-authorized', 'server-unavailable'];

export interface StreamShape {
  devices: number;
  groups: number;
  hosts: number;
  /** Seconds of run already behind the stream's start (the timeline status() restores). */
  historySec: number;
  /** A storm every this many seconds of run time. */
  stormEverySec: number;
}

export const DEFAULT_SHAPE: StreamShape = { devices: 250_000, groups: 25, hosts: 10, historySec: 3600, stormEverySec: 60 };

/** Deterministic noise in [0, 1) from integers. */
function noise(a: number, b = 0): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
  return ((h ^ (h >>> 15)) >>> 0) / 2 ** 32;
}

const STORM_ACTIONS: StormAction[] = [
  { action: 'drop', percent: 10, mode: 'close' },
  { action: 'drop', percent: 5, mode: 'destroy' },
  { action: 'blip', for: 5000 },
  { action: 'kill-host', host: 3, restart: true },
  { action: 'target-kick', percent: 20 },
  { action: 'target-pause', for: 3000 },
  { action: 'target-restart' },
  { action: 'drop', percent: 2, mode: 'half-open' },
];

function latency(scale: number, count: number): Record<LatencyKind, LatencySummary> {
  return Object.fromEntries(
    LATENCY_KINDS.map((k, i) => {
      const p50 = scale * (1 + i) * 2.1;
      return [k, { count, p50, p90: p50 * 2.2, p99: p50 * 5.3, max: p50 * 11 }];
    }),
  ) as Record<LatencyKind, LatencySummary>;
}

export class SyntheticRun {
  readonly scenario: Scenario;
  readonly source: ScenarioInput;
  readonly groupNames: string[];
  /** Wall-clock time (ms) the synthetic run started: `historySec` before the replay began. */
  readonly startedAt: number;
  private readonly perGroup: number;

  constructor(
    readonly shape: StreamShape = DEFAULT_SHAPE,
    now = Date.now(),
  ) {
    this.perGroup = Math.ceil(shape.devices / shape.groups);
    this.groupNames = Array.from({ length: shape.groups }, (_, g) => (g % 5 === 4 ? `ws-rooms-${g}` : `mqtt-sensors-${g}`));
    const [mqtt, ws] = PRESETS.demo.groups;
    this.source = {
      name: 'ui-bench-250k',
      duration: '4h',
      ramp: 2000,
      groups: this.groupNames.map((name, g) => ({ ...(g % 5 === 4 ? ws : mqtt), name, count: Math.min(this.perGroup, shape.devices - g * this.perGroup) })),
    };
    const v = validateScenario(this.source);
    if (!v.ok) throw new Error(`synthetic scenario: ${v.problems.join('; ')}`);
    this.scenario = v.scenario;
    this.startedAt = now - shape.historySec * 1000;
  }

  /** Run seconds at wall-clock `at`. */
  t(at: number): number {
    return (at - this.startedAt) / 1000;
  }

  /** Online devices at run second t: a ramp at 2,000/s, then a fleet that dips at every storm and recovers. */
  online(t: number): number {
    const n = this.shape.devices;
    const ramped = Math.min(n, t * 2000);
    const sinceStorm = t % this.shape.stormEverySec;
    const dip = t > n / 2000 && sinceStorm < 20 ? (0.1 * (20 - sinceStorm)) / 20 : 0;
    return Math.max(0, Math.round(ramped * (1 - dip) - 50 * noise(Math.floor(t), 1)));
  }

  private gauges(t: number, devices: number, salt: number): Gauges {
    const share = devices / this.shape.devices;
    const online = Math.round(this.online(t) * share);
    const connecting = Math.round(Math.min(devices - online, 200 * share + 400 * noise(Math.floor(t * 4), salt) * share));
    const backoff = Math.max(0, Math.round((devices - online - connecting) * 0.8));
    const idle = Math.max(0, devices - online - connecting - backoff);
    return { idle, connecting, online, backoff, stopped: 0, failed: Math.round(3 * share), lost: 0 };
  }

  private reasons(names: string[], t: number, scale: number, salt: number): Record<string, number> {
    return Object.fromEntries(names.map((r, i) => [r, Math.round(scale * t * (0.2 + noise(i, salt)))]));
  }

  private storms(t: number): StormRecord[] {
    const out: StormRecord[] = [];
    const every = this.shape.stormEverySec;
    for (let k = 1; k * every <= t; k++) {
      const st = k * every;
      const since = t - st;
      const action = STORM_ACTIONS[k % STORM_ACTIONS.length];
      const recovered = since >= 25;
      out.push({
        id: k,
        label: `storm ${k}`,
        action,
        at: this.startedAt + st * 1000,
        t: st,
        affected: 12_000 + (k % 7) * 1000,
        onlineBefore: this.online(st - 1),
        minOnline: this.online(st + 1),
        recoveredAfterMs: recovered ? 21_000 + (k % 5) * 700 : null,
        outcome: recovered ? (k % 9 === 0 ? 'not-recovered' : 'recovered') : 'recovering',
        reconnectAttempts: 14_000 + k * 13,
        peakConnectsPerSec: 2000,
        connackP99Ms: 40 + (k % 11),
        connectP99Ms: 80 + (k % 13),
        failures: { 'connect-timeout': 10 + k, ECONNRESET: k },
        disconnects: { 'storm-close': 10_000 + k, 'abnormal-close': 200 + k },
      });
    }
    return out;
  }

  private hosts(t: number): HostStatus[] {
    return Array.from({ length: this.shape.hosts }, (_, h) => ({
      hostId: h,
      pid: 40_000 + h,
      state: 'running',
      devices: Math.round(this.shape.devices / this.shape.hosts),
      cpuPct: Math.round(300 + 400 * noise(Math.floor(t * 4), h)) / 10,
      rssMB: 900 + h * 7 + Math.round(20 * noise(Math.floor(t), h + 100)),
      loopLagP99Ms: Math.round(50 + 150 * noise(Math.floor(t * 4), h + 200)) / 10,
    }));
  }

  private causes(t: number): DisconnectCause[] {
    return CAUSE_KINDS.map((kind, i) => ({
      kind,
      count: Math.round(t * (3 + i)),
      reason: DISCONNECT_REASONS[i],
      phase: i === 5 ? 'connect' : 'disconnect',
      text: `${kind}: ${Math.round(t * (3 + i))} connections dropped after a quiet spell; raise the broker's limit or send more often`,
      ...(i < 3 ? { stat: { measure: 'sinceRx' as const, meanMs: 30_000 + i * 1000, spreadMs: 400 } } : {}),
    }));
  }

  private counters(t: number, share: number): Counters {
    const c = Object.fromEntries(COUNTERS.map((k, i) => [k, Math.round(share * t * (50 + i * 17))])) as Counters;
    c.connects = Math.round(share * (this.shape.devices + t * 120));
    c.connectAttempts = Math.round(c.connects * 1.01);
    return c;
  }

  private groupStats(t: number): Record<string, GroupStats> {
    const share = 1 / this.shape.groups;
    return Object.fromEntries(
      this.groupNames.map((name, g) => {
        const c = this.counters(t, share);
        const gauges = this.gauges(t, this.perGroup, g);
        return [
          name,
          {
            devices: this.perGroup,
            online: gauges.online,
            connectAttempts: c.connectAttempts,
            connects: c.connects,
            connectFailures: c.connectFailures,
            disconnects: c.disconnects,
            disconnectReasons: this.reasons(DISCONNECT_REASONS.slice(0, 4 + (g % 8)), t, share, g),
            sent: c.sentHeartbeat + c.sentStatus,
            received: c.received,
            sentPerSec: Math.round(600 + 100 * noise(Math.floor(t * 4), g)),
            receivedPerSec: Math.round(500 + 100 * noise(Math.floor(t * 4), g + 50)),
            latency: latency(1 + noise(Math.floor(t), g), c.connects),
          },
        ];
      }),
    );
  }

  /** The snapshot at wall-clock `at` (the UI gets four a second). */
  snapshot(at: number): FleetSnapshot {
    const t = this.t(at);
    const slot = Math.floor(t * 4);
    return {
      at,
      elapsedMs: Math.round(t * 1000),
      durationMs: 4 * 3600_000,
      state: 'running',
      devices: this.shape.devices,
      gauges: this.gauges(t, this.shape.devices, 0),
      groups: Object.fromEntries(this.groupNames.map((name, g) => [name, this.gauges(t, this.perGroup, g)])),
      groupStats: this.groupStats(t),
      totals: this.counters(t, 1),
      rates: {
        connectsPerSec: Math.round(120 + 2000 * noise(slot, 3) * (t % this.shape.stormEverySec < 20 ? 1 : 0.05)),
        disconnectsPerSec: Math.round(100 * noise(slot, 4)),
        sentPerSec: Math.round(16_000 + 1000 * noise(slot, 5)),
        receivedPerSec: Math.round(15_000 + 1000 * noise(slot, 6)),
        bytesSentPerSec: Math.round(2_400_000 + 100_000 * noise(slot, 7)),
      },
      disconnectReasons: this.reasons(DISCONNECT_REASONS, t, 1, 11),
      failureReasons: this.reasons(FAILURE_REASONS, t, 0.3, 12),
      disconnectCauses: this.causes(t),
      latency: latency(1 + noise(slot, 8), Math.round(t * 4000)),
      hosts: this.hosts(t),
      storms: this.storms(t),
      saturation: [{ hostId: 7, firstAt: this.startedAt + 612_000, t: 612, seconds: 14, worstLoopLagP99Ms: 71, worstCpuPct: 96 }],
      target: {
        mqttClients: Math.round(this.online(t) * 0.8),
        wsClients: Math.round(this.online(t) * 0.2),
        rooms: 2500,
        refusedByRate: Math.round(t * 2),
        mqttPublishesIn: Math.round(t * 16_000),
        roomFramesIn: Math.round(t * 3000),
        roomFramesOut: Math.round(t * 60_000),
        bufferedBytes: Math.round(4_000_000 * noise(slot, 9)),
        maxClientBufferedBytes: Math.round(90_000 * noise(slot, 10)),
        slowClients: Math.round(30 * noise(slot, 13)),
        droppedSlowClients: Math.round(t / 30),
        shedByOverload: 0,
        overloadedSeconds: 0,
      },
      backpressure: { writeQueueBytes: Math.round(2_000_000 * noise(slot, 14)), maxWriteQueueBytes: 70_000, inflight: Math.round(4000 * noise(slot, 15)), heldBack: Math.round(t), slowReaders: 0 },
      ramp: { mode: 'fixed', rate: 2000, reason: 'scenario ramp', changedAt: this.startedAt, paused: false },
    };
  }

  /** The timeline point of run second `t` (a whole number). */
  point(t: number): TimelinePoint {
    const p = (salt: number, scale: number) => Object.fromEntries(LATENCY_KINDS.map((k, i) => [k, Math.round(scale * (1 + i) * (1 + noise(t, salt + i)) * 100) / 100])) as Record<LatencyKind, number>;
    const stormSecond = t % this.shape.stormEverySec < 3;
    const byReason: Record<string, number> = {};
    DISCONNECT_REASONS.forEach((r, i) => {
      const n = Math.round((stormSecond ? 3000 : 4) * noise(t, 40 + i) * (i % 3 === 0 ? 1 : 0.3));
      if (n > 0) byReason[r] = n;
    });
    const online = this.online(t);
    return {
      t,
      at: this.startedAt + t * 1000,
      online,
      connecting: Math.round(300 * noise(t, 20)),
      backoff: Math.round((this.shape.devices - online) * 0.8),
      connects: Math.round(stormSecond ? 2000 : 120 * noise(t, 21)),
      disconnects: Object.values(byReason).reduce((a, b) => a + b, 0),
      sent: Math.round(16_000 + 1000 * noise(t, 22)),
      received: Math.round(15_000 + 1000 * noise(t, 23)),
      bytesSent: Math.round(2_400_000 + 100_000 * noise(t, 24)),
      targetBufferedBytes: Math.round(4_000_000 * noise(t, 25)),
      writeQueueBytes: Math.round(2_000_000 * noise(t, 26)),
      inflight: Math.round(4000 * noise(t, 27)),
      disconnectsByReason: byReason,
      p50: p(60, 2),
      p99: p(70, 11),
      hosts: this.hosts(t).map((h) => ({ hostId: h.hostId, cpuPct: h.cpuPct, rssMB: h.rssMB, loopLagP99Ms: h.loopLagP99Ms })),
      connectRate: 2000,
      targetMaxClientBufferedBytes: Math.round(90_000 * noise(t, 28)),
      targetSlowClients: Math.round(30 * noise(t, 29)),
      targetDropped: stormSecond ? 12 : 0,
      targetRefused: 0,
      targetShed: 0,
    };
  }

  /** Points for run seconds [from, to). */
  points(from: number, to: number): TimelinePoint[] {
    const out: TimelinePoint[] = [];
    for (let t = Math.max(0, from); t < to; t++) out.push(this.point(t));
    return out;
  }

  /** The notable events of run second `t`: a storm and its recovery, ramp notes, a saturated host now and then. */
  events(t: number): FleetEvent[] {
    const at = this.startedAt + t * 1000;
    const out: FleetEvent[] = [];
    const every = this.shape.stormEverySec;
    if (t % every === 0 && t > 0) out.push({ type: 'storm', at, storm: this.storms(t).at(-1)! });
    if (t % every === 25 && t > every) out.push({ type: 'storm', at, storm: this.storms(t).at(-1)! });
    if (t % 5 === 0) out.push({ type: 'ramp', at, rate: 2000, paused: t % 20 === 0, reason: t % 20 === 0 ? 'generator host 7 saturated' : 'resumed' });
    if (t % 47 === 0) out.push({ type: 'generator-saturated', at, record: { hostId: t % this.shape.hosts, firstAt: at, t, seconds: 3, worstLoopLagP99Ms: 64, worstCpuPct: 93 } });
    if (t % 13 === 0) out.push({ type: 'note', at, message: `checkpoint at ${t} s` });
    return out;
  }

  private deviceAt(index: number, t: number, stopped: boolean): DeviceRow {
    const g = Math.floor(index / this.perGroup);
    const group = this.groupNames[g];
    const r = noise(index, Math.floor(t / 10));
    const state: DeviceState = stopped ? 'stopped' : r < 0.94 ? 'online' : r < 0.96 ? 'connecting' : r < 0.995 ? 'backoff' : 'failed';
    const disconnects = Math.floor(noise(index, 3) * 6);
    return {
      id: `${group}-${String(index % this.perGroup).padStart(6, '0')}`,
      group,
      index: index % this.perGroup,
      hostId: index % this.shape.hosts,
      state,
      connects: disconnects + 1,
      disconnects,
      ...(disconnects ? { lastReason: DISCONNECT_REASONS[index % DISCONNECT_REASONS.length] } : {}),
      sent: Math.round(t / 15) + (index % 7),
      received: Math.round(t / 60),
      writeQueueBytes: state === 'online' ? Math.round(300 * noise(index, 9)) : 0,
      inflight: state === 'online' ? index % 3 : 0,
    };
  }

  /** One page of devices under the query's filters, as the fleet's devices() answers. */
  devicePage(q: DeviceQuery, at: number, stopped = false): DevicePage {
    const t = this.t(at);
    const n = this.shape.devices;
    if (!q.group && !q.state && !q.search) {
      const rows: DeviceRow[] = [];
      for (let i = q.offset; i < Math.min(n, q.offset + q.limit); i++) rows.push(this.deviceAt(i, t, stopped));
      return { total: n, offset: q.offset, rows };
    }
    let total = 0;
    const rows: DeviceRow[] = [];
    const first = q.group ? this.groupNames.indexOf(q.group) * this.perGroup : 0;
    const end = q.group ? Math.min(n, first + this.perGroup) : n;
    if (first < 0) return { total: 0, offset: q.offset, rows };
    for (let i = first; i < end; i++) {
      const row = this.deviceAt(i, t, stopped);
      if (q.state && row.state !== q.state) continue;
      if (q.search && !row.id.includes(q.search)) continue;
      if (total >= q.offset && rows.length < q.limit) rows.push(row);
      total++;
    }
    return { total, offset: q.offset, rows };
  }

  /** A device's log: its row and its last events (a few hundred, as a host's ring keeps). */
  deviceLog(id: string, at: number, stopped = false): DeviceLog | null {
    const m = /^(.*)-(\d{6})$/.exec(id);
    const g = m ? this.groupNames.indexOf(m[1]) : -1;
    if (!m || g < 0) return null;
    const index = g * this.perGroup + Number(m[2]);
    if (index >= this.shape.devices) return null;
    const row = this.deviceAt(index, this.t(at), stopped);
    const kinds: DeviceEvent['kind'][] = ['connecting', 'connected', 'online', 'subscribed', 'disconnected', 'backoff'];
    const events: DeviceEvent[] = Array.from({ length: 200 }, (_, i) => ({
      t: at - (200 - i) * 1500,
      kind: kinds[i % kinds.length],
      ...(i % kinds.length === 4 ? { detail: DISCONNECT_REASONS[(index + i) % DISCONNECT_REASONS.length] } : {}),
    }));
    return { device: { ...row, bytesSent: row.sent * 48, bytesReceived: row.received * 520 }, events };
  }

  /** The run's summary as recorded at run second `t`. */
  summary(t: number): RunSummary {
    const s = this.snapshot(this.startedAt + t * 1000);
    return {
      name: this.scenario.name,
      startedAt: new Date(this.startedAt).toISOString(),
      endedAt: new Date(this.startedAt + t * 1000).toISOString(),
      durationMs: t * 1000,
      endReason: 'duration',
      devices: this.shape.devices,
      online: s.gauges.online,
      peakOnline: this.shape.devices,
      connectAttempts: s.totals.connectAttempts,
      connects: s.totals.connects,
      disconnects: s.totals.disconnects,
      reconnects: s.totals.reconnects,
      connectFailures: s.totals.connectFailures,
      gaveUp: 0,
      lost: 0,
      failures: s.failureReasons,
      disconnectReasons: s.disconnectReasons,
      disconnectCauses: s.disconnectCauses,
      sent: { heartbeat: s.totals.sentHeartbeat, status: s.totals.sentStatus, ping: s.totals.sentPing },
      received: s.totals.received,
      bytes: { sent: s.totals.bytesSent, received: s.totals.bytesReceived },
      latencyMs: s.latency,
      groups: s.groupStats,
      storms: s.storms,
      generatorSaturated: true,
      saturation: s.saturation,
      ramp: { mode: 'fixed', changes: 0, minRate: 2000, maxRate: 2000, finalRate: 2000, pauses: 3, pausedSeconds: 14 },
      hosts: s.hosts.map((h) => ({ hostId: h.hostId, pid: h.pid, devices: h.devices, state: 'stopped', rssMB: h.rssMB, peakRssMB: h.rssMB + 40, cpuPct: h.cpuPct, loopLagP99Ms: h.loopLagP99Ms })),
    };
  }
}

