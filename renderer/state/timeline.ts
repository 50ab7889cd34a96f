// The run's timeline in columns, ready for uPlot. Kept outside React: charts subscribe and
// call `setData` themselves, so a timeline push never re-renders a component.
import { LATENCY_KINDS, type LatencyKind } from '../../src/contract/metrics.ts';
import type { TimelinePoint } from '../../src/contract/snapshot.ts';

export type SeriesKey =
  | 'online'
  | 'connecting'
  | 'backoff'
  | 'connects'
  | 'disconnects'
  | 'sent'
  | 'received'
  | 'targetBufferedBytes'
  | 'writeQueueBytes'
  | 'inflight'
  | TargetSeriesKey
  | LatencyKind
  | P50Key;

/** A latency kind's p50 column (the bare kind is its p99). */
export type P50Key = `${LatencyKind}:p50`;
export const p50Key = (k: LatencyKind): P50Key => `${k}:p50`;

/** The embedded target's per-second figures (gaps for external targets and older records). */
export type TargetSeriesKey = 'targetMaxClientBufferedBytes' | 'targetSlowClients' | 'targetDropped' | 'targetRefused' | 'targetShed';
const TARGET_SERIES: readonly TargetSeriesKey[] = ['targetMaxClientBufferedBytes', 'targetSlowClients', 'targetDropped', 'targetRefused', 'targetShed'];

/** Points kept: four hours at one per second. */
export const TIMELINE_CAP = 4 * 3600;

const SERIES: readonly SeriesKey[] = [
  'online',
  'connecting',
  'backoff',
  'connects',
  'disconnects',
  'sent',
  'received',
  'targetBufferedBytes',
  'writeQueueBytes',
  'inflight',
  ...TARGET_SERIES,
  ...LATENCY_KINDS,
  ...LATENCY_KINDS.map(p50Key),
];

export class TimelineBuffer {
  /** Seconds since the run started, strictly increasing. */
  readonly x: number[] = [];
  readonly cols: Record<SeriesKey, Array<number | null>>;
  /** Drops of online devices during each second, by reason (the stacked reasons chart). */
  readonly reasons: Array<Record<string, number>> = [];
  /** Bumped on every change; lets subscribers skip redundant work. */
  version = 0;
  private origin: number | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly cap = TIMELINE_CAP) {
    this.cols = Object.fromEntries(SERIES.map((k) => [k, []])) as unknown as Record<SeriesKey, Array<number | null>>;
  }

  get length(): number {
    return this.x.length;
  }

  /** Replaces everything (a new run, or the timeline restored from status()). */
  reset(points: readonly TimelinePoint[] = []): void {
    this.x.length = 0;
    for (const k of SERIES) this.cols[k].length = 0;
    this.reasons.length = 0;
    this.origin = null;
    for (const p of points.slice(-this.cap)) this.append(p);
    this.changed();
  }

  push(point: TimelinePoint): void {
    this.append(point);
    if (this.x.length > this.cap) {
      const drop = this.x.length - this.cap;
      this.x.splice(0, drop);
      for (const k of SERIES) this.cols[k].splice(0, drop);
      this.reasons.splice(0, drop);
    }
    this.changed();
  }

  /** uPlot's AlignedData for these series: [x, ...ys]. The arrays are live; do not mutate. */
  data(keys: readonly SeriesKey[]): [number[], ...Array<Array<number | null>>] {
    return [this.x, ...keys.map((k) => this.cols[k])];
  }

  last(key: SeriesKey): number | null {
    const col = this.cols[key];
    return col.length ? col[col.length - 1] : null;
  }

  /** A wall-clock time (ms) on this buffer's x axis (run seconds); null before the first point. */
  xAt(at: number): number | null {
    return this.origin === null ? null : (at - this.origin) / 1000;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private append(p: TimelinePoint): void {
    // `t` is rounded to whole seconds and the final point of a run can repeat it; derive x
    // from the wall clock instead so it stays strictly increasing.
    this.origin ??= p.at - p.t * 1000;
    const prev = this.x.length ? this.x[this.x.length - 1] : -Infinity;
    const x = Math.max((p.at - this.origin) / 1000, prev + 0.001);
    this.x.push(Math.round(x * 1000) / 1000);
    this.cols.online.push(p.online);
    this.cols.connecting.push(p.connecting);
    this.cols.backoff.push(p.backoff);
    this.cols.connects.push(p.connects);
    this.cols.disconnects.push(p.disconnects);
    this.cols.sent.push(p.sent);
    this.cols.received.push(p.received);
    // Points from before backpressure was measured lack these: zero.
    this.cols.targetBufferedBytes.push(p.targetBufferedBytes ?? 0);
    this.cols.writeQueueBytes.push(p.writeQueueBytes ?? 0);
    this.cols.inflight.push(p.inflight ?? 0);
    for (const k of TARGET_SERIES) this.cols[k].push(p[k] ?? null);
    // No latency recorded that second: a gap, not a zero (zero would also break a log scale).
    for (const k of LATENCY_KINDS) {
      this.cols[k].push(p.p99?.[k] ? p.p99[k] : null);
      this.cols[p50Key(k)].push(p.p50?.[k] ? p.p50[k] : null);
    }
    this.reasons.push(p.disconnectsByReason ?? {});
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}

/** The one timeline of the app. */
export const timeline = new TimelineBuffer();
