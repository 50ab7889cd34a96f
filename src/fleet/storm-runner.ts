// Storms during a run: carries each action out (on the hosts, the target or a host process)
// and keeps a recovery tracker per storm, fed with every batch and snapshot.
import type { Counters, MetricsBatch } from '../contract/metrics.ts';
import type { HostStorm } from '../contract/host-protocol.ts';
import type { FleetEvent, FleetSnapshot } from '../contract/snapshot.ts';
import type { StormAction, StormRecord } from '../contract/storm.ts';
import type { TargetFault } from '../contract/target.ts';
import { StormTracker } from './storm-tracker.ts';

/** What a storm needs from the running fleet. */
export interface StormDeps {
  startedAt(): number;
  online(): number;
  totals(): Counters;
  /** Sends the storm to every live host; resolves with the devices affected in all. */
  onHosts(storm: HostStorm): Promise<number>;
  /** Applies a fault on the embedded target (rejects when the run has none). */
  onTarget(fault: TargetFault): Promise<number>;
  killHost(hostId: number, restart: boolean): Promise<number>;
  emit(event: FleetEvent): void;
}

export class StormRunner {
  private readonly trackers: StormTracker[] = [];

  constructor(private readonly deps: StormDeps) {}

  /** Starts a storm now; resolves with its record once the action has been carried out. */
  async start(action: StormAction): Promise<StormRecord> {
    const now = Date.now();
    const tracker = new StormTracker(this.trackers.length + 1, action, now, this.deps.startedAt(), this.deps.online(), this.deps.totals());
    this.trackers.push(tracker);
    try {
      tracker.record.affected = await this.carryOut(action);
    } catch (err) {
      tracker.close((err as Error).message);
    }
    this.deps.emit({ type: 'storm', at: now, storm: { ...tracker.record } });
    return tracker.record;
  }

  private carryOut(action: StormAction): Promise<number> {
    switch (action.action) {
      case 'drop':
        return this.deps.onHosts({ kind: 'drop', percent: action.percent, mode: action.mode, group: action.group });
      case 'blip':
        return this.deps.onHosts({ kind: 'blip', ms: action.for, group: action.group });
      case 'kill-host':
        return this.deps.killHost(action.host, action.restart);
      case 'target-kick':
        return this.deps.onTarget({ kind: 'kick', percent: action.percent });
      case 'target-pause':
        return this.deps.onTarget({ kind: 'pause-reading', ms: action.for });
      case 'target-restart':
        return this.deps.onTarget({ kind: 'restart' });
    }
  }

  addBatch(batch: MetricsBatch): void {
    for (const t of this.trackers) t.addBatch(batch);
  }

  observe(snap: FleetSnapshot): void {
    for (const t of this.trackers) t.observe(snap.at, snap.gauges.online, snap.rates.connectsPerSec, snap.totals);
  }

  /** The run ended: storms still open did not recover (or had no impact). */
  closeAll(): void {
    for (const t of this.trackers) t.close();
  }

  records(): StormRecord[] {
    return this.trackers.map((t) => ({ ...t.record }));
  }
}
