// Checks a run's thresholds against its summary (whole run) or its one-second timeline (windows).
// Pure: the same function serves a run as it ends and any summary read back.
import type { RunSummary, TimelinePoint } from '../contract/snapshot.ts';
import type { Threshold, ThresholdOperator, ThresholdResult } from '../contract/thresholds.ts';
import { COUNT_METRICS } from '../contract/thresholds.ts';

type Measure = { value: number; note?: undefined } | { value: null; note: string };

const HOLDS: Record<ThresholdOperator, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

function countOf(name: string, s: RunSummary): number {
  if (name === 'saturation') return new Set(s.saturation.map((r) => `${r.shard ?? 0}/${r.hostId}`)).size;
  return s[name as 'online' | 'peakOnline' | 'connects' | 'connectFailures' | 'disconnects' | 'reconnects' | 'gaveUp' | 'lost'];
}

/** n·100/whole, not n/whole·100: 476 of 500 is 95.2%, exactly what "online >= 95.2%" says. */
const percent = (n: number, whole: number) => (n * 100) / whole;

function share(count: number, of: 'devices' | 'connectAttempts', s: RunSummary): Measure {
  const whole = s[of];
  if (whole === 0) return { value: null, note: of === 'devices' ? 'the run had no devices' : 'there were no connect attempts' };
  return { value: percent(count, whole) };
}

/** The whole run's value, in the threshold's unit. */
function runValue(t: Threshold, s: RunSummary): Measure {
  const m = t.metric;
  if (m.kind === 'count') {
    const n = countOf(m.name, s);
    const of = COUNT_METRICS[m.name].percentOf;
    return t.unit === '%' && of ? share(n, of, s) : { value: n };
  }
  if (m.kind === 'rate') {
    if (s.durationMs <= 0) return { value: null, note: 'the run lasted no time' };
    return { value: s[m.name] / (s.durationMs / 1000) };
  }
  const l = s.latencyMs[m.latency];
  if (!l || l.count === 0) return { value: null, note: `no ${m.latency} latencies were recorded` };
  return { value: l[m.stat] };
}

/** One window's value: gauges at its last second, counts summed, rates per second, latencies the worst second's. */
function windowValue(t: Threshold, points: TimelinePoint[], devices: number): Measure {
  const m = t.metric;
  const last = points[points.length - 1];
  if (m.kind === 'latency') {
    const values = points.map((p) => (m.stat === 'p50' ? p.p50 : p.p99)[m.latency] ?? 0).filter((v) => v > 0);
    if (values.length === 0) return { value: null, note: `no ${m.latency} latencies in this window` };
    return { value: Math.max(...values) };
  }
  if (m.name === 'online') {
    if (t.unit !== '%') return { value: last.online };
    return devices === 0 ? { value: null, note: 'the run had no devices' } : { value: percent(last.online, devices) };
  }
  const sum = points.reduce((n, p) => n + (m.name === 'connects' ? p.connects : p.disconnects), 0);
  return { value: m.kind === 'rate' ? sum / points.length : sum };
}

/** Worst of two measured values for this threshold: the one further on the failing side. */
function worse(t: Threshold, a: number, b: number): boolean {
  return t.op === '<' || t.op === '<=' ? a > b : t.op === '>' || t.op === '>=' ? a < b : !HOLDS[t.op](a, t.value) && HOLDS[t.op](b, t.value);
}

function windowed(t: Threshold, s: RunSummary, timeline: TimelinePoint[]): ThresholdResult {
  const seconds = (t.window ?? 1000) / 1000;
  // The second closed after the stop holds the run's last moments and the teardown: its counts and
  // latencies are the run's (closing a device at the stop is not a drop), its gauges are not.
  const endedAt = Date.parse(s.endedAt);
  const closing = timeline.find((p) => p.at > endedAt);
  const points = timeline.filter((p) => p.at <= endedAt);
  if (closing) points.push({ ...closing, online: s.online });
  const base = { check: t.check, window: t.window ?? undefined, unit: t.metric.kind === 'rate' ? ('/s' as const) : t.unit };
  if (points.length === 0) return { ...base, measured: null, pass: false, note: 'the run has no timeline' };
  let count = 0;
  let failed = 0;
  let worst: { value: number; from: number; to: number } | null = null;
  for (let i = 0; i < points.length; i += seconds) {
    const slice = points.slice(i, i + seconds);
    const v = windowValue(t, slice, s.devices);
    count++;
    if (v.value === null) continue; // nothing measured in this window (e.g. no latencies): nothing broken
    if (!HOLDS[t.op](v.value, t.value)) failed++;
    if (!worst || worse(t, v.value, worst.value)) worst = { value: v.value, from: Math.max(0, slice[0].t - 1), to: slice[slice.length - 1].t };
  }
  if (!worst) return { ...base, measured: null, pass: false, windows: { count, failed, worstFrom: 0, worstTo: 0 }, note: 'nothing was measured in any window' };
  return { ...base, measured: worst.value, pass: failed === 0, windows: { count, failed, worstFrom: worst.from, worstTo: worst.to } };
}

/** Each threshold with its measured value and whether it held; one with nothing measured fails. */
export function evaluateThresholds(thresholds: readonly Threshold[], summary: RunSummary, timeline: readonly TimelinePoint[]): ThresholdResult[] {
  return thresholds.map((t) => {
    if (t.window !== null) return windowed(t, summary, [...timeline]);
    const v = runValue(t, summary);
    const unit = t.metric.kind === 'rate' ? '/s' : t.unit;
    if (v.value === null) return { check: t.check, unit, measured: null, pass: false, note: v.note };
    return { check: t.check, unit, measured: v.value, pass: HOLDS[t.op](v.value, t.value) };
  });
}

/** True when every threshold held (and so when there are none). */
export const thresholdsHeld = (results: readonly ThresholdResult[] | undefined): boolean => (results ?? []).every((r) => r.pass);
