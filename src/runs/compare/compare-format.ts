// The table `fleetsim compare` prints: one column per run, each figure with its difference
// against the first run.
import { figureCell, runTag, thresholdsText } from '../../contract/comparison-format.ts';
import type { ComparedFigure, RunComparison } from '../../contract/run-comparison.ts';

function cellText(f: ComparedFigure, i: number): string {
  const cell = figureCell(f, i);
  return cell.diff ? `${cell.value}  ${cell.diff}` : cell.value;
}

export function comparisonTable(c: RunComparison): string {
  const head = ['', ...c.runs.map((r, i) => `${runTag(i)} ${r.name}`)];
  const rows: string[][] = [
    ['run', ...c.runs.map((r) => r.id)],
    ['status', ...c.runs.map((r) => `${r.status}${r.fromTimeline ? ' (no summary: from the timeline)' : ''}`)],
    ...c.figures.map((f) => [f.label, ...c.runs.map((_, i) => cellText(f, i))]),
  ];
  if (c.runs.some((r) => r.thresholds)) rows.push(['thresholds', ...c.runs.map((r) => thresholdsText(r.thresholds))]);
  const all = [head, ...rows];
  const widths = head.map((_, col) => Math.max(...all.map((r) => r[col].length)));
  const line = (r: string[]) => r.map((cell, col) => cell.padEnd(widths[col])).join('   ').trimEnd();
  return [line(head), widths.map((w) => '─'.repeat(w)).join('   '), ...rows.map(line), '', 'differences are against the first run (base)'].join('\n');
}
