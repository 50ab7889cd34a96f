// The event feed's items: notable fleet events and run ends, as one line each. Pure.
import { formatDuration } from '../../src/contract/duration.ts';
import type { Scenario } from '../../src/contract/scenario.ts';
import type { FleetEvent, RunSummary } from '../../src/contract/snapshot.ts';
import { fmtInt, fmtMs } from '../lib/format.ts';

export type FeedLevel = 'info' | 'ok' | 'warn' | 'error';

export interface FeedItem {
  id: number;
  at: number;
  level: FeedLevel;
  kind: FleetEvent['type'] | 'started' | 'ended';
  title: string;
  detail?: string;
}

/** Items kept in the feed. */
export const FEED_CAP = 100;

let nextId = 1;
const item = (x: Omit<FeedItem, 'id'>): FeedItem => ({ id: nextId++, ...x });

export function feedFromEvent(e: FleetEvent): FeedItem {
  switch (e.type) {
    case 'host-lost':
      return item({ at: e.at, level: 'error', kind: e.type, title: `Host ${e.hostId} lost · ${fmtInt(e.devices)} devices`, detail: e.reason });
    case 'target-lost':
      return item({ at: e.at, level: 'error', kind: e.type, title: 'Embedded target lost', detail: e.reason });
    case 'run-state': {
      const level: FeedLevel = e.state === 'failed' ? 'error' : e.state === 'running' ? 'ok' : 'info';
      return item({ at: e.at, level, kind: e.type, title: `Run ${e.state}`, detail: e.detail });
    }
    case 'generator-saturated': {
      const r = e.record;
      return item({ at: e.at, level: 'warn', kind: e.type, title: `Generator host ${r.hostId} saturated`, detail: `loop lag p99 ${fmtMs(r.worstLoopLagP99Ms)}, CPU ${r.worstCpuPct}%: results are not trustworthy` });
    }
    case 'note':
      return item({ at: e.at, level: 'info', kind: e.type, title: e.message });
    case 'ramp':
      return item({ at: e.at, level: e.paused ? 'warn' : 'info', kind: e.type, title: e.paused ? 'Ramp paused' : `Ramp ${e.rate ? `${fmtInt(e.rate)}/s` : 'unlimited'}`, detail: e.reason });
    case 'storm': {
      const s = e.storm;
      const detail = s.error ? `failed: ${s.error}` : `${fmtInt(s.affected)} affected · ${fmtInt(s.onlineBefore)} online before`;
      return item({ at: e.at, level: s.error ? 'error' : 'warn', kind: e.type, title: `Storm: ${s.label}`, detail });
    }
  }
}

export function feedFromStarted(s: Scenario, at: number): FeedItem {
  const devices = s.groups.reduce((n, g) => n + g.count, 0);
  return item({
    at,
    level: 'info',
    kind: 'started',
    title: `Run "${s.name}" started`,
    detail: `${fmtInt(devices)} devices in ${s.groups.length} group${s.groups.length === 1 ? '' : 's'}, ${formatDuration(s.duration)}, ramp ${s.ramp ? `${fmtInt(s.ramp)}/s` : 'unlimited'}`,
  });
}

/** "Run ended (duration) after 30s" with the figures that matter most. */
export function summaryHeadline(s: RunSummary): { title: string; detail: string; level: FeedLevel } {
  const failures = Object.values(s.failures).reduce((n, v) => n + v, 0);
  const broken = (s.thresholds ?? []).filter((r) => !r.pass).length;
  const p99 = s.latencyMs.connack?.count ? `connack p99 ${fmtMs(s.latencyMs.connack.p99)}` : s.latencyMs.connect?.count ? `connect p99 ${fmtMs(s.latencyMs.connect.p99)}` : null;
  const parts = [
    `peak ${fmtInt(s.peakOnline)}/${fmtInt(s.devices)} online`,
    `${fmtInt(s.connects)} connects`,
    `${fmtInt(failures)} failures`,
    `${fmtInt(s.disconnects)} drops`,
    s.lost ? `${fmtInt(s.lost)} lost` : null,
    p99,
    broken ? `${broken} of ${s.thresholds?.length} thresholds broken` : s.thresholds?.length ? 'thresholds held' : null,
  ].filter(Boolean);
  const level: FeedLevel = s.endReason === 'error' || s.lost > 0 || broken > 0 ? 'error' : failures > 0 || s.gaveUp > 0 ? 'warn' : 'ok';
  return { title: `Run ended (${s.endReason}) after ${formatDuration(s.durationMs)}`, detail: parts.join(' · '), level };
}

export function feedFromSummary(s: RunSummary): FeedItem {
  const h = summaryHeadline(s);
  const at = Date.parse(s.endedAt);
  return item({ at: Number.isFinite(at) ? at : Date.now(), level: h.level, kind: 'ended', title: h.title, detail: h.detail });
}

/** Adds items (oldest first) to a newest-first feed, keeping at most `cap`. */
export function prependFeed(feed: readonly FeedItem[], items: readonly FeedItem[], cap = FEED_CAP): FeedItem[] {
  if (items.length === 0) return feed as FeedItem[];
  return [...items].reverse().concat(feed).slice(0, cap);
}
