// Recorded runs as the UI shows them: status texts, the headline figures of a summary, what
// "Run again" loads into the editor, and the browser-mode download links. Pure; no React.
import type { RunDetail, RunListEntry } from '../../src/contract/runs.ts';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { scenarioToInput, type Draft } from './editor-model.ts';

export type RunStatusTone = 'ok' | 'warn' | 'live';

/** The badge of a listed run: its status, a tone, and the reason as a tooltip/line. */
export function runStatusBadge(entry: Pick<RunListEntry, 'status' | 'reason'>): { label: string; tone: RunStatusTone; reason: string | null } {
  switch (entry.status) {
    case 'complete':
      return { label: 'complete', tone: 'ok', reason: null };
    case 'recording':
      return { label: 'recording', tone: 'live', reason: 'the run is in progress and being recorded' };
    case 'incomplete':
      return { label: 'incomplete', tone: 'warn', reason: entry.reason ?? 'the record is incomplete (no reason given)' };
  }
}

/** How long a listed run lasted (ms), when it has ended. */
export function runDurationMs(entry: Pick<RunListEntry, 'startedAt' | 'endedAt'>): number | null {
  if (!entry.endedAt) return null;
  const ms = Date.parse(entry.endedAt) - Date.parse(entry.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

export type FigureKind = 'int' | 'bytes' | 'duration';

export interface Figure {
  key: string;
  label: string;
  value: number;
  kind: FigureKind;
  /** A smaller line under the value. */
  sub?: string;
  /** Coloured as a problem when not zero. */
  alarm?: boolean;
}

const sentTotal = (s: RunSummary) => s.sent.heartbeat + s.sent.status + s.sent.ping;

/** "222 heartbeat · 4 status": the kinds of message sent, those there were any of. */
function sentParts(s: RunSummary): string | undefined {
  const parts = (['heartbeat', 'status', 'ping'] as const).filter((k) => s.sent[k] > 0).map((k) => `${s.sent[k].toLocaleString('en-US')} ${k}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** The headline figures of a run's summary, in the order they are shown. */
export function summaryFigures(s: RunSummary): Figure[] {
  return [
    { key: 'devices', label: 'devices', value: s.devices, kind: 'int' },
    { key: 'peakOnline', label: 'peak online', value: s.peakOnline, kind: 'int' },
    { key: 'online', label: 'online at end', value: s.online, kind: 'int' },
    { key: 'durationMs', label: 'duration', value: s.durationMs, kind: 'duration', sub: `ended: ${s.endReason}` },
    { key: 'connects', label: 'connects', value: s.connects, kind: 'int', sub: `${s.connectAttempts.toLocaleString('en-US')} attempts` },
    { key: 'reconnects', label: 'reconnects', value: s.reconnects, kind: 'int' },
    { key: 'disconnects', label: 'disconnects', value: s.disconnects, kind: 'int', alarm: true },
    { key: 'connectFailures', label: 'connect failures', value: s.connectFailures, kind: 'int', alarm: true },
    { key: 'gaveUp', label: 'gave up', value: s.gaveUp, kind: 'int', alarm: true },
    { key: 'lost', label: 'lost', value: s.lost, kind: 'int', alarm: true },
    { key: 'sent', label: 'messages sent', value: sentTotal(s), kind: 'int', sub: sentParts(s) },
    { key: 'received', label: 'messages received', value: s.received, kind: 'int' },
    { key: 'bytesSent', label: 'bytes sent', value: s.bytes.sent, kind: 'bytes' },
    { key: 'bytesReceived', label: 'bytes received', value: s.bytes.received, kind: 'bytes' },
  ];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What "Run again" puts in the editor: the scenario as written, else the one as run; null when the run kept neither. */
export function runAgainDraft(detail: Pick<RunDetail, 'source' | 'scenario'>): Draft | null {
  if (isPlainObject(detail.source)) return structuredClone(detail.source);
  return detail.scenario ? scenarioToInput(detail.scenario) : null;
}

export type RunFileName = 'export.zip' | 'report.html';

/** Browser mode: the bridge's token-checked link to a run's zip or report (the token comes from the page's own URL). */
export function runFileUrl(id: string, file: RunFileName, pageSearch: string): string {
  const token = new URLSearchParams(pageSearch).get('token') ?? '';
  return `/runs/${encodeURIComponent(id)}/${file}?token=${encodeURIComponent(token)}`;
}

/** "file: no such file" → "no such file" (the import field shows problems about itself without its name). */
export function problemsOfField(problems: readonly string[], field: string): { mine: string[]; others: string[] } {
  const mine: string[] = [];
  const others: string[] = [];
  for (const p of problems) {
    if (p.startsWith(`${field}: `)) mine.push(p.slice(field.length + 2));
    else others.push(p);
  }
  return { mine, others };
}
