// The fleet controller: runs one fleet run from start to end. It prepares the run (preflight, TLS,
// embedded target), has the host pool launch the device hosts with their shards, merges their
// batches into snapshots and a timeline, carries out storms and ramp changes, and stops it all.
// The CLI and the desktop app both drive a run through this class.
import { EventEmitter } from 'node:events';
import type { DeviceLog } from '../contract/device-log.ts';
import type { Shard } from '../contract/host-protocol.ts';
import type { GroupTimers, Scenario } from '../contract/scenario.ts';
import type { FleetEvent, FleetSnapshot, HostStatus, RunState, RunSummary, SecondHistograms, TimelinePoint } from '../contract/snapshot.ts';
import type { DevicePage, DeviceQuery } from '../contract/fleet-api.ts';
import { readFdLimit } from '../shared/fd-limit.ts';
import type { RunningTarget } from './embedded-target-shards.ts';
import { runSettings, StartError, type ControllerOptions, type RunSettings } from './controller-options.ts';
import { MetricsMerger } from './metrics-merger.ts';
import { askDeviceLog, pageDevices } from './device-pages.ts';
import { hostStatus, type HostSlot } from './host-slot.ts';
import { HostPool } from './host-pool.ts';
import { hostRates, planShards, shardDeviceCount } from './sharding.ts';
import type { DistributedRun } from '../contract/fleet-shard.ts';
import { RunClock } from './run-schedule.ts';
import { prepareRun } from './run-preparation.ts';
import { buildSummary } from './summary.ts';
import type { StormRunner } from './storm-runner.ts';
import { fleetStorms } from './fleet-storms.ts';
import { buildSnapshot } from './fleet-snapshot.ts';
import { SaturationWatch } from './saturation.ts';
import { RampKeeper } from './ramp-keeper.ts';
import type { StormAction, StormRecord } from '../contract/storm.ts';
import type { MetricsBatch } from '../contract/metrics.ts';
import type { CapacityResult } from '../contract/capacity.ts';
import { AdmitLimit } from './capacity/admit-limit.ts';
import { droppedStillOnline, markTargetDrops } from './target-drops.ts';
import type { TargetDrop } from '../contract/backpressure.ts';

export { StartError, type ControllerOptions } from './controller-options.ts';

export class FleetController extends EventEmitter<{ snapshot: [FleetSnapshot]; timeline: [TimelinePoint]; histograms: [SecondHistograms]; event: [FleetEvent]; ended: [RunSummary]; batch: [MetricsBatch] }> {
  readonly scenario: Scenario;
  readonly distributed: DistributedRun | undefined;
  /** Resolves with the summary once the run has ended, however it ended. */
  readonly done: Promise<RunSummary>;
  private resolveDone!: (s: RunSummary) => void;
  private readonly opts: RunSettings;
  private readonly pool: HostPool;
  private readonly admitLimit: AdmitLimit;
  private capacity: CapacityResult | undefined;
  /** The scenario the hosts run (TLS material and embedded:… URLs resolved). */
  private resolvedScenario: Scenario;
  private shards: Shard[][] = [];
  private target: RunningTarget | null = null;
  private merger: MetricsMerger;
  private runState: RunState = 'starting';
  private readonly clock = new RunClock();
  private starting: Promise<void> | null = null;
  private stopping: Promise<RunSummary> | null = null;
  private readonly storms: StormRunner;
  private readonly saturation = new SaturationWatch(() => this.clock.startedAt);
  private fleetRamp = 0;
  private readonly ramp: RampKeeper;

  constructor(scenario: Scenario, options: ControllerOptions = {}) {
    super();
    this.scenario = scenario;
    this.resolvedScenario = scenario;
    this.fleetRamp = scenario.ramp;
    this.distributed = options.distributed;
    this.admitLimit = new AdmitLimit(options.admitLimit);
    this.opts = runSettings(options);
    this.pool = new HostPool(this.opts.launcher, {
      init: (hostId, shards) => ({ hostId, scenario: this.resolvedScenario, shards, ...hostRates(this.scenario, shards, this.fleetRamp), batchIntervalMs: this.opts.batchIntervalMs, record: this.opts.record, admitLimit: this.admitLimit.forHost(hostId, this.shards) }),
      batch: (batch) => this.onBatch(batch),
      lost: (host, reason, everyHostLost) => this.hostLost(host, reason, everyHostLost),
    });
    const setPaused = (paused: boolean) => this.pool.broadcast({ type: 'set-paused', paused });
    this.ramp = new RampKeeper(scenario, { setRate: (rate) => this.setRamp(rate), setPaused, emit: this.emitEvent, shards: () => this.shards.flat() });
    const running = () => this.runState === 'running';
    this.storms = fleetStorms({ pool: this.pool, ramp: this.ramp, merger: () => this.merger, target: () => this.target, startedAt: () => this.clock.startedAt, running, emit: this.emitEvent });
    this.merger = new MetricsMerger(this.clock.startedAt);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** Devices this process runs (a shard runs its slice of the fleet). */
  get deviceCount(): number {
    return shardDeviceCount(this.scenario, this.distributed?.shard);
  }

  /** Where the run is: starting, running, stopping, stopped or failed. */
  get state(): RunState {
    return this.runState;
  }

  /** Starts the target (if embedded) and all hosts; rejects with a StartError saying why not. */
  start(): Promise<void> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    try {
      await this.prepare();
      await this.launchHosts();
    } catch (err) {
      await this.teardown();
      this.setState('failed', (err as Error).message);
      throw err instanceof StartError ? err : new StartError((err as Error).message);
    }
    // Stopped while starting: leave the hosts idle; stop() tears them down once start settles.
    if (this.stopping) return;
    const startAt = this.distributed?.startAt;
    if (startAt !== undefined) await this.clock.waitForShared(startAt, this.note);
    // Shards given a start time keep it even when late, so their timelines and storms stay on the fleet's clock.
    if (!this.stopping) this.begin(startAt ?? Date.now());
  }

  /** Preflight, TLS plan and the embedded target (see run-preparation.ts). */
  private async prepare(): Promise<void> {
    const onTargetLost = (reason: string) => this.emitEvent({ type: 'target-lost', at: Date.now(), reason });
    const prepared = await prepareRun(this.scenario, { launcher: this.opts.launcher, cores: this.opts.cores, fleetShard: this.distributed?.shard, note: this.note, onTargetLost });
    this.resolvedScenario = prepared.scenario;
    this.target = prepared.target;
  }

  /** Shards the devices over the hosts the plan gives and launches them; resolves once all are ready. */
  private async launchHosts(): Promise<void> {
    this.shards = planShards(this.scenario, { cores: this.opts.cores, fdLimit: readFdLimit()?.soft ?? null, fleetShard: this.distributed?.shard });
    await this.pool.launch(this.shards);
  }

  /** The run's clock starts, the hosts start their devices, and the run's timers start (see run-schedule.ts). */
  private begin(startedAt: number): void {
    this.clock.start(startedAt);
    this.merger = new MetricsMerger(startedAt);
    this.ramp.started(startedAt);
    this.pool.startAll();
    this.setState('running');
    const snapshot = () => {
      const snap = this.snapshot();
      this.storms.observe(snap);
      this.emit('snapshot', snap);
    };
    this.clock.schedule({ scenario: this.scenario, snapshot, snapshotIntervalMs: this.opts.snapshotIntervalMs, storm: (a) => void this.storm(a).catch(() => {}), tick: () => this.closeSecond(), end: () => void this.stop('duration'), note: this.note });
  }

  private onBatch(batch: MetricsBatch): void {
    this.merger.add(batch);
    this.emit('batch', batch);
    this.storms.addBatch(batch);
    if (this.runState !== 'running') return;
    const saturated = this.saturation.observe(batch);
    if (saturated) this.emitEvent({ type: 'generator-saturated', at: saturated.firstAt, record: saturated });
    this.ramp.onBatch(batch);
  }

  private hostLost(host: HostSlot, reason: string, everyHostLost: boolean): void {
    this.ramp.hostGone(host.hostId);
    this.merger.hostLost(host.hostId, host.devices, 'host-lost');
    this.emitEvent({ type: 'host-lost', at: Date.now(), hostId: host.hostId, devices: host.devices, reason });
    if (everyHostLost) void this.stop('error');
  }

  /** Changes the fleet-wide connect rate while running. */
  setRamp(connectsPerSec: number): void {
    this.fleetRamp = connectsPerSec;
    this.pool.broadcast((h) => ({ type: 'set-rate', connectRate: hostRates(this.scenario, h.shards, connectsPerSec).connectRate }));
  }

  /** Capacity search: lets up to `devices` of the fleet make their first connect; reconnects are never held. */
  setAdmitLimit = (devices: number): void => this.admitLimit.set(devices, this.shards, (command) => this.pool.broadcast(command));

  /** A capacity search's result, to go into the summary (and the record) when the run ends. */
  setCapacityResult = (result: CapacityResult): void => void (this.capacity = result);

  /** Changes a group's timers (intervals, sizes) while running. */
  setTimers(groupName: string, timers: GroupTimers): void {
    const group = this.scenario.groups.find((g) => g.name === groupName);
    if (!group) throw new Error(`no group named "${groupName}"`);
    group.timers = timers;
    this.pool.broadcast({ type: 'set-timers', group: groupName, timers });
  }

  /** A device's recent events and counters, fetched from the host that owns it (see device-pages.ts). */
  deviceLog = (deviceId: string): Promise<DeviceLog | null> => askDeviceLog(this.scenario, this.shards, this.pool, deviceId);

  /** One page of the devices matching `query` (see device-pages.ts). */
  devices(query: DeviceQuery): Promise<DevicePage> {
    return pageDevices(this.scenario, this.pool.slots, query, this.pool).then((page) => markTargetDrops(page, this.target?.drops));
  }

  /** The clients the embedded target dropped so far, by device id (none for an external target). */
  targetDrops = (): readonly TargetDrop[] => this.target?.drops ?? [];

  /** Starts a storm now; resolves with its record once the action has been carried out. */
  storm(action: StormAction): Promise<StormRecord> {
    if (this.runState !== 'running') return Promise.reject(new Error('no run in progress'));
    return this.storms.start(action);
  }

  snapshot(): FleetSnapshot {
    const { runState: state, merger, target } = this;
    const { startedAt, endedAt } = this.clock;
    return buildSnapshot({ state, startedAt, endedAt, durationMs: this.scenario.duration, devices: this.deviceCount, merger, hosts: this.hostStatuses(), storms: this.storms.records(), saturation: this.saturation.records(), target: target?.lastStats ?? null, ramp: this.ramp.status() });
  }

  /** Closes the current second into a timeline point (the ramp keeper adds its rate), with the target's view of it, and that second's histograms. */
  private closeSecond(): void {
    const point = this.ramp.onSecond(this.merger.tick(Date.now(), this.target?.lastStats ?? null), this.merger, this.runState === 'running');
    this.emit('timeline', point);
    this.emit('histograms', { t: point.t, at: point.at, h: this.merger.lastSecondHistograms });
  }
  timeline = () => this.merger.timeline;
  /** Latency histograms since the start, as cumulative counts per bound (for /metrics); all of them, encoded. */
  latencyBuckets = (boundsMs: readonly number[]) => this.merger.latencyBuckets(boundsMs);
  latencyHistograms = () => this.merger.encodedLatency();

  private hostStatuses = (): HostStatus[] => this.pool.slots.map((h) => hostStatus(h, this.merger.host(h.hostId)?.health ?? null));

  /** Stops every device (closing its connection), every host and the target. Idempotent. */
  stop(reason: RunSummary['endReason'] = 'stopped'): Promise<RunSummary> {
    this.clock.cancelWait();
    this.stopping ??= this.stopOnce(reason);
    return this.stopping;
  }

  private async stopOnce(endReason: RunSummary['endReason']): Promise<RunSummary> {
    await this.starting?.catch(() => {});
    const onlineAtEnd = this.merger.markEnd();
    this.clock.end();
    this.storms.closeAll();
    this.setState('stopping');
    // Asked while the hosts still hold their devices: which of those the target dropped still think they are online.
    const droppedButOnline = await droppedStillOnline(this.target?.drops, (q) => this.devices(q));
    await this.teardown();
    this.closeSecond();
    this.setState('stopped');
    const target = this.target && { lastStats: this.target.lastStats, drops: this.target.drops, droppedButOnline };
    const summary = buildSummary({
      scenario: this.scenario, devices: this.deviceCount, distributed: this.distributed, merger: this.merger, target, onlineAtEnd,
      hosts: this.hostStatuses(), startedAt: this.clock.startedAt, endedAt: this.clock.endedAt, endReason,
      storms: this.storms.records(), saturation: this.saturation.records(), ramp: this.ramp.summary(this.clock.endedAt), capacity: this.capacity,
    });
    this.emit('snapshot', this.snapshot());
    this.emit('ended', summary);
    this.resolveDone(summary);
    return summary;
  }

  /** Stops the hosts (killing those that do not stop in time), then the target. */
  private async teardown(): Promise<void> {
    await this.pool.teardown();
    await this.target?.stop();
  }

  private setState(state: RunState, detail?: string): void {
    this.runState = state;
    this.emitEvent({ type: 'run-state', at: Date.now(), state, detail });
  }

  private readonly emitEvent = (e: FleetEvent): void => void this.emit('event', e);

  private readonly note = (message: string): void => this.emitEvent({ type: 'note', at: Date.now(), message });
}
