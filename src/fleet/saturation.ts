// Watches the generator itself. A saturated load generator looks exactly like a broken server
// (late sends, timeouts, zero windows), so a run says when and where its own hosts saturated.
import type { MetricsBatch } from '../contract/metrics.ts';
import type { SaturationRecord } from '../contract/snapshot.ts';

export const LOOP_LAG_P99_LIMIT_MS = 50;
export const CPU_LIMIT_PCT = 90;

export class SaturationWatch {
  private readonly byHost = new Map<number, SaturationRecord>();

  constructor(private readonly runStartedAt: () => number) {}

  /** Returns the host's record when this batch is its first saturated one (for a one-time event). */
  observe(batch: MetricsBatch): SaturationRecord | null {
    const { loopLagP99Ms, cpuPct } = batch.health;
    if (loopLagP99Ms <= LOOP_LAG_P99_LIMIT_MS && cpuPct <= CPU_LIMIT_PCT) return null;
    const known = this.byHost.get(batch.hostId);
    if (known) {
      known.seconds = Math.round((known.seconds + batch.intervalMs / 1000) * 100) / 100;
      known.worstLoopLagP99Ms = Math.max(known.worstLoopLagP99Ms, loopLagP99Ms);
      known.worstCpuPct = Math.max(known.worstCpuPct, cpuPct);
      return null;
    }
    const record: SaturationRecord = {
      hostId: batch.hostId,
      firstAt: batch.at,
      t: Math.max(0, Math.round((batch.at - this.runStartedAt()) / 1000)),
      seconds: Math.round((batch.intervalMs / 1000) * 100) / 100,
      worstLoopLagP99Ms: loopLagP99Ms,
      worstCpuPct: cpuPct,
    };
    this.byHost.set(batch.hostId, record);
    return record;
  }

  records(): SaturationRecord[] {
    return [...this.byHost.values()].map((r) => ({ ...r }));
  }
}
