// Figures of a comparison as text: values in their unit, differences signed ("+12 (+5.0%)"),
// and the table `fleetsim compare` prints.
import type { ComparedFigure, FigureDiff, FigureUnit, RunComparison } from '../../contract/run-comparison.ts';
import { fmtInt, fmtMs, fmtNum } from '../report/report-format.ts';

/** Small per-device figures keep three significant digits (0.0123%), larger ones one decimal. */
function fine(n: number): string {
  return Math.abs(n) >= 100 || n === 0 ? fmtNum(n) : String(+n.toPrecision(3));
}

export function fmtFigure(value: number | null, unit: FigureUnit): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'count':
      return fmtInt(value);
    case 'rate':
      return `${fmtNum(value)}/s`;
    case 'ms':
      return fmtMs(value);
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
  const abs = fmtFigure(Math.abs(diff.abs), unit);
  const pct = diff.pct === null ? '' : ` (${sign}${Math.abs(diff.pct) >= 10 ? Math.round(Math.abs(diff.pct)) : Math.abs(diff.pct).toFixed(1)}%)`;
  return `${sign}${abs}${pct}`;
}

/** A figure's cell for run `i`: its value, and past the first run its difference. */
export function figureCell(f: ComparedFigure, i: number): string {
  const value = fmtFigure(f.values[i], f.unit);
  return i === 0 || f.diffs[i].abs === null ? value : `${value}  ${fmtDiff(f.diffs[i], f.unit)}`;
}

function thresholdsText(t: RunComparison['runs'][number]['thresholds']): string {
  if (!t) return '—';
  return t.failed ? `${t.failed} of ${t.passed + t.failed} broken` : `all ${t.passed} held`;
}

/** The comparison as a plain-text table: one column per run, differences against the first. */
export function comparisonTable(c: RunComparison): string {
  const head = ['', ...c.runs.map((r, i) => `${i === 0 ? 'base' : `#${i + 1}`} ${r.name}`)];
  const rows: string[][] = [
    ['run', ...c.runs.map((r) => r.id)],
    ['status', ...c.runs.map((r) => `${r.status}${r.fromTimeline ? ' (no summary: from the timeline)' : ''}`)],
    ...c.figures.map((f) => [f.label, ...c.runs.map((_, i) => figureCell(f, i))]),
  ];
  if (c.runs.some((r) => r.thresholds)) rows.push(['thresholds', ...c.runs.map((r) => thresholdsText(r.thresholds))]);
  const all = [head, ...rows];
  const widths = head.map((_, col) => Math.max(...all.map((r) => r[col].length)));
  const line = (r: string[]) => r.map((cell, col) => cell.padEnd(widths[col])).join('   ').trimEnd();
  return [line(head), widths.map((w) => '─'.repeat(w)).join('   '), ...rows.map(line), '', 'differences are against the first run (base)'].join('\n');
}
