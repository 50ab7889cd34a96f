// A scenario's `thresholds:`: pass/fail checks a QA engineer types, such as "puback.p99 < 200ms"
// or "online >= 99.9%". Grammar: <metric> <operator> <number>[unit] [every <window>]; an item is
// the text, or { check, window }: a window makes the check hold in every window of the run's
// one-second timeline.
import { z } from 'zod';
import { DURATION_JSON_SCHEMA, formatDuration, parseDuration } from './duration.ts';
import { LATENCY_KINDS, type LatencyKind } from './metrics.ts';

/** `fleetsim run` exits with this when a threshold was broken (0, 1, 2 and 130 mean other things). */
export const THRESHOLD_BROKEN_EXIT = 99;

export const THRESHOLD_OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];

const LATENCY_STATS = ['p50', 'p90', 'p99', 'max'] as const;
/** Latency stats the timeline keeps per second, so a window can be checked. */
const WINDOWED_LATENCY_STATS = ['p50', 'p99'];

interface CountMetric {
  kind: 'count';
  /** What 100% is, when the metric may be written as a share. */
  percentOf?: 'devices' | 'connectAttempts';
  windowed: boolean;
}
/** Counts (and rates of the counters) a threshold can name; latencies are `<kind>.<stat>`. */
export const COUNT_METRICS: Record<string, CountMetric> = {
  online: { kind: 'count', percentOf: 'devices', windowed: true },
  peakOnline: { kind: 'count', percentOf: 'devices', windowed: false },
  connects: { kind: 'count', windowed: true },
  connectFailures: { kind: 'count', percentOf: 'connectAttempts', windowed: false },
  disconnects: { kind: 'count', windowed: true },
  reconnects: { kind: 'count', windowed: false },
  gaveUp: { kind: 'count', percentOf: 'devices', windowed: false },
  lost: { kind: 'count', percentOf: 'devices', windowed: false },
  /** Generator hosts that saturated. */
  saturation: { kind: 'count', windowed: false },
};
/** Counters that may also be checked as a rate per second of the run (`disconnects/s`). */
export const RATE_METRICS = ['connects', 'connectFailures', 'disconnects', 'reconnects'] as const;

export type ThresholdMetric =
  | { kind: 'count'; name: string }
  | { kind: 'rate'; name: (typeof RATE_METRICS)[number] }
  | { kind: 'latency'; latency: LatencyKind; stat: (typeof LATENCY_STATS)[number] };

/** A parsed threshold: `value` in ms for latencies, percent for '%', else a plain number. */
export interface Threshold {
  /** As written (trimmed). */
  check: string;
  metric: ThresholdMetric;
  op: ThresholdOperator;
  value: number;
  unit: 'ms' | '%' | '';
  /** Window length in ms (whole seconds); null: the whole run. */
  window: number | null;
}

/** One threshold after the run: what was measured (in the threshold's unit) and whether it held. */
export interface ThresholdResult {
  check: string;
  /** Window length in ms; absent for a whole-run check. */
  window?: number;
  unit: Threshold['unit'] | '/s';
  /** The run's value, or for a windowed check the worst window's; null when nothing was measured. */
  measured: number | null;
  pass: boolean;
  /** Windowed: how many windows, how many broke it, and the worst one (seconds into the run). */
  windows?: { count: number; failed: number; worstFrom: number; worstTo: number };
  /** Why there is no value, e.g. "no puback latencies were recorded". */
  note?: string;
}

const KNOWN_METRICS = [
  ...Object.keys(COUNT_METRICS),
  ...RATE_METRICS.map((m) => `${m}/s`),
  `<kind>.<${LATENCY_STATS.join('|')}> (kind: ${LATENCY_KINDS.join(', ')})`,
].join(', ');
const WINDOWED_METRICS = [
  ...Object.keys(COUNT_METRICS).filter((k) => COUNT_METRICS[k].windowed),
  'connects/s',
  'disconnects/s',
  `<kind>.${WINDOWED_LATENCY_STATS.join('|')}`,
].join(', ');
const SHAPE = /^\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)?(?:\/s)?)\s*(<=|>=|==|!=|<|>)\s*(.*?)\s*$/;
const EVERY = /\s+every\s+(\S+)\s*$/;
const NUMBER = /^(-?\d+(?:\.\d+)?)\s*(ms|s|%)?$/;

function parseMetric(name: string): ThresholdMetric | string {
  if (name in COUNT_METRICS) return { kind: 'count', name };
  if (name.endsWith('/s')) {
    const base = name.slice(0, -2);
    if ((RATE_METRICS as readonly string[]).includes(base)) return { kind: 'rate', name: base as (typeof RATE_METRICS)[number] };
  }
  const [kind, stat] = name.split('.');
  if (stat !== undefined && (LATENCY_KINDS as readonly string[]).includes(kind) && (LATENCY_STATS as readonly string[]).includes(stat)) {
    return { kind: 'latency', latency: kind as LatencyKind, stat: stat as (typeof LATENCY_STATS)[number] };
  }
  return `unknown metric "${name}" (known: ${KNOWN_METRICS})`;
}

function windowedMetric(m: ThresholdMetric): boolean {
  if (m.kind === 'count') return COUNT_METRICS[m.name].windowed;
  if (m.kind === 'rate') return m.name === 'connects' || m.name === 'disconnects';
  return WINDOWED_LATENCY_STATS.includes(m.stat);
}

/**
 * Parses one threshold's text; a string is the problem, worded for the person who typed it. The
 * text may end with "every 10s" (the same as a window), so a --threshold flag can have one too.
 */
export function parseThreshold(text: string, window: number | null = null): Threshold | string {
  const every = EVERY.exec(text);
  if (every) {
    if (window !== null) return `the window is given twice: "every ${every[1]}" and window`;
    const ms = parseWindow(every[1]);
    if (typeof ms === 'string') return `"every ${every[1]}": ${ms}`;
    return parseThreshold(text.slice(0, every.index), ms);
  }
  const shape = SHAPE.exec(text);
  if (!shape) return `expected "<metric> <operator> <value>", e.g. "puback.p99 < 200ms" (operators: ${THRESHOLD_OPERATORS.join(' ')}), got "${text}"`;
  const [, name, op, valueText] = shape;
  const metric = parseMetric(name);
  if (typeof metric === 'string') return metric;
  const number = NUMBER.exec(valueText);
  if (!number) return `"${valueText}" after ${op} is not a number${metric.kind === 'latency' ? ' with a unit like "200ms" or "1s"' : ''}`;
  let value = Number(number[1]);
  const unitText = number[2] ?? '';
  let unit: Threshold['unit'] = '';
  if (metric.kind === 'latency') {
    if (unitText !== 'ms' && unitText !== 's') return `${name} is a latency: give its unit, ms or s (e.g. "${value}ms")`;
    if (unitText === 's') value *= 1000;
    unit = 'ms';
  } else if (unitText === '%') {
    const of = metric.kind === 'count' ? COUNT_METRICS[metric.name].percentOf : undefined;
    if (!of) return `${name} cannot be a percentage: write a plain number`;
    if (value < 0 || value > 100) return `${value}% is not a percentage from 0 to 100`;
    unit = '%';
  } else if (unitText) {
    return `${name} is ${metric.kind === 'rate' ? 'a rate per second' : 'a count'}: write a plain number, without "${unitText}"`;
  }
  if (window !== null && !windowedMetric(metric)) return `${name} cannot be checked per window (a window reads the one-second timeline: ${WINDOWED_METRICS})`;
  return { check: text.trim(), metric, op: op as ThresholdOperator, value, unit, window };
}

function parseWindow(value: unknown): number | string {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) return 'expected a duration like "10s" (units: ms, s, m, h)';
  if (ms < 1000 || ms % 1000 !== 0) return `must be whole seconds, at least 1s (the timeline has one point per second), got "${value as string}"`;
  return ms;
}

const thresholdItem = z
  .union([z.string().max(200, 'must be at most 200 characters'), z.strictObject({ check: z.string().max(200, 'must be at most 200 characters'), window: z.unknown().meta(DURATION_JSON_SCHEMA).optional() })], {
    error: 'expected a check like "puback.p99 < 200ms", or { check, window: 10s }',
  })
  .transform((item, ctx): Threshold => {
    const text = typeof item === 'string' ? item : item.check;
    let window: number | null = null;
    if (typeof item === 'object' && item.window !== undefined) {
      const parsed = parseWindow(item.window);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', path: ['window'], message: parsed });
        return z.NEVER;
      }
      window = parsed;
    }
    const threshold = parseThreshold(text, window);
    if (typeof threshold === 'string') {
      ctx.addIssue({ code: 'custom', path: typeof item === 'string' ? [] : ['check'], message: threshold });
      return z.NEVER;
    }
    return threshold;
  });

export const thresholdsSchema = z.array(thresholdItem).max(100, 'must have at most 100 entries');

/** A parsed threshold back into what a scenario file holds. */
export function thresholdInput(t: Threshold): string | { check: string; window: string } {
  return t.window === null ? t.check : { check: t.check, window: formatDuration(t.window) };
}

/** "187 ms", "99.95%", "0.4/s", "3"; "—" when nothing was measured. */
export function formatMeasured(r: Pick<ThresholdResult, 'measured' | 'unit'>): string {
  if (r.measured === null) return '—';
  const n = +r.measured.toFixed(r.unit === '' ? 0 : r.unit === 'ms' ? 1 : 3);
  const text = n.toLocaleString('en-US', { maximumFractionDigits: 3 });
  return r.unit === 'ms' ? `${text} ms` : `${text}${r.unit}`;
}

/** The check as shown next to its result: "puback.p99 < 200ms (every 10s window)". */
export function thresholdLabel(r: Pick<ThresholdResult, 'check' | 'window'>): string {
  return r.window ? `${r.check} (every ${formatDuration(r.window)} window)` : r.check;
}

/** What else there is to say of a result: where a window broke it, or why nothing was measured. */
export function thresholdDetail(r: ThresholdResult): string {
  if (r.note) return r.note;
  const w = r.windows;
  if (!w) return '';
  const worst = `worst window ${w.worstFrom}–${w.worstTo} s`;
  return w.failed ? `${worst}; ${w.failed} of ${w.count} windows broke it` : `${worst}; all ${w.count} windows held`;
}
