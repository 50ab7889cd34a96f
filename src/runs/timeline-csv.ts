// timeline.csv: one row per second of a run, written as each second closes and read back into
// TimelinePoints. Per-host figures follow the fixed columns as host<N>_cpuPct, _rssMB, _loopLagP99Ms;
// drops by reason sit in one cell as `reason=count;reason=count`.
import { LATENCY_KINDS, type LatencyKind } from '../contract/metrics.ts';
import type { TimelinePoint } from '../contract/snapshot.ts';

/** Target columns of timeline.csv and the TimelinePoint field each holds. */
const TARGET_COLUMNS = [
  ['targetMaxClientBufferedBytes', 'targetMaxClientBufferedBytes'],
  ['targetSlowClients', 'targetSlowClients'],
  ['targetDroppedPerSec', 'targetDropped'],
  ['targetRefusedPerSec', 'targetRefused'],
  ['targetShedPerSec', 'targetShed'],
] as const;

export const TIMELINE_COLUMNS = [
  't',
  'at',
  'online',
  'connecting',
  'backoff',
  'connectsPerSec',
  'disconnectsPerSec',
  'disconnectsByReason',
  'sentPerSec',
  'receivedPerSec',
  'bytesSentPerSec',
  'writeQueueBytes',
  'inflight',
  'targetBufferedBytes',
  ...LATENCY_KINDS.flatMap((k) => [`${k}P50Ms`, `${k}P99Ms`]),
  // Added later: files from before them have no such columns (read back as absent).
  'connectRate',
  // The embedded target's side (empty for an external target): the largest client's buffer, slow
  // clients, and clients dropped at the cap, refused over the accept rate, shed under overload this second.
  ...TARGET_COLUMNS.map(([column]) => column),
] as const;

const HOST_FIELDS = ['cpuPct', 'rssMB', 'loopLagP99Ms'] as const;

export function timelineHeader(hosts: number): string {
  const hostCols = Array.from({ length: hosts }, (_, h) => HOST_FIELDS.map((f) => `host${h}_${f}`)).flat();
  return [...TIMELINE_COLUMNS, ...hostCols].join(',') + '\n';
}

/** Reasons are made of [a-z0-9:_-]; anything else is dropped so a cell never needs quoting. */
function reasonsCell(byReason: Record<string, number>): string {
  return Object.entries(byReason)
    .map(([r, n]) => `${r.replace(/[^A-Za-z0-9:_.-]/g, '_')}=${n}`)
    .join(';');
}

export function timelineRow(p: TimelinePoint, hosts: number): string {
  const cells: Array<string | number> = [
    p.t,
    new Date(p.at).toISOString(),
    p.online,
    p.connecting,
    p.backoff,
    p.connects,
    p.disconnects,
    reasonsCell(p.disconnectsByReason ?? {}),
    p.sent,
    p.received,
    p.bytesSent,
    p.writeQueueBytes,
    p.inflight,
    p.targetBufferedBytes,
    ...LATENCY_KINDS.flatMap((k) => [p.p50?.[k] ?? 0, p.p99[k] ?? 0]),
    p.connectRate ?? '',
    ...TARGET_COLUMNS.map(([, field]) => p[field] ?? ''),
  ];
  for (let h = 0; h < hosts; h++) {
    const host = p.hosts.find((x) => x.hostId === h);
    cells.push(host?.cpuPct ?? '', host?.rssMB ?? '', host?.loopLagP99Ms ?? '');
  }
  return cells.join(',') + '\n';
}

export interface ParsedTimeline {
  points: TimelinePoint[];
  /** Rows that could not be read: a torn last line after a crash, or damage. */
  skipped: number;
}

/** Reads timeline.csv text back; a row with the wrong number of cells (a torn write) is skipped. */
export function parseTimeline(text: string): ParsedTimeline {
  const lines = text.split('\n');
  const header = lines[0]?.split(',') ?? [];
  const col = new Map(header.map((name, i) => [name, i]));
  const hostIds = [...new Set(header.map((h) => /^host(\d+)_/.exec(h)?.[1]).filter((x): x is string => x !== undefined))].map(Number);
  const points: TimelinePoint[] = [];
  let skipped = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const cells = line.split(',');
    // A torn last line (the app was killed mid-write) has fewer cells, or ends mid-number with no newline.
    const torn = i === lines.length - 1 && !text.endsWith('\n');
    if (cells.length !== header.length || torn) {
      skipped++;
      continue;
    }
    const num = (name: string) => Number(cells[col.get(name) ?? -1] ?? 0) || 0;
    const p50 = {} as Record<LatencyKind, number>;
    const p99 = {} as Record<LatencyKind, number>;
    for (const k of LATENCY_KINDS) {
      p50[k] = num(`${k}P50Ms`);
      p99[k] = num(`${k}P99Ms`);
    }
    const disconnectsByReason: Record<string, number> = {};
    for (const pair of (cells[col.get('disconnectsByReason') ?? -1] ?? '').split(';')) {
      const eq = pair.lastIndexOf('=');
      if (eq > 0) disconnectsByReason[pair.slice(0, eq)] = Number(pair.slice(eq + 1)) || 0;
    }
    points.push({
      t: num('t'),
      at: Date.parse(cells[col.get('at') ?? -1] ?? '') || 0,
      online: num('online'),
      connecting: num('connecting'),
      backoff: num('backoff'),
      connects: num('connectsPerSec'),
      disconnects: num('disconnectsPerSec'),
      disconnectsByReason,
      sent: num('sentPerSec'),
      received: num('receivedPerSec'),
      bytesSent: num('bytesSentPerSec'),
      writeQueueBytes: num('writeQueueBytes'),
      inflight: num('inflight'),
      targetBufferedBytes: num('targetBufferedBytes'),
      p50,
      p99,
      ...(col.has('connectRate') && cells[col.get('connectRate') ?? -1] !== '' ? { connectRate: num('connectRate') } : {}),
      ...Object.fromEntries(TARGET_COLUMNS.filter(([c]) => col.has(c) && cells[col.get(c) ?? -1] !== '').map(([c, field]) => [field, num(c)])),
      hosts: hostIds
        .filter((h) => cells[col.get(`host${h}_cpuPct`) ?? -1] !== '')
        .map((h) => ({ hostId: h, cpuPct: num(`host${h}_cpuPct`), rssMB: num(`host${h}_rssMB`), loopLagP99Ms: num(`host${h}_loopLagP99Ms`) })),
    });
  }
  return { points, skipped };
}

/** Thins a long timeline to at most `max` points, evenly (keeps the first and last). */
export function thinTimeline(points: TimelinePoint[], max: number): TimelinePoint[] {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]);
}
