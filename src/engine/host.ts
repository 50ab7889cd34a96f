// A device host: runs one shard of the fleet. Builds the devices, drives them from one timing
// wheel and one connect gate, and sends a MetricsBatch every batch interval. Independent of
// how it talks to the controller, so it runs the same in a child process and in tests.
import type { DeviceLog } from '../contract/device-log.ts';
import type { DeviceFilter, HostCommand, HostEvent, HostInit, HostStorm } from '../contract/host-protocol.ts';
import type { BackpressureGauges } from '../contract/metrics.ts';
import type { DeviceGroup, GroupTimers, Scenario } from '../contract/scenario.ts';
import type { ProtocolAdapter } from './adapters/adapter.ts';
import { LeanMqttAdapter } from './adapters/lean-mqtt-adapter.ts';
import { loadMqttJs, MqttAdapter } from './adapters/mqtt-adapter.ts';
import { WsAdapter } from './adapters/ws-adapter.ts';
import { ConnectGate } from './connect-gate.ts';
import { Device } from './device.ts';
import type { GroupRuntime } from './group-runtime.ts';
import { EventLogWriter } from './event-log-writer.ts';
import { HostHealthSampler } from './host-health.ts';
import { writeDevicesPart } from '../runs/devices-csv.ts';
import { ringCapacity } from './device-log-ring.ts';
import { MetricsRecorder } from './metrics-recorder.ts';
import { TimingWheel } from './timing-wheel.ts';

/** How long a graceful stop may take before remaining connections are torn down. */
const GRACEFUL_STOP_MS = 3000;
const BACKPRESSURE_SAMPLE_MS = 1000;

/** Loads what the scenario's groups need and a host does not load up front (MQTT.js). */
export async function loadProtocolLibraries(scenario: Scenario): Promise<void> {
  if (scenario.groups.some((g) => g.protocol === 'mqtt' && g.mqtt.client === 'mqtt.js')) await loadMqttJs();
}

function adapterFor(group: DeviceGroup, wheel: TimingWheel): ProtocolAdapter {
  if (group.protocol === 'ws') return new WsAdapter(group);
  return group.mqtt.client === 'mqtt.js' ? new MqttAdapter(group, wheel) : new LeanMqttAdapter(group, wheel);
}

export class DeviceHost {
  private readonly wheel = new TimingWheel(50);
  private readonly gate: ConnectGate;
  /** The shared gate first, then one per group that has a ramp of its own. */
  private readonly gates: ConnectGate[] = [];
  private paused = false;
  private readonly metrics: MetricsRecorder;
  private readonly health = new HostHealthSampler(this.wheel.lateness);
  private readonly eventLog: EventLogWriter | null;
  private readonly runtimes: GroupRuntime[] = [];
  /** Per scenario group index: the first index this host owns and its devices. */
  private readonly byGroup = new Map<number, { first: number; devices: Device[] }>();
  private readonly devices: Device[] = [];
  /** Online devices with a read limit: the only ones visited on every wheel tick. */
  private readonly slowReaders = new Set<Device>();
  private readonly active = new Set<Device>();
  private batchTimer: NodeJS.Timeout | null = null;
  private seq = 0;
  private lastCutAt = Date.now();
  private lastSample: { at: number; gauges: Omit<BackpressureGauges, 'heldBack'> } | null = null;
  private running = 0;
  private stopping: Promise<void> | null = null;
  private onAllStopped: (() => void) | null = null;
  /** Devices in the order they make their first connect, and how many have been let go. */
  private firstConnects: Device[] = [];
  private started = 0;
  private admitLimit: number;

  constructor(
    private readonly init: HostInit,
    private readonly emit: (event: HostEvent) => void,
  ) {
    const groups = init.scenario.groups;
    this.gate = new ConnectGate(init.connectRate);
    this.gates.push(this.gate);
    this.metrics = new MetricsRecorder(groups.map((g) => g.name));
    this.eventLog = init.record ? new EventLogWriter(init.record.dir, init.hostId, init.record.eventLogMaxBytes) : null;
    for (const shard of init.shards) {
      const group = groups[shard.group];
      const rt = this.runtimeFor(shard.group, group);
      const devices: Device[] = [];
      for (let i = 0; i < shard.count; i++) devices.push(new Device(rt, shard.first + i));
      this.byGroup.set(shard.group, { first: shard.first, devices });
      this.devices.push(...devices);
    }
    this.running = this.devices.length;
    this.admitLimit = init.admitLimit ?? this.devices.length;
  }

  private gateFor(groupIndex: number): ConnectGate {
    const own = this.init.groupRates?.[groupIndex];
    if (own === undefined) return this.gate;
    const gate = new ConnectGate(own);
    gate.setPaused(this.paused);
    this.gates.push(gate);
    return gate;
  }

  private runtimeFor(groupIndex: number, group: DeviceGroup): GroupRuntime {
    const rt: GroupRuntime = {
      group,
      hostId: this.init.hostId,
      wheel: this.wheel,
      gate: this.gateFor(groupIndex),
      metrics: this.metrics.forGroup(group.name),
      adapter: adapterFor(group, this.wheel),
      logRing: ringCapacity(this.init.scenario.logRing, this.init.shards.reduce((n, s) => n + s.count, 0)),
      eventLog: this.eventLog,
      slowReaders: this.slowReaders,
      active: this.active,
      deviceStopped: () => {
        if (--this.running === 0) this.onAllStopped?.();
      },
    };
    this.runtimes[groupIndex] = rt;
    return rt;
  }

  get deviceCount(): number {
    return this.devices.length;
  }

  start(): void {
    this.wheel.onTick((now) => {
      for (const gate of this.gates) gate.pump(now);
      for (const d of this.slowReaders) d.pumpReads(now);
    });
    this.wheel.start();
    // Interleave groups by relative position so every group ramps up at the same pace.
    const order = [...this.byGroup.values()].flatMap(({ devices }) => devices.map((d, i) => ({ d, at: i / devices.length })));
    order.sort((a, b) => a.at - b.at);
    this.firstConnects = order.map(({ d }) => d);
    this.startUpToLimit();
    this.batchTimer = setInterval(() => this.sendBatch(), this.init.batchIntervalMs);
  }

  /** First connects beyond the admit limit wait here, outside the gate; reconnects never do. */
  private startUpToLimit(): void {
    const until = Math.min(this.admitLimit, this.firstConnects.length);
    while (this.started < until && !this.stopping) this.firstConnects[this.started++].start();
  }

  handle(cmd: HostCommand): void {
    switch (cmd.type) {
      case 'set-rate':
        this.gate.setRate(cmd.connectRate);
        break;
      case 'set-admit-limit':
        this.admitLimit = cmd.limit;
        this.startUpToLimit();
        break;
      case 'set-paused':
        this.paused = cmd.paused;
        for (const gate of this.gates) gate.setPaused(cmd.paused);
        break;
      case 'set-timers':
        this.setTimers(cmd.group, cmd.timers);
        break;
      case 'device-log':
        this.emit({ type: 'device-log', reqId: cmd.reqId, log: this.deviceLog(cmd.group, cmd.index) });
        break;
      case 'count-devices':
        this.emit({ type: 'device-counts', reqId: cmd.reqId, counts: this.init.scenario.groups.map((_, g) => this.matching(g, cmd.filter).length) });
        break;
      case 'list-devices':
        this.emit({ type: 'device-rows', reqId: cmd.reqId, rows: this.matching(cmd.group, cmd.filter).slice(cmd.skip, cmd.skip + cmd.take).map((d) => d.row()) });
        break;
      case 'storm':
        this.emit({ type: 'storm-done', reqId: cmd.reqId, affected: this.storm(cmd.storm) });
        break;
      case 'stop':
        void this.stop();
        break;
      case 'init':
      case 'start':
        break;
    }
  }

  deviceLog(group: number, index: number): DeviceLog | null {
    const shard = this.byGroup.get(group);
    const device = shard?.devices[index - shard.first];
    return device ? device.describe() : null;
  }

  /** Applies a storm to a random share (drop) or all (blip) of the online devices in scope. */
  private storm(storm: HostStorm): number {
    if (this.stopping) return 0;
    const online = this.devices.filter((d) => d.state === 'online' && (!storm.group || d.group.name === storm.group));
    if (storm.kind === 'blip') return online.filter((d) => d.blip(storm.ms)).length;
    const k = Math.round((online.length * storm.percent) / 100);
    // Partial Fisher–Yates: the first k entries become a uniform random sample.
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(Math.random() * (online.length - i));
      [online[i], online[j]] = [online[j], online[i]];
    }
    return online.slice(0, k).filter((d) => d.drop(storm.mode)).length;
  }

  private matching(group: number, filter: DeviceFilter): Device[] {
    const devices = this.byGroup.get(group)?.devices ?? [];
    if (!filter.state && !filter.search) return devices;
    return devices.filter((d) => (!filter.state || d.state === filter.state) && (!filter.search || d.id.includes(filter.search)));
  }

  private setTimers(groupName: string, timers: GroupTimers): void {
    const groupIndex = this.runtimes.findIndex((rt) => rt?.group.name === groupName);
    if (groupIndex < 0) return;
    const rt = this.runtimes[groupIndex];
    rt.group.timers = timers;
    rt.adapter.refresh();
    for (const d of this.byGroup.get(groupIndex)?.devices ?? []) d.retime();
  }

  /** Closes every connection (gracefully, then forcibly), sends the last batch and `stopped`. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const gate of this.gates) gate.clear();
      const allStopped = new Promise<void>((resolve) => {
        this.onAllStopped = resolve;
        if (this.running === 0) resolve();
      });
      for (const d of this.devices) d.stop();
      const graceful = await Promise.race([allStopped.then(() => true), sleep(GRACEFUL_STOP_MS).then(() => false)]);
      if (!graceful) {
        for (const d of this.devices) d.destroy();
        await Promise.race([allStopped, sleep(1000)]);
      }
      if (this.batchTimer) clearInterval(this.batchTimer);
      this.wheel.stop();
      this.sendBatch();
      await this.eventLog?.close();
      this.writeDeviceRows();
      this.emit({ type: 'stopped', hostId: this.init.hostId });
    })();
    return this.stopping;
  }

  /**
   * The controller is gone (the app was killed): keep what the record needs before exiting,
   * the buffered events and every device's row as it stands.
   */
  saveRecordNow(): void {
    this.eventLog?.closeNow();
    this.writeDeviceRows();
  }

  private writeDeviceRows(): void {
    if (!this.init.record) return;
    try {
      writeDevicesPart(this.init.record.dir, this.init.hostId, this.devices.map((d) => d.summary()));
    } catch {
      // The run directory is gone or full: the controller notes the missing rows when it merges.
    }
  }

  private sendBatch(): void {
    this.eventLog?.flush();
    const now = Date.now();
    this.emit({
      type: 'batch',
      batch: {
        hostId: this.init.hostId,
        seq: this.seq++,
        at: now,
        intervalMs: now - this.lastCutAt,
        ...this.metrics.cut(),
        health: this.health.sample(this.devices.length, this.wheel.size),
        backpressure: this.metrics.cutBackpressure(this.sampleBackpressure()),
      },
    });
    this.lastCutAt = now;
  }

  /**
   * Write queues and unacknowledged publishes of the online devices, read off their sockets at
   * most once a second (batches in between repeat the last sample). Only devices active since
   * the last sample are visited; one that is found idle (nothing queued, nothing unacknowledged)
   * leaves the set until it sends or receives again. Walking all of them cost ~2 ms per 19k devices.
   */
  private sampleBackpressure(): Omit<BackpressureGauges, 'heldBack'> {
    const now = performance.now();
    if (this.lastSample && now - this.lastSample.at < BACKPRESSURE_SAMPLE_MS) return { ...this.lastSample.gauges, slowReaders: this.slowReaders.size };
    let writeQueueBytes = 0;
    let maxWriteQueueBytes = 0;
    let inflight = 0;
    for (const d of this.active) {
      const queued = d.writeQueueBytes();
      const unacked = d.inflight();
      if (queued === 0 && unacked === 0) this.active.delete(d);
      writeQueueBytes += queued;
      if (queued > maxWriteQueueBytes) maxWriteQueueBytes = queued;
      inflight += unacked;
    }
    const gauges = { writeQueueBytes, maxWriteQueueBytes, inflight, slowReaders: this.slowReaders.size };
    this.lastSample = { at: now, gauges };
    return gauges;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
