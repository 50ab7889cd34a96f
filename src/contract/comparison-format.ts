// A comparison's figures as text, the same in `fleetsim compare`, compare.html and the app:
// values in their unit, differences signed against the first run ("+12 (+5.0%)").
import type { ComparedFigure, FigureDiff, FigureUnit } from './run-comparison.ts';

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** One decimal below 10, whole numbers above. */
function num(n: number): string {
  return n !== 0 && Math.abs(n) < 10 ? oneDecimal.format(n) : intFmt.format(Math.round(n));
}

/** Small per-device figures keep three significant digits (0.0123%), larger ones as num. */
function fine(n: number): string {
  return Math.abs(n) >= 100 || n === 0 ? num(n) : String(+n.toPrecision(3));
}

function ms(v: number): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 100) return `${Math.round(v)} ms`;
  if (v >= 1) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

export function fmtFigure(value: number | null, unit: FigureUnit): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'count':
      return intFmt.format(Math.round(value));
    case 'rate':
      return `${num(value)}/s`;
    case 'ms':
      return ms(value);
    case 'pct':
      return `${fine(value)}%`;
    case 'kb':
      return `${fine(value)} KB`;
  }
}

/** "+12 (+5.0%)", "−3.1 ms (−20%)", "±0", or "—" when unknown. */
export function fmtDiff(diff: FigureDiff, unit: FigureUnit): string {
  if (diff.abs === null) return '—';
  if (diff.abs === 0) return '±0';
  const sign = diff.abs > 0 ? '+' : '−';
  const pct = diff.pct === null ? '' : ` (${sign}${Math.abs(diff.pct) >= 10 ? Math.round(Math.abs(diff.pct)) : Math.abs(diff.pct).toFixed(1)}%)`;
  return `${sign}${fmtFigure(Math.abs(diff.abs), unit)}${pct}`;
}

/** Run `i`'s value of a figure and, past the first run, its difference (null when unknown). */
export function figureCell(f: ComparedFigure, i: number): { value: string; diff: string | null } {
  return { value: fmtFigure(f.values[i], f.unit), diff: i === 0 || f.diffs[i].abs === null ? null : fmtDiff(f.diffs[i], f.unit) };
}

/** "base", "#2", "#3" …: how a run is named in a comparison. */
export const runTag = (i: number) => (i === 0 ? 'base' : `#${i + 1}`);

export function thresholdsText(t: { passed: number; failed: number } | null): string {
  if (!t) return '—';
  return t.failed ? `${t.failed} of ${t.passed + t.failed} broken` : `all ${t.passed} held`;
}

/** Run `i`'s colour wherever runs are compared (page and app), one per run up to MAX_COMPARED_RUNS. */
const RUN_COLORS = ['#2f80ed', '#12a372', '#e59a0b', '#7c5cf0', '#e5484d', '#0ea5c6', '#db2777', '#65a30d'];
export const runColor = (i: number) => RUN_COLORS[i % RUN_COLORS.length];
