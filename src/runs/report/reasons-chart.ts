// Disconnect reasons over the run as stacked bars: each bar a stretch of seconds, each colour a
// reason (the most frequent apart, the rest as "other"), with the storm and incident markers.
// Inline SVG like the other charts.
import { OTHER_REASONS, stackReasons } from '../../contract/reason-stack.ts';
import type { TimelinePoint } from '../../contract/snapshot.ts';
import { timeTicks, valueTicks } from './axis.ts';
import { escapeHtml, html, raw, type Html } from './html.ts';
import { fmtCompact, fmtInt } from './report-format.ts';
import { CHART_MARGIN, markerMarkup, type ChartMarker } from './svg-chart.ts';

const COLORS = ['#e5484d', '#e59a0b', '#7c5cf0', '#0ea5c6', '#db2777'];
const OTHER_COLOR = '#94a3b8';
const W = 1140;
const H = 220;
const M = CHART_MARGIN;
/** Bars drawn at most: a long run's seconds are summed into stretches. */
export const MAX_REASON_BARS = 120;

const r1 = (n: number) => Math.round(n * 10) / 10;

/** The chart card, or null when no online device was dropped. */
export function reasonsChart(timeline: readonly TimelinePoint[], spanSec: number, markers: readonly ChartMarker[] = []): Html | null {
  const stack = stackReasons(
    timeline.map((p) => p.t),
    timeline.map((p) => p.disconnectsByReason),
    MAX_REASON_BARS,
  );
  if (stack.bars.length === 0) return null;
  const colorOf = (i: number) => (stack.reasons[i] === OTHER_REASONS ? OTHER_COLOR : COLORS[i % COLORS.length]);
  const span = Math.max(1, spanSec);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const ticks = valueTicks(stack.max, 4, 1);
  const x = (t: number) => r1(M.left + (Math.min(Math.max(t, 0), span) / span) * plotW);
  const y = (v: number) => r1(M.top + plotH - (v / ticks.max) * plotH);
  const parts: string[] = [];
  for (const v of ticks.values) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="${v === 0 ? '#cbd2dc' : '#edf0f4'}" stroke-width="1"/>`);
    parts.push(`<text x="${M.left - 7}" y="${r1(y(v) + 3.5)}" text-anchor="end" class="tick">${escapeHtml(fmtCompact(v))}</text>`);
  }
  const tt = timeTicks(span, 9);
  for (const t of tt.values) {
    const anchor = t === 0 ? 'start' : x(t) > W - M.right - 12 ? 'end' : 'middle';
    parts.push(`<text x="${x(t)}" y="${H - 6}" text-anchor="${anchor}" class="tick">${escapeHtml(tt.label(t))}</text>`);
  }
  for (const b of stack.bars) {
    const x0 = x(b.x0);
    // A small gap between bars, so neighbouring seconds read apart.
    const full = x(b.x1) - x0;
    const w = r1(Math.max(1, full - Math.min(2, full * 0.12)));
    let acc = 0;
    const rects = b.values.flatMap((v, i) => {
      if (v === 0) return [];
      const top = y(acc + v);
      const rect = `<rect x="${x0}" y="${top}" width="${w}" height="${r1(y(acc) - top)}" fill="${colorOf(i)}"/>`;
      acc += v;
      return [rect];
    });
    const what = stack.reasons.map((r, i) => (b.values[i] ? `${r} ${fmtInt(b.values[i])}` : '')).filter(Boolean).join(', ');
    if (rects.length) parts.push(`<g class="bar" data-t="${b.x1}"><title>${escapeHtml(`${tt.label(b.x0)}–${tt.label(b.x1)}: ${what}`)}</title>${rects.join('')}</g>`);
  }
  parts.push(...markerMarkup(markers, x, W, M.top + plotH));
  const svg = `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="Disconnects by reason over time">${parts.join('')}</svg>`;
  const totals = stack.reasons.map((_, i) => stack.bars.reduce((n, b) => n + b.values[i], 0));
  const legend = stack.reasons.map((r, i) => html`<li data-reason="${r}"><i class="swatch" style="--c:${colorOf(i)}"></i>${r} <span class="stat">${fmtInt(totals[i])}</span></li>`);
  const unit = stack.perBar > 1 ? `drops per ${stack.perBar} s, stacked` : 'drops per second, stacked';
  return html`<figure class="chart-card" data-chart="disconnect-reasons">
  <figcaption><span class="chart-title">Disconnects by reason over time</span><span class="chart-unit">${unit}</span></figcaption>
  <ul class="legend">${legend}</ul>
  ${raw(svg)}
</figure>`;
}
