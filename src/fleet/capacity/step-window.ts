// What the hosts reported during one step: counters, reasons and the hosts' health summed from
// their batches, and CONNACK/PUBACK latency as histograms merged over the whole window (a p99
// of the window, not an average of per-second p99s).
import type { MetricsBatch } from '../../contract/metrics.ts';
import { decodeHistogram, newHistogram, summarize, type Histogram } from '../../shared/histograms.ts';

/** Drops a storm made on purpose: not the target's doing. */
export const isStormReason = (reason: string) => reason.startsWith('storm-');

export interface WindowFigures {
  attempts: number;
  connectFailures: number;
  failureReasons: Record<string, number>;
  drops: number;
  dropReasons: Record<string, number>;
  connackP99Ms: number;
  pubackP99Ms: number;
  loopLagP99Ms: number;
  cpuPct: number;
  /** The largest share of any host's time in the window spent over the saturation limits (0–1) … */
  saturatedShare: number;
  /** … and that host's time over them, ms. */
  saturatedMs: number;
}

export class StepWindow {
  private attempts = 0;
  private failures = 0;
  private readonly failureReasons: Record<string, number> = {};
  private readonly dropReasons: Record<string, number> = {};
  private readonly connack: Histogram = newHistogram();
  private readonly puback: Histogram = newHistogram();
  private readonly hosts = new Map<number, { ms: number; overMs: number; lag: number; cpu: number }>();

  constructor(private readonly limits: { maxLoopLagP99Ms: number; maxCpuPct: number }) {}

  add(batch: MetricsBatch): void {
    this.attempts += batch.counters.connectAttempts;
    this.failures += batch.counters.connectFailures;
    for (const [r, n] of Object.entries(batch.failureReasons)) this.failureReasons[r] = (this.failureReasons[r] ?? 0) + n;
    for (const [r, n] of Object.entries(batch.disconnectReasons)) this.dropReasons[r] = (this.dropReasons[r] ?? 0) + n;
    if (batch.histograms.connack) this.connack.add(decodeHistogram(batch.histograms.connack));
    if (batch.histograms.puback) this.puback.add(decodeHistogram(batch.histograms.puback));
    const { loopLagP99Ms, cpuPct } = batch.health;
    const h = this.hosts.get(batch.hostId) ?? { ms: 0, overMs: 0, lag: 0, cpu: 0 };
    h.ms += batch.intervalMs;
    if (loopLagP99Ms > this.limits.maxLoopLagP99Ms || cpuPct > this.limits.maxCpuPct) h.overMs += batch.intervalMs;
    h.lag = Math.max(h.lag, loopLagP99Ms);
    h.cpu = Math.max(h.cpu, cpuPct);
    this.hosts.set(batch.hostId, h);
  }

  figures(): WindowFigures {
    const hosts = [...this.hosts.values()];
    const worst = hosts.reduce<(typeof hosts)[number] | null>((w, h) => (!w || h.overMs > w.overMs ? h : w), null);
    const drops = Object.entries(this.dropReasons).filter(([r]) => !isStormReason(r));
    return {
      attempts: this.attempts,
      connectFailures: this.failures,
      failureReasons: { ...this.failureReasons },
      drops: drops.reduce((n, [, c]) => n + c, 0),
      dropReasons: Object.fromEntries(drops),
      connackP99Ms: summarize(this.connack).p99,
      pubackP99Ms: summarize(this.puback).p99,
      loopLagP99Ms: Math.max(0, ...hosts.map((h) => h.lag)),
      cpuPct: Math.max(0, ...hosts.map((h) => h.cpu)),
      saturatedShare: worst && worst.ms > 0 ? worst.overMs / worst.ms : 0,
      saturatedMs: worst?.overMs ?? 0,
    };
  }
}
