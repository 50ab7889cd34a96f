// Measures one storm's recovery: online before, the low point, time back to 99% of before,
// attempts, peak connect rate, CONNACK/connect p99 and failures while it lasted.
import type { Counters, MetricsBatch } from '../contract/metrics.ts';
import { describeStorm, type StormAction, type StormRecord } from '../contract/storm.ts';
import { decodeHistogram, newHistogram, summarize } from '../shared/histograms.ts';

const RECOVERED_SHARE = 0.99;
/**
 * Recovery is judged only once every host has reported at least one full batch (250 ms)
 * after the storm began: before that, part of the fleet's drops are not counted yet.
 */
export const SETTLE_MS = 600;

export class StormTracker {
  readonly record: StormRecord;
  private readonly attemptsAtStart: number;
  private readonly connack = newHistogram();
  private readonly connect = newHistogram();
  private dipped = false;

  constructor(id: number, action: StormAction, at: number, runStartedAt: number, onlineBefore: number, totals: Counters) {
    this.attemptsAtStart = totals.connectAttempts;
    this.record = {
      id,
      label: describeStorm(action),
      action,
      at,
      t: Math.round((at - runStartedAt) / 1000),
      affected: 0,
      onlineBefore,
      minOnline: onlineBefore,
      recoveredAfterMs: null,
      outcome: 'recovering',
      reconnectAttempts: 0,
      peakConnectsPerSec: 0,
      connackP99Ms: 0,
      connectP99Ms: 0,
      failures: {},
      disconnects: {},
    };
  }

  get open(): boolean {
    return this.record.outcome === 'recovering';
  }

  /** Folds a host batch into the storm's window. */
  addBatch(batch: MetricsBatch): void {
    if (!this.open) return;
    const add = (into: Record<string, number>, from: Record<string, number>) => {
      for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
    };
    add(this.record.failures, batch.failureReasons);
    add(this.record.disconnects, batch.disconnectReasons);
    if (batch.histograms.connack) this.connack.add(decodeHistogram(batch.histograms.connack));
    if (batch.histograms.connect) this.connect.add(decodeHistogram(batch.histograms.connect));
  }

  /** Called a few times a second with the fleet's state; closes the window once recovered. */
  observe(now: number, online: number, connectsPerSec: number, totals: Counters): void {
    if (!this.open) return;
    const r = this.record;
    r.minOnline = Math.min(r.minOnline, online);
    r.peakConnectsPerSec = Math.max(r.peakConnectsPerSec, connectsPerSec);
    r.reconnectAttempts = totals.connectAttempts - this.attemptsAtStart;
    r.connackP99Ms = summarize(this.connack).p99;
    r.connectP99Ms = summarize(this.connect).p99;
    const threshold = r.onlineBefore * RECOVERED_SHARE;
    // A fleet can reconnect faster than online is sampled: drops in the window count as impact too.
    const dropped = Object.values(r.disconnects).reduce((n, v) => n + v, 0);
    if (online < threshold || dropped > r.onlineBefore - threshold) this.dipped = true;
    if (this.dipped && online >= threshold && now - r.at >= SETTLE_MS) {
      r.recoveredAfterMs = now - r.at;
      r.outcome = 'recovered';
    }
  }

  /** The run ended (or the storm failed) while the window was open. */
  close(error?: string): void {
    if (!this.open) return;
    this.record.outcome = error ? 'not-recovered' : this.dipped ? 'not-recovered' : 'no-impact';
    if (error) this.record.error = error;
  }
}
