// Keeps the fleet's connect rate: a fixed ramp as given, or the adaptive ramp's decisions once a
// second; and the pause of new devices while a generator host is saturated. The controller
// feeds it batches and closed seconds; it calls back to send rates and pauses to the hosts.
import type { Shard } from '../contract/host-protocol.ts';
import type { MetricsBatch } from '../contract/metrics.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { FleetEvent, RampStatus, RampSummary, TimelinePoint } from '../contract/snapshot.ts';
import { AdaptiveRampControl } from './adaptive-ramp.ts';
import { RampPause } from './ramp-pause.ts';
import { hostRates } from './sharding.ts';

export interface RampKeeperHooks {
  setRate(rate: number): void;
  setPaused(paused: boolean): void;
  emit(e: FleetEvent): void;
  /** The devices this process runs: one shard of a distributed fleet measures only its share. */
  shards(): Shard[];
}

export class RampKeeper {
  private readonly adaptive: AdaptiveRampControl | null;
  private readonly pause: RampPause | null;
  private readonly ceiling: number;
  private rate: number;
  private reason: string;
  private changedAt = Date.now();
  private changes = 0;
  private minRate: number;
  private maxRate: number;
  private lastFailures: Record<string, number> = {};
  private lastAttempts = 0;
  private lastUp: boolean | null = null;

  constructor(private readonly scenario: Scenario, private readonly hooks: RampKeeperHooks) {
    this.adaptive = scenario.adaptive ? new AdaptiveRampControl(scenario.adaptive) : null;
    this.ceiling = scenario.adaptive?.ceiling ?? Infinity;
    this.pause = scenario.pauseOnSaturation ? new RampPause() : null;
    this.rate = scenario.ramp;
    this.minRate = this.maxRate = this.rate;
    this.reason = this.adaptive ? 'start' : 'fixed';
  }

  get paused(): boolean {
    return this.pause?.paused ?? false;
  }

  /** The run (re)started its clock. */
  started(at: number): void {
    this.changedAt = at;
  }

  /** A host batch: pauses or resumes the ramp as the host saturates or recovers. */
  onBatch(batch: MetricsBatch): void {
    const change = this.pause?.observe(batch);
    if (!change) return;
    this.hooks.setPaused(change.paused);
    const what = change.paused ? 'ramp paused: no new devices admitted (reconnects go on)' : 'ramp resumed';
    this.hooks.emit({ type: 'ramp', at: batch.at, rate: this.rate, paused: change.paused, reason: change.reason });
    this.hooks.emit({ type: 'note', at: batch.at, message: `${what}: ${change.reason}` });
  }

  hostGone(hostId: number): void {
    this.pause?.forget(hostId);
  }

  /** A closed second (with the run's failures and attempts so far): the adaptive ramp decides while running. */
  onSecond(point: TimelinePoint, so: { failureReasons: Record<string, number>; totals: { connectAttempts: number } }, running: boolean): TimelinePoint {
    point.connectRate = this.rate;
    if (running) this.decide(point, so.failureReasons, so.totals.connectAttempts);
    return point;
  }

  private decide(point: TimelinePoint, failures: Record<string, number>, attempts: number): void {
    const perSecond: Record<string, number> = {};
    for (const [r, n] of Object.entries(failures)) if (n > (this.lastFailures[r] ?? 0)) perSecond[r] = n - (this.lastFailures[r] ?? 0);
    const attemptsThisSecond = attempts - this.lastAttempts;
    this.lastFailures = { ...failures };
    this.lastAttempts = attempts;
    if (!this.adaptive) return;
    // The rate is the fleet's; this process sees the attempts of its share of it.
    const share = hostRates(this.scenario, this.hooks.shards(), 1).connectRate || 1;
    const d = this.adaptive.decide({ connackP99Ms: point.p99.connack ?? 0, connectP99Ms: point.p99.connect ?? 0, failures: perSecond, attempts: attemptsThisSecond / share, inFlight: point.connecting / share });
    if (!d.changed) return;
    const up = d.rate > this.rate;
    this.rate = d.rate;
    this.reason = up ? 'calm: no failures, connack p99 under the bound' : d.reason;
    this.changedAt = point.at;
    this.changes++;
    this.minRate = Math.min(this.minRate, d.rate);
    this.maxRate = Math.max(this.maxRate, d.rate);
    this.hooks.setRate(d.rate);
    // Events for the turns (each cut, the start of a recovery, the ceiling), not every step up;
    // the timeline's connectRate has every second.
    const turn = !up || this.lastUp !== true || d.rate >= this.ceiling;
    this.lastUp = up;
    if (turn) this.hooks.emit({ type: 'ramp', at: point.at, rate: d.rate, paused: this.paused, reason: this.reason });
  }

  status(): RampStatus {
    const s: RampStatus = { mode: this.adaptive ? 'adaptive' : 'fixed', rate: this.rate, reason: this.reason, changedAt: this.changedAt, paused: this.paused };
    if (this.paused && this.pause) s.pausedReason = this.pause.reason;
    return s;
  }

  summary(now: number): RampSummary {
    return {
      mode: this.adaptive ? 'adaptive' : 'fixed',
      changes: this.changes,
      minRate: this.minRate,
      maxRate: this.maxRate,
      finalRate: this.rate,
      pauses: this.pause?.pauses ?? 0,
      pausedSeconds: Math.round((this.pause?.totalPausedMs(now) ?? 0) / 100) / 10,
    };
  }
}
