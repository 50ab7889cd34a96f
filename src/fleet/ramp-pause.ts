// Pauses the ramp while any generator host is saturated now: admitting more devices to a
// saturated box only turns its lag into connect timeouts. Resumes after RESUME_AFTER_MS with
// every host healthy (hysteresis, so a host at the edge does not flap). It takes two saturated
// batches in a row (half a second) to pause: one long GC pause is not a saturated host.
import type { MetricsBatch } from '../contract/metrics.ts';
import { CPU_LIMIT_PCT, LOOP_LAG_P99_LIMIT_MS } from './saturation.ts';

export const RESUME_AFTER_MS = 5000;
const SATURATED_BATCHES_TO_PAUSE = 2;

export type PauseChange = { paused: true; reason: string } | { paused: false; reason: string } | null;

export class RampPause {
  paused = false;
  reason = '';
  pauses = 0;
  pausedMs = 0;
  private pausedAt = 0;
  /** Per host: when its current run of healthy batches began (0 while saturated). */
  private readonly healthySince = new Map<number, number>();
  /** Per host: saturated batches in a row. */
  private readonly saturatedRun = new Map<number, number>();

  /** Feeds one host batch; says when the ramp should pause or resume. */
  observe(batch: MetricsBatch): PauseChange {
    const { loopLagP99Ms, cpuPct } = batch.health;
    const saturated = loopLagP99Ms > LOOP_LAG_P99_LIMIT_MS || cpuPct > CPU_LIMIT_PCT;
    this.saturatedRun.set(batch.hostId, saturated ? (this.saturatedRun.get(batch.hostId) ?? 0) + 1 : 0);
    if (saturated) {
      this.healthySince.set(batch.hostId, 0);
      if (this.paused || (this.saturatedRun.get(batch.hostId) ?? 0) < SATURATED_BATCHES_TO_PAUSE) return null;
      this.paused = true;
      this.pauses++;
      this.pausedAt = batch.at;
      this.reason = `generator host ${batch.hostId} saturated (loop lag p99 ${Math.round(loopLagP99Ms)} ms, CPU ${Math.round(cpuPct)}%)`;
      return { paused: true, reason: this.reason };
    }
    if (!this.healthySince.get(batch.hostId)) this.healthySince.set(batch.hostId, batch.at);
    if (!this.paused) return null;
    const allHealthyFor = Math.min(...[...this.healthySince.values()].map((since) => (since ? batch.at - since : 0)));
    if (allHealthyFor < RESUME_AFTER_MS) return null;
    this.paused = false;
    this.pausedMs += batch.at - this.pausedAt;
    this.reason = `generator hosts healthy for ${RESUME_AFTER_MS / 1000} s`;
    return { paused: false, reason: this.reason };
  }

  /** A host gone (lost or killed) no longer holds the ramp paused. */
  forget(hostId: number): void {
    this.healthySince.delete(hostId);
    this.saturatedRun.delete(hostId);
  }

  /** Milliseconds paused so far, the current pause included. */
  totalPausedMs(now: number): number {
    return this.pausedMs + (this.paused ? now - this.pausedAt : 0);
  }
}
