// The fleet controller: starts the embedded target and the device hosts, shards devices over
// them, merges their batches into snapshots and a timeline, routes device-log queries, and
// stops everything cleanly. The CLI and the desktop app both drive a run through this class.
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { DeviceLog } from '../contract/device-log.ts';
import type { HostCommand, HostEvent, HostInit, Shard } from '../contract/host-protocol.ts';
import type { GroupTimers, Scenario } from '../contract/scenario.ts';
import type { FleetEvent, FleetSnapshot, HostStatus, RunState, RunSummary, SecondHistograms, TimelinePoint } from '../contract/snapshot.ts';
import type { DevicePage, DeviceQuery } from '../contract/fleet-api.ts';
import { readFdLimit } from '../shared/fd-limit.ts';
import type { RunningTarget } from './embedded-target-shards.ts';
import { ChildProcessLauncher, type Launcher } from './launcher.ts';
import { MetricsMerger } from './metrics-merger.ts';
import { pageDevices } from './device-pages.ts';
import { hostStatus, type HostSlot } from './host-slot.ts';
import { findDevice, hostRates, ownerOf, planHosts, shardDeviceCount, shardGroups } from './sharding.ts';
import type { DistributedRun } from '../contract/fleet-shard.ts';
import { scheduleRun, StartWait } from './run-schedule.ts';
import { HostRequests } from './host-requests.ts';
import { prepareRun } from './run-preparation.ts';
import { buildSummary } from './summary.ts';
import { StormRunner } from './storm-runner.ts';
import { SaturationWatch } from './saturation.ts';
import { RampKeeper } from './ramp-keeper.ts';
import type { StormAction, StormRecord } from '../contract/storm.ts';
import type { MetricsBatch } from '../contract/metrics.ts';
import type { CapacityResult } from '../contract/capacity.ts';
import { AdmitLimit } from './capacity/admit-limit.ts';
import { droppedStillOnline, markTargetDrops } from './target-drops.ts';
import type { TargetDrop } from '../contract/backpressure.ts';

export interface ControllerOptions {
  launcher?: Launcher;
  /** Cores to size `hosts: auto` by; defaults to this machine's. */
  cores?: number;
  batchIntervalMs?: number;
  snapshotIntervalMs?: number;
  /** The run is recorded: hosts keep their event logs and device rows in this run directory. */
  record?: HostInit['record'];
  /** One shard of a fleet run over many machines: this process runs only its slice of every group. */
  distributed?: DistributedRun;
  /** Capacity search: devices let make their first connect at the start (default: all); see setAdmitLimit. */
  admitLimit?: number;
}

export class StartError extends Error {}

const HOST_READY_TIMEOUT_MS = 15_000;
const HOST_STOP_TIMEOUT_MS = 8_000;

export class FleetController extends EventEmitter<{ snapshot: [FleetSnapshot]; timeline: [TimelinePoint]; histograms: [SecondHistograms]; event: [FleetEvent]; ended: [RunSummary]; batch: [MetricsBatch] }> {
  readonly scenario: Scenario;
  private readonly launcher: Launcher;
  private readonly opts: Required<Omit<ControllerOptions, 'launcher' | 'record' | 'distributed' | 'admitLimit'>>;
  private readonly admitLimit: AdmitLimit;
  private capacity: CapacityResult | undefined;
  readonly distributed: DistributedRun | undefined;
  private readonly record: HostInit['record'];
  private hosts: HostSlot[] = [];
  private shards: Shard[][] = [];
  private target: RunningTarget | null = null;
  private merger: MetricsMerger;
  private state: RunState = 'starting';
  private startedAt = Date.now();
  private endedAt = 0;
  private timers: NodeJS.Timeout[] = [];
  private readonly requests = new HostRequests();
  private stopping: Promise<RunSummary> | null = null;
  private starting: Promise<void> | null = null;
  private onlineAtEnd = 0;
  /** A start waiting for the shared start time; stop() cuts it short. */
  private readonly startWait = new StartWait();
  private readonly storms = new StormRunner({
    startedAt: () => this.startedAt,
    online: () => this.merger.gauges().online,
    totals: () => this.merger.totals,
    onHosts: async (storm) => {
      const answers = await Promise.all(this.hosts.map((slot) => this.requests.ask(slot, (reqId) => ({ type: 'storm', reqId, storm }))));
      return answers.reduce((n, a) => n + (a?.type === 'storm-done' ? a.affected : 0), 0);
    },
    onTarget: async (fault) => {
      if (!this.target) throw new Error('the run has no embedded target');
      return (await this.target.fault(fault)).affected;
    },
    killHost: (hostId, restart) => this.killHost(hostId, restart),
    emit: (e) => this.emitEvent(e),
  });
  private readonly saturation = new SaturationWatch(() => this.startedAt);
  private fleetRamp = 0;
  private readonly ramp: RampKeeper;
  private endReason: RunSummary['endReason'] = 'stopped';
  private resolvedScenario: Scenario;
  /** Resolves with the summary once the run has ended, however it ended. */
  readonly done: Promise<RunSummary>;
  private resolveDone!: (s: RunSummary) => void;

  constructor(scenario: Scenario, options: ControllerOptions = {}) {
    super();
    this.scenario = scenario;
    this.resolvedScenario = scenario;
    this.fleetRamp = scenario.ramp;
    const setPaused = (paused: boolean) => this.hosts.forEach((h) => h.handle.send({ type: 'set-paused', paused }));
    this.ramp = new RampKeeper(scenario, { setRate: (rate) => this.setRamp(rate), setPaused, emit: (e) => this.emitEvent(e), shards: () => this.shards.flat() });
    this.launcher = options.launcher ?? new ChildProcessLauncher();
    this.record = options.record;
    this.distributed = options.distributed;
    this.admitLimit = new AdmitLimit(options.admitLimit);
    this.opts = {
      cores: options.cores ?? availableParallelism(),
      batchIntervalMs: options.batchIntervalMs ?? 250,
      snapshotIntervalMs: options.snapshotIntervalMs ?? 250,
    };
    this.merger = new MetricsMerger(this.startedAt);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** Devices this process runs (a shard runs its slice of the fleet). */
  get deviceCount(): number {
    return shardDeviceCount(this.scenario, this.distributed?.shard);
  }

  /** Starts the target (if embedded) and all hosts; rejects with a StartError saying why not. */
  start(): Promise<void> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    try {
      const fleetShard = this.distributed?.shard;
      const onTargetLost = (reason: string) => this.emitEvent({ type: 'target-lost', at: Date.now(), reason });
      ({ scenario: this.resolvedScenario, target: this.target } = await prepareRun(this.scenario, { launcher: this.launcher, cores: this.opts.cores, fleetShard, note: this.note, onTargetLost }));
      const plan = planHosts({ totalDevices: this.deviceCount, requested: this.scenario.hosts, cores: this.opts.cores, fdLimit: readFdLimit()?.soft ?? null });
      this.shards = shardGroups(this.scenario, plan.hosts, fleetShard);
      await Promise.all(this.shards.map((shards, hostId) => this.launchHost(hostId, shards)));
      const overBudget = this.hosts.find((h) => h.devices > plan.perHostCapacity);
      if (overBudget) {
        throw new StartError(`host ${overBudget.hostId} would hold ${overBudget.devices} devices but a process may open only ${plan.perHostCapacity}; use more hosts`);
      }
    } catch (err) {
      await this.teardown();
      this.setState('failed', (err as Error).message);
      throw err instanceof StartError ? err : new StartError((err as Error).message);
    }
    // Stopped while starting: leave the hosts idle; stop() tears them down once start settles.
    if (this.stopping) return;
    const startAt = this.distributed?.startAt;
    if (startAt !== undefined) await this.startWait.untilShared(startAt, this.note);
    if (this.stopping) return;
    // Shards given a start time keep it even when late, so their timelines and storms stay on the fleet's clock.
    this.startedAt = startAt ?? Date.now();
    this.merger = new MetricsMerger(this.startedAt);
    this.ramp.started(this.startedAt);
    for (const h of this.hosts) {
      h.state = 'running';
      h.handle.send({ type: 'start' });
    }
    this.setState('running');
    const snapshot = () => {
      const snap = this.snapshot();
      this.storms.observe(snap);
      this.emit('snapshot', snap);
    };
    scheduleRun({ scenario: this.scenario, startedAt: this.startedAt, snapshot, snapshotIntervalMs: this.opts.snapshotIntervalMs, storm: (a) => void this.storm(a).catch(() => {}), tick: () => this.closeSecond(), end: () => void this.stop('duration'), note: this.note }, this.timers);
  }

  private launchHost(hostId: number, shards: Shard[]): Promise<void> {
    const handle = this.launcher.launch<HostCommand, HostEvent>('host', `host-${hostId}`);
    const devices = shards.reduce((n, s) => n + s.count, 0);
    let markExited!: () => void;
    const slot: HostSlot = { hostId, handle, shards, devices, state: 'starting', pid: handle.pid ?? null, exited: new Promise((r) => (markExited = r)) };
    this.hosts[hostId] = slot;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StartError(`host ${hostId} did not start within 15 s`)), HOST_READY_TIMEOUT_MS);
      handle.onMessage((event) => {
        if (event.type === 'ready') {
          clearTimeout(timer);
          slot.pid = event.pid;
          resolve();
        } else if (event.type === 'fatal' && slot.state === 'starting') {
          clearTimeout(timer);
          reject(new StartError(`host ${hostId}: ${event.message}`));
        }
        this.onHostEvent(slot, event);
      });
      handle.onExit((code, signal) => {
        clearTimeout(timer);
        markExited();
        if (slot.state === 'starting') reject(new StartError(`host ${hostId} exited during start (${signal ?? `code ${code}`})`));
        else if (slot.state !== 'stopped' && slot.state !== 'stopping') this.hostLost(slot, signal ? `killed by ${signal}` : `exited with code ${code}`);
        else slot.state = 'stopped';
      });
      handle.send({ type: 'init', init: { hostId, scenario: this.resolvedScenario, shards, ...hostRates(this.scenario, shards, this.fleetRamp), batchIntervalMs: this.opts.batchIntervalMs, record: this.record, admitLimit: this.admitLimit.forHost(hostId, this.shards) } });
    });
  }

  private onHostEvent(slot: HostSlot, event: HostEvent): void {
    switch (event.type) {
      case 'batch':
        if (slot.state === 'lost') break;
        this.merger.add(event.batch);
        this.emit('batch', event.batch);
        this.storms.addBatch(event.batch);
        if (this.state !== 'running') break;
        const saturated = this.saturation.observe(event.batch);
        if (saturated) this.emitEvent({ type: 'generator-saturated', at: saturated.firstAt, record: saturated });
        this.ramp.onBatch(event.batch);
        break;
      case 'device-log':
      case 'device-counts':
      case 'device-rows':
      case 'storm-done':
        this.requests.answer(event.reqId, event);
        break;
      case 'stopped':
        slot.state = 'stopped';
        break;
      case 'fatal':
        slot.lostReason = event.message.split('\n')[0];
        break;
      case 'ready':
        break;
    }
  }

  private hostLost(slot: HostSlot, why: string): void {
    const reason = slot.lostReason ? `${why}: ${slot.lostReason}` : why;
    slot.state = 'lost';
    slot.lostReason = reason;
    this.ramp.hostGone(slot.hostId);
    this.merger.hostLost(slot.hostId, slot.devices, 'host-lost');
    this.emitEvent({ type: 'host-lost', at: Date.now(), hostId: slot.hostId, devices: slot.devices, reason });
    if (!slot.restarting && this.hosts.every((h) => h.state === 'lost')) void this.stop('error');
  }

  /** Changes the fleet-wide connect rate while running. */
  setRamp(connectsPerSec: number): void {
    this.fleetRamp = connectsPerSec;
    for (const h of this.hosts) h.handle.send({ type: 'set-rate', connectRate: hostRates(this.scenario, h.shards, connectsPerSec).connectRate });
  }

  /** Capacity search: lets up to `devices` of the fleet make their first connect; reconnects are never held. */
  setAdmitLimit = (devices: number): void => this.admitLimit.set(devices, this.hosts, this.shards);

  /** A capacity search's result, to go into the summary (and the record) when the run ends. */
  setCapacityResult = (result: CapacityResult): void => void (this.capacity = result);

  /** Changes a group's timers (intervals, sizes) while running. */
  setTimers(groupName: string, timers: GroupTimers): void {
    const group = this.scenario.groups.find((g) => g.name === groupName);
    if (!group) throw new Error(`no group named "${groupName}"`);
    group.timers = timers;
    for (const h of this.hosts) h.handle.send({ type: 'set-timers', group: groupName, timers });
  }

  /** A device's recent events and counters, fetched from the host that owns it. */
  async deviceLog(deviceId: string): Promise<DeviceLog | null> {
    const where = findDevice(this.scenario, deviceId);
    if (!where) return null;
    const hostId = ownerOf(this.shards, where.group, where.index);
    const slot = hostId === null ? undefined : this.hosts[hostId];
    if (!slot) return null;
    const answer = await this.requests.ask(slot, (reqId) => ({ type: 'device-log', reqId, group: where.group, index: where.index }));
    return answer?.type === 'device-log' ? answer.log : null;
  }

  /** One page of the devices matching `query` (see device-pages.ts). */
  devices(query: DeviceQuery): Promise<DevicePage> {
    return pageDevices(this.scenario, this.hosts, query, (slot, build) => this.requests.ask(slot as HostSlot, build)).then((page) => markTargetDrops(page, this.target?.drops));
  }

  /** The clients the embedded target dropped so far, by device id (none for an external target). */
  targetDrops = (): readonly TargetDrop[] => this.target?.drops ?? [];

  /** Starts a storm now; resolves with its record once the action has been carried out. */
  storm(action: StormAction): Promise<StormRecord> {
    if (this.state !== 'running') return Promise.reject(new Error('no run in progress'));
    return this.storms.start(action);
  }

  /** Kills a host process (SIGKILL, like a crash); with restart, a new one takes over its shard. */
  private async killHost(hostId: number, restart: boolean): Promise<number> {
    const slot = this.hosts[hostId];
    if (!slot) throw new Error(`no host ${hostId} (hosts: 0-${this.hosts.length - 1})`);
    if (slot.state !== 'running') throw new Error(`host ${hostId} is ${slot.state}`);
    const online = this.merger.host(hostId)?.gauges.online ?? 0;
    slot.restarting = restart;
    slot.handle.kill('SIGKILL');
    await slot.exited;
    if (restart && this.state === 'running') {
      await this.launchHost(hostId, slot.shards);
      const fresh = this.hosts[hostId];
      fresh.state = 'running';
      fresh.handle.send({ type: 'start' });
      if (this.ramp.paused) fresh.handle.send({ type: 'set-paused', paused: true });
    }
    return online;
  }

  snapshot(): FleetSnapshot {
    const now = Date.now();
    return {
      at: now,
      elapsedMs: this.state === 'starting' ? 0 : (this.endedAt || now) - this.startedAt,
      durationMs: this.scenario.duration,
      state: this.state,
      devices: this.deviceCount,
      gauges: this.merger.gauges(),
      groups: this.merger.groupGauges(),
      groupStats: this.merger.groupStats(now),
      totals: { ...this.merger.totals },
      rates: this.merger.rates(now),
      ...this.merger.reasons(),
      latency: this.merger.latency(),
      hosts: this.hosts.map((h) => this.hostStatus(h)),
      storms: this.storms.records(),
      saturation: this.saturation.records(),
      target: this.target?.lastStats ?? null,
      backpressure: this.merger.backpressure(),
      ramp: this.ramp.status(),
    };
  }

  /** Closes the current second into a timeline point (the ramp keeper adds its rate), with the target's view of it, and that second's histograms. */
  private closeSecond(): void {
    const point = this.ramp.onSecond(this.merger.tick(Date.now(), this.target?.lastStats ?? null), this.merger, this.state === 'running');
    this.emit('timeline', point);
    this.emit('histograms', { t: point.t, at: point.at, h: this.merger.lastSecondHistograms });
  }
  timeline = () => this.merger.timeline;
  /** Latency histograms since the start, as cumulative counts per bound (for /metrics); all of them, encoded. */
  latencyBuckets = (boundsMs: readonly number[]) => this.merger.latencyBuckets(boundsMs);
  latencyHistograms = () => this.merger.encodedLatency();

  private hostStatus = (h: HostSlot): HostStatus => hostStatus(h, this.merger.host(h.hostId)?.health ?? null);

  /** Stops every device (closing its connection), every host and the target. Idempotent. */
  stop(reason: RunSummary['endReason'] = 'stopped'): Promise<RunSummary> {
    this.startWait.cancel();
    this.stopping ??= (async () => {
      await this.starting?.catch(() => {});
      this.endReason = reason;
      this.onlineAtEnd = this.merger.markEnd();
      this.endedAt = Date.now();
      this.storms.closeAll();
      this.setState('stopping');
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      // Asked while the hosts still hold their devices: which of those the target dropped still think they are online.
      const droppedButOnline = await droppedStillOnline(this.target?.drops, (q) => this.devices(q));
      await this.teardown();
      this.closeSecond();
      this.setState('stopped');
      const target = this.target && { lastStats: this.target.lastStats, drops: this.target.drops, droppedButOnline };
      const summary = buildSummary({
        scenario: this.scenario, devices: this.deviceCount, distributed: this.distributed, merger: this.merger, target, onlineAtEnd: this.onlineAtEnd,
        hosts: this.hosts.map((h) => this.hostStatus(h)), startedAt: this.startedAt, endedAt: this.endedAt, endReason: this.endReason,
        storms: this.storms.records(), saturation: this.saturation.records(),
      });
      if (this.capacity) summary.capacity = this.capacity;
      summary.ramp = this.ramp.summary(this.endedAt);
      this.emit('snapshot', this.snapshot());
      this.emit('ended', summary);
      this.resolveDone(summary);
      return summary;
    })();
    return this.stopping;
  }

  /** Asks every live host to stop, kills the ones that do not, then stops the target. */
  private async teardown(): Promise<void> {
    for (const h of this.hosts) {
      if (h.state === 'lost' || h.state === 'stopped') continue;
      h.state = 'stopping';
      h.handle.send({ type: 'stop', reason: 'run ended' });
    }
    await Promise.all(
      this.hosts.map(async (h) => {
        const timer = setTimeout(() => h.handle.kill('SIGKILL'), HOST_STOP_TIMEOUT_MS);
        await h.exited;
        clearTimeout(timer);
      }),
    );
    this.requests.cancelAll();
    await this.target?.stop();
  }

  private setState(state: RunState, detail?: string): void {
    this.state = state;
    this.emitEvent({ type: 'run-state', at: Date.now(), state, detail });
  }

  private readonly emitEvent = (e: FleetEvent): void => void this.emit('event', e);

  private readonly note = (message: string): void => this.emitEvent({ type: 'note', at: Date.now(), message });
}
