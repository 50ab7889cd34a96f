// A time-series chart as inline SVG, made once when the report is written: axes with nice ticks,
// a time axis in seconds/minutes/hours of the run, one line (optionally filled) per series with
// gaps where a second had no value, vertical markers for storms and incidents, shaded bands for
// periods (the generator saturated) and an optional dashed reference line (the fleet's size).
import { byteTicks, timeTicks, valueTicks, type Ticks } from './axis.ts';
import type { XY } from './downsample.ts';
import { escapeHtml } from './html.ts';
import { fmtBytesTick, fmtCompact } from './report-format.ts';

export interface ChartSeries {
  label: string;
  color: string;
  points: XY[];
  /** Fill the area under the line. */
  area?: boolean;
  dashed?: boolean;
}

export interface ChartMarker {
  /** Seconds into the run. */
  t: number;
  /** Short tag drawn on the chart ("S1"). */
  tag: string;
  /** What it was, shown on hover. */
  title: string;
  tone: 'storm' | 'incident';
}

export interface ChartBand {
  from: number;
  to: number;
  title: string;
}

export type AxisKind = 'count' | 'rate' | 'ms' | 'pct' | 'mb' | 'bytes';

export interface ChartSpec {
  /** What the chart shows, for screen readers. */
  label: string;
  /** Seconds the time axis spans (the run's length). */
  span: number;
  axis: AxisKind;
  series: ChartSeries[];
  markers?: ChartMarker[];
  bands?: ChartBand[];
  reference?: { value: number; label: string };
  /** Size of the drawing in SVG units (the page scales it to its column). */
  width?: number;
  height?: number;
}

export const CHART_WIDTH = 560;
export const CHART_HEIGHT = 220;
export const CHART_MARGIN = { left: 46, right: 14, top: 22, bottom: 24 };
const M = CHART_MARGIN;
const TONES = { storm: '#d97706', incident: '#dc2626' } as const;

const r1 = (n: number) => Math.round(n * 10) / 10;

function yTicks(axis: AxisKind, max: number): Ticks {
  if (axis === 'bytes') return byteTicks(max);
  if (axis === 'pct') return valueTicks(Math.max(max, 1), 4, 1);
  return valueTicks(max, 4, axis === 'count' ? 1 : 0);
}

function yLabel(axis: AxisKind, v: number): string {
  if (axis === 'bytes') return fmtBytesTick(v);
  if (axis === 'pct') return `${fmtCompact(v)}%`;
  return fmtCompact(v);
}

/** The chart as an <svg> element (a string of markup; every text in it is escaped). */
export function chartSvg(spec: ChartSpec): string {
  const W = spec.width ?? CHART_WIDTH;
  const H = spec.height ?? CHART_HEIGHT;
  const PLOT_W = W - M.left - M.right;
  const PLOT_H = H - M.top - M.bottom;
  const span = Math.max(1, spec.span);
  let top = 0;
  for (const s of spec.series) for (const p of s.points) if (p.v !== null && p.v > top) top = p.v;
  if (spec.reference) top = Math.max(top, spec.reference.value);
  const ticks = yTicks(spec.axis, top);
  const x = (t: number) => r1(M.left + (Math.min(Math.max(t, 0), span) / span) * PLOT_W);
  const y = (v: number) => r1(M.top + PLOT_H - (Math.max(0, v) / ticks.max) * PLOT_H);
  const parts: string[] = [];

  // Bands under everything else.
  for (const b of spec.bands ?? []) {
    const x0 = x(b.from);
    const w = Math.max(2, x(b.to) - x0);
    parts.push(`<rect class="band" x="${x0}" y="${M.top}" width="${r1(w)}" height="${PLOT_H}" fill="#dc2626" fill-opacity="0.07"><title>${escapeHtml(b.title)}</title></rect>`);
  }

  // Value grid and labels.
  for (const v of ticks.values) {
    const yy = y(v);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="${v === 0 ? '#cbd2dc' : '#edf0f4'}" stroke-width="1"/>`);
    parts.push(`<text x="${M.left - 7}" y="${r1(yy + 3.5)}" text-anchor="end" class="tick">${escapeHtml(yLabel(spec.axis, v))}</text>`);
  }

  // Time axis.
  const tt = timeTicks(span, W < 450 ? 5 : 7);
  for (const t of tt.values) {
    const xx = x(t);
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${M.top + PLOT_H}" y2="${M.top + PLOT_H + 4}" stroke="#cbd2dc"/>`);
    const anchor = t === 0 ? 'start' : xx > W - M.right - 12 ? 'end' : 'middle';
    parts.push(`<text x="${xx}" y="${H - 6}" text-anchor="${anchor}" class="tick">${escapeHtml(tt.label(t))}</text>`);
  }

  if (spec.reference && spec.reference.value > 0) {
    const yy = y(spec.reference.value);
    parts.push(`<line class="reference" x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="#94a3b8" stroke-dasharray="5 4" stroke-width="1"/>`);
    parts.push(`<text x="${W - M.right - 2}" y="${r1(yy - 4)}" text-anchor="end" class="tick ref">${escapeHtml(spec.reference.label)}</text>`);
  }

  // Series: areas first so no fill covers a line.
  const segmentsOf = spec.series.map((s) => segments(s.points));
  spec.series.forEach((s, i) => {
    if (!s.area) return;
    const base = y(0);
    const d = segmentsOf[i]
      .filter((seg) => seg.length > 1)
      .map((seg) => `M${x(seg[0].t)} ${base}` + seg.map((p) => `L${x(p.t)} ${y(p.v!)}`).join('') + `L${x(seg[seg.length - 1].t)} ${base}Z`)
      .join('');
    if (d) parts.push(`<path class="area" d="${d}" fill="${s.color}" fill-opacity="0.13" stroke="none"/>`);
  });
  spec.series.forEach((s, i) => {
    const lines = segmentsOf[i].filter((seg) => seg.length > 1);
    const d = lines.map((seg) => seg.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.t)} ${y(p.v!)}`).join('')).join('');
    const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
    if (d) {
      parts.push(
        `<path class="series" data-series="${escapeHtml(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 1.3 : 1.7}" stroke-linejoin="round" stroke-linecap="round"${dash}><title>${escapeHtml(s.label)}</title></path>`,
      );
    }
    // A value with no neighbour (a second that stands alone between gaps) is drawn as a dot.
    const dots = segmentsOf[i].filter((seg) => seg.length === 1).map(([p]) => `<circle cx="${x(p.t)}" cy="${y(p.v!)}" r="${s.dashed ? 2 : 2.6}"/>`);
    if (dots.length) {
      const fill = s.dashed ? `fill="#fff" stroke="${s.color}" stroke-width="1.2"` : `fill="${s.color}"`;
      parts.push(`<g class="dots" data-series="${escapeHtml(s.label)}" ${fill}><title>${escapeHtml(s.label)}</title>${dots.join('')}</g>`);
    }
  });

  parts.push(...markerMarkup(spec.markers ?? [], x, W, M.top + PLOT_H));

  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.label)}">` +
    parts.join('') +
    '</svg>'
  );
}

/** Runs of consecutive values; a null point breaks the line. */
function segments(points: readonly XY[]): XY[][] {
  const out: XY[][] = [];
  let cur: XY[] = [];
  for (const p of points) {
    if (p.v === null || !Number.isFinite(p.v)) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(p);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Vertical lines with a tag on top; tags that would overlap move to a second row. */
export function markerMarkup(markers: readonly ChartMarker[], x: (t: number) => number, width: number, bottom: number): string[] {
  const out: string[] = [];
  const rowEnds = [-Infinity, -Infinity];
  for (const m of [...markers].sort((a, b) => a.t - b.t)) {
    const xx = x(m.t);
    const color = TONES[m.tone];
    const w = 8 + m.tag.length * 6.2;
    const left = Math.min(Math.max(xx - w / 2, M.left - 8), width - w - 2);
    const row = left > rowEnds[0] + 2 ? 0 : left > rowEnds[1] + 2 ? 1 : 0;
    rowEnds[row] = left + w;
    const ty = row === 0 ? 3 : M.top + 3;
    out.push(
      `<g class="marker marker-${m.tone}" data-tag="${escapeHtml(m.tag)}"><title>${escapeHtml(m.title)}</title>` +
        `<line x1="${xx}" x2="${xx}" y1="${M.top - 3}" y2="${bottom}" stroke="${color}" stroke-width="1.2" stroke-dasharray="3 3"/>` +
        `<rect x="${r1(left)}" y="${ty}" width="${r1(w)}" height="15" rx="3" fill="${color}"/>` +
        `<text x="${r1(left + w / 2)}" y="${ty + 11}" text-anchor="middle" class="tag">${escapeHtml(m.tag)}</text></g>`,
    );
  }
  return out;
}
