// Disconnect reasons over time as stacked bars (the live view and the report): the timeline's
// per-second drops by reason, summed into at most `maxBars` bars, the `top` most frequent reasons
// apart and the rest as "other".
export interface ReasonStack {
  /** Stacking order, bottom first; "other" last when there is one. */
  reasons: string[];
  /** Each bar spans [x0, x1) run seconds; `values[i]` counts reasons[i]. */
  bars: Array<{ x0: number; x1: number; values: number[] }>;
  /** The tallest bar's total. */
  max: number;
  /** Timeline points (seconds) summed into each bar. */
  perBar: number;
}

export const OTHER_REASONS = 'other';

export function stackReasons(x: readonly number[], byReason: ReadonlyArray<Record<string, number> | undefined>, maxBars = 60, top = 5): ReasonStack {
  const totals = new Map<string, number>();
  for (const r of byReason) for (const [k, v] of Object.entries(r ?? {})) totals.set(k, (totals.get(k) ?? 0) + v);
  const ranked = [...totals].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const named = ranked.slice(0, top).map(([k]) => k);
  const reasons = ranked.length > top ? [...named, OTHER_REASONS] : named;
  if (x.length === 0 || reasons.length === 0) return { reasons, bars: [], max: 0, perBar: 1 };
  const index = new Map(named.map((k, i) => [k, i]));
  const per = Math.max(1, Math.ceil(x.length / maxBars));
  const bars: ReasonStack['bars'] = [];
  for (let start = 0; start < x.length; start += per) {
    const end = Math.min(x.length, start + per);
    const values = reasons.map(() => 0);
    for (let i = start; i < end; i++) {
      for (const [k, v] of Object.entries(byReason[i] ?? {})) values[index.get(k) ?? reasons.length - 1] += v;
    }
    // A bar spans its seconds: from the second before its first point to its last point.
    bars.push({ x0: start === 0 ? Math.max(0, x[0] - 1) : x[start - 1], x1: x[end - 1], values });
  }
  return { reasons, bars, max: Math.max(...bars.map((b) => b.values.reduce((a, v) => a + v, 0))), perBar: per };
}
