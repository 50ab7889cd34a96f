// Storms in the UI: the form's fields → a storm action for the API, the run's storm records
// (newest first), and the short texts the recovery cards and chart markers show. Pure.
import type { StormOutcome, StormRecord } from '../../src/contract/storm.ts';
import { fmtClock } from '../lib/format.ts';
import type { FleetState } from './fleet-store.ts';

export type StormKind = 'drop' | 'blip' | 'kill-host' | 'target-kick' | 'target-pause' | 'target-restart';
export type DropMode = 'close' | 'destroy' | 'half-open';

export const STORM_KINDS: readonly StormKind[] = ['drop', 'blip', 'kill-host', 'target-kick', 'target-pause', 'target-restart'];
export const DROP_MODES: readonly DropMode[] = ['close', 'destroy', 'half-open'];
/** The group select's value for "every group". */
export const ALL_GROUPS = '';

export const STORM_KIND_LABEL: Record<StormKind, string> = {
  drop: 'drop devices',
  blip: 'network blip',
  'kill-host': 'kill host',
  'target-kick': 'target kick',
  'target-pause': 'target pause',
  'target-restart': 'target restart',
};

export const DROP_MODE_LABEL: Record<DropMode, string> = {
  close: 'close',
  destroy: 'destroy (reset)',
  'half-open': 'half-open',
};

/** What each drop mode does (the mode select's tooltip). */
export const DROP_MODE_HINT = 'close: clean disconnect · destroy: TCP reset · half-open: silent, only keepalive notices';

/** What the storm form holds; numbers stay text until sent (the fleet says why a value is wrong). */
export interface StormForm {
  action: StormKind;
  percent: string;
  mode: DropMode;
  group: string;
  /** Duration text for blip / target-pause ("5s"). */
  for: string;
  host: number;
  restart: boolean;
}

export function defaultStormForm(): StormForm {
  return { action: 'drop', percent: '30', mode: 'close', group: ALL_GROUPS, for: '5s', host: 0, restart: true };
}

const NUMBER = /^-?\d+(\.\d+)?$/;
/** "30" → 30; anything else is sent as typed so the fleet's validation names the problem. */
const num = (text: string): number | string => (NUMBER.test(text.trim()) ? Number(text.trim()) : text);

/** The form → the object `storm()` takes: only the chosen action's fields, durations as text. */
export function stormActionFromForm(f: StormForm): Record<string, unknown> {
  const group = f.group === ALL_GROUPS ? {} : { group: f.group };
  switch (f.action) {
    case 'drop':
      return { action: 'drop', percent: num(f.percent), mode: f.mode, ...group };
    case 'blip':
      return { action: 'blip', for: f.for.trim(), ...group };
    case 'kill-host':
      return { action: 'kill-host', host: f.host, restart: f.restart };
    case 'target-kick':
      return { action: 'target-kick', percent: num(f.percent) };
    case 'target-pause':
      return { action: 'target-pause', for: f.for.trim() };
    case 'target-restart':
      return { action: 'target-restart' };
  }
}

/** One-click storms. */
export const SHORTCUTS = {
  drop30: { action: 'drop', percent: 30, mode: 'destroy' },
  killHost0: { action: 'kill-host', host: 0, restart: true },
} as const;

const NO_STORMS: StormRecord[] = [];

/** The storms of the current (or last) run: the summary's once it ended, else the live snapshot's. */
export function runStorms(s: Pick<FleetState, 'snapshot' | 'summary'>): StormRecord[] {
  return s.summary?.storms ?? s.snapshot?.storms ?? NO_STORMS;
}

/** Newest first (a copy). */
export function newestFirst(storms: readonly StormRecord[]): StormRecord[] {
  return [...storms].sort((a, b) => b.at - a.at || b.id - a.id);
}

/** Changes when a marker has to be drawn differently: a storm added, or its outcome settled. */
export function stormsDrawKey(storms: readonly StormRecord[]): string {
  let key = String(storms.length);
  for (const s of storms) key += `,${s.outcome}${s.error ? '!' : ''}`;
  return key;
}

const secs = (ms: number) => `${+(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;

/** A few characters for a chart marker: "drop 30%", "blip 5s", "kill host 0". */
export function stormShortLabel(s: Pick<StormRecord, 'action'>): string {
  const a = s.action;
  switch (a.action) {
    case 'drop':
      return `drop ${a.percent}%`;
    case 'blip':
      return `blip ${secs(a.for)}`;
    case 'kill-host':
      return `kill host ${a.host}`;
    case 'target-kick':
      return `kick ${a.percent}%`;
    case 'target-pause':
      return `pause ${secs(a.for)}`;
    case 'target-restart':
      return 'target restart';
  }
}

/** Outcome colours (as in styles.css): recovering amber, recovered green, not recovered red. */
export const OUTCOME_COLOR: Record<StormOutcome, string> = {
  recovering: '#f5a524',
  recovered: '#3ecf8e',
  'not-recovered': '#f2555a',
  'no-impact': '#8b95a7',
};

/** The card's headline: the outcome ("recovered", "recovering…") and its detail ("after 4.2s"). */
export function recoveryParts(s: StormRecord, now?: number): { status: string; detail: string } {
  if (s.error) return { status: 'failed', detail: s.error };
  switch (s.outcome) {
    case 'recovered':
      return { status: 'recovered', detail: s.recoveredAfterMs === null ? '' : `after ${secs(s.recoveredAfterMs)}` };
    case 'recovering':
      return { status: 'recovering…', detail: now !== undefined && now >= s.at ? `${fmtClock((now - s.at) / 1000)} so far` : '' };
    case 'not-recovered':
      return { status: 'not recovered', detail: 'online stayed below 99% of before' };
    case 'no-impact':
      return { status: 'no impact', detail: 'online stayed at 99% or more' };
  }
}

/** The same as one line: "recovered after 4.2s", "recovering…", "not recovered", "no impact". */
export function recoveryText(s: StormRecord, now?: number): string {
  const p = recoveryParts(s, now);
  return s.outcome === 'recovered' && p.detail && !s.error ? `${p.status} ${p.detail}` : p.status;
}

/** How far online fell, as a share of before (0 to 1). */
export function dipShare(s: Pick<StormRecord, 'onlineBefore' | 'minOnline'>): number {
  if (s.onlineBefore <= 0) return 0;
  return Math.max(0, Math.min(1, (s.onlineBefore - s.minOnline) / s.onlineBefore));
}

/**
 * Rows for marker labels so they do not overlap: each label (x = left edge, w = width, both in
 * pixels, in x order) takes the first row whose previous label ends `gap` before it. Labels that
 * fit no row share the last one.
 */
export function labelRows(labels: ReadonlyArray<{ x: number; w: number }>, maxRows: number, gap = 4): number[] {
  const ends: number[] = [];
  return labels.map(({ x, w }) => {
    let row = ends.findIndex((end) => x >= end + gap);
    if (row === -1) row = ends.length < maxRows ? ends.length : maxRows - 1;
    ends[row] = Math.max(ends[row] ?? -Infinity, x + w);
    return row;
  });
}
