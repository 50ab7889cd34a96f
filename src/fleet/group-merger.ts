// Per-group figures over all hosts: counters and drop reasons summed, latency histograms merged
// since the start, and message rates over about the last second.
import { COUNTERS, LATENCY_KINDS, zeroCounters, type Counters, type Gauges, type GroupBatch, type LatencyKind } from '../contract/metrics.ts';
import type { GroupStats } from '../contract/snapshot.ts';
import { decodeHistogram, newHistogram, summarize, type Histogram } from '../shared/histograms.ts';

interface GroupTotals {
  counters: Counters;
  disconnectReasons: Record<string, number>;
  histograms: Record<LatencyKind, Histogram>;
  /** Messages sent and received at the previous rate sample. */
  lastSample: { at: number; sent: number; received: number } | null;
  sentPerSec: number;
  receivedPerSec: number;
}

const sentOf = (c: Counters) => c.sentHeartbeat + c.sentStatus + c.sentPing;
const deviceCount = (g: Gauges) => (Object.values(g) as number[]).reduce((a, b) => a + b, 0);

export class GroupMerger {
  private readonly groups = new Map<string, GroupTotals>();

  private totals(name: string): GroupTotals {
    let t = this.groups.get(name);
    if (!t) {
      t = { counters: zeroCounters(), disconnectReasons: {}, histograms: Object.fromEntries(LATENCY_KINDS.map((k) => [k, newHistogram()])) as Record<LatencyKind, Histogram>, lastSample: null, sentPerSec: 0, receivedPerSec: 0 };
      this.groups.set(name, t);
    }
    return t;
  }

  add(groupMetrics: Record<string, GroupBatch>): void {
    for (const [name, part] of Object.entries(groupMetrics)) {
      const t = this.totals(name);
      for (const c of COUNTERS) t.counters[c] += part.counters[c];
      for (const [reason, n] of Object.entries(part.disconnectReasons)) t.disconnectReasons[reason] = (t.disconnectReasons[reason] ?? 0) + n;
      for (const [kind, encoded] of Object.entries(part.histograms) as Array<[LatencyKind, string]>) t.histograms[kind].add(decodeHistogram(encoded));
    }
  }

  /** Online devices of a lost host's groups, counted as dropped with `reason`. */
  hostLost(onlineByGroup: Record<string, number>, reason: string): void {
    for (const [name, online] of Object.entries(onlineByGroup)) {
      if (online <= 0) continue;
      const t = this.totals(name);
      t.counters.disconnects += online;
      t.disconnectReasons[reason] = (t.disconnectReasons[reason] ?? 0) + online;
    }
  }

  /**
   * Every group's figures now, from the merged gauges. `now` moves the rate window (rates are
   * over the time since the previous call, at least a second); `overMs` instead gives rates
   * over that many ms since the start (a run summary).
   */
  stats(gauges: Record<string, Gauges>, now: number, overMs?: number): Record<string, GroupStats> {
    const out: Record<string, GroupStats> = {};
    for (const name of new Set([...Object.keys(gauges), ...this.groups.keys()])) {
      const t = this.totals(name);
      const g = gauges[name];
      const sent = sentOf(t.counters);
      const received = t.counters.received;
      if (overMs !== undefined) {
        t.sentPerSec = overMs > 0 ? Math.round((sent * 1000) / overMs) : 0;
        t.receivedPerSec = overMs > 0 ? Math.round((received * 1000) / overMs) : 0;
      } else if (!t.lastSample) t.lastSample = { at: now, sent, received };
      else if (now - t.lastSample.at >= 1000) {
        const dt = (now - t.lastSample.at) / 1000;
        t.sentPerSec = Math.round((sent - t.lastSample.sent) / dt);
        t.receivedPerSec = Math.round((received - t.lastSample.received) / dt);
        t.lastSample = { at: now, sent, received };
      }
      out[name] = {
        devices: g ? deviceCount(g) : 0,
        online: g?.online ?? 0,
        connectAttempts: t.counters.connectAttempts,
        connects: t.counters.connects,
        connectFailures: t.counters.connectFailures,
        disconnects: t.counters.disconnects,
        disconnectReasons: { ...t.disconnectReasons },
        sent,
        received,
        sentPerSec: t.sentPerSec,
        receivedPerSec: t.receivedPerSec,
        latency: Object.fromEntries(LATENCY_KINDS.map((k) => [k, summarize(t.histograms[k])])) as GroupStats['latency'],
      };
    }
    return out;
  }
}
