// A uPlot chart of timeline series. React renders the frame once; data arrives from the
// TimelineBuffer subscription and goes to uplot.setData in a coming animation frame (no
// re-render; the charts' redraws are spread over frames by the frame queue). The legend
// values are written to the DOM directly too (latest point, or the point under the cursor).
// Storms are drawn as dashed markers by a draw hook that reads them from the chart's source:
// the live run by default, or a past run read back from disk.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { BYTE_INCRS, fmtBytes, fmtBytesTick, fmtClock, fmtInt, fmtMs, fmtRate } from '../lib/format.ts';
import { followSize } from '../lib/chart-size.ts';
import { chartFrames } from '../lib/frame-queue.ts';
import { perfProbe } from '../lib/perf-probe.ts';
import { liveChartSource, type ChartSource } from '../state/chart-source.ts';
import { OUTCOME_COLOR, labelRows, stormShortLabel } from '../state/storms.ts';
import type { SeriesKey } from '../state/timeline.ts';

export interface SeriesSpec {
  key: SeriesKey;
  label: string;
  color: string;
  /** Filled area under the line. */
  fill?: boolean;
}

export type ValueKind = 'count' | 'rate' | 'ms' | 'bytes';

interface Props {
  title: string;
  series: readonly SeriesSpec[];
  kind: ValueKind;
  /** Logarithmic y axis (latencies span orders of magnitude). */
  log?: boolean;
  unit?: string;
  /** Where the points and storms come from (default: the live run). */
  source?: ChartSource;
}

const AXIS = '#7d8799';
/** Whole-number tick steps for counts and rates (no "0.25 devices"). */
const INT_INCRS = Array.from({ length: 10 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();
/** Time-axis steps in seconds that read well as m:ss. */
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400];
const GRID = 'rgba(148, 163, 184, 0.09)';
const FONT = '10.5px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** 1234 → "1.2k", for axis ticks. */
function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${Math.round(v / 1e3)}k`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  if (a > 0 && a < 1) return `${+v.toFixed(2)}`;
  return `${+v.toFixed(1)}`;
}

/** Marker labels stack in at most this many rows before they overlap. */
const MARK_ROWS = 2;

/**
 * Storm markers: a dashed line at each storm's time and a small label at the top of the plot,
 * coloured by outcome. Reads the storms from the source on every draw (no React involved).
 */
function drawStormMarkers(u: uPlot, source: ChartSource): void {
  const storms = source.storms();
  const timeline = source.timeline;
  const min = u.scales.x.min;
  const max = u.scales.x.max;
  if (storms.length === 0 || min === undefined || max === undefined) return;
  const px = uPlot.pxRatio;
  const { left, top, width, height } = u.bbox;
  // On the chart's own x (run seconds from the timeline's wall-clock origin); before the first
  // point only the storm's rounded `t` is known.
  const marks = storms
    .map((s) => ({ s, x: timeline.xAt(s.at) ?? s.t }))
    .filter((m) => m.x >= min && m.x <= max)
    .sort((a, b) => a.x - b.x);
  if (marks.length === 0) return;

  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.font = `600 ${10 * px}px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const padX = 5 * px;
  const boxH = 15 * px;
  const labels = marks.map((m) => {
    const cx = Math.round(u.valToPos(m.x, 'x', true)) + 0.5;
    const text = stormShortLabel(m.s);
    const w = Math.ceil(ctx.measureText(text).width) + padX * 2;
    // Right of the line, or left of it near the right edge.
    const x = cx + w + 2 * px > left + width ? cx - w - 1 * px : cx + 1 * px;
    return { cx, text, w, x, color: OUTCOME_COLOR[m.s.error ? 'not-recovered' : m.s.outcome] };
  });
  const rows = labelRows(labels, MARK_ROWS, 4 * px);

  ctx.lineWidth = px;
  ctx.setLineDash([4 * px, 3 * px]);
  for (const l of labels) {
    ctx.strokeStyle = l.color;
    ctx.globalAlpha = 0.85;
    ctx.beginPath();
    ctx.moveTo(l.cx, top);
    ctx.lineTo(l.cx, top + height);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  labels.forEach((l, i) => {
    const y = top + 2 * px + rows[i] * (boxH + 2 * px);
    ctx.fillStyle = 'rgba(10, 13, 19, 0.88)';
    ctx.strokeStyle = l.color;
    ctx.beginPath();
    ctx.roundRect(l.x, y, l.w, boxH, 3 * px);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = '#e6ebf3';
    ctx.fillText(l.text, l.x + padX, y + boxH / 2 + 0.5 * px);
  });
  ctx.restore();
}

function fill(color: string): string {
  // "#rrggbb" → translucent fill
  return `${color}26`;
}

export function TimelineChart({ title, series, kind, log, unit, source = liveChartSource }: Props) {
  const plotRef = useRef<HTMLDivElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const valueRefs = useRef<Array<HTMLSpanElement | null>>([]);
  const atRef = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    const el = plotRef.current;
    const wrap = wrapRef.current;
    if (!el || !wrap) return;
    const timeline = source.timeline;
    const keys = series.map((s) => s.key);
    const fmtValue = (v: number | null | undefined) =>
      v === null || v === undefined ? '—' : kind === 'ms' ? fmtMs(v) : kind === 'rate' ? fmtRate(v) : kind === 'bytes' ? fmtBytes(v) : fmtInt(v);

    const showLegend = (idx: number | null | undefined) => {
      const n = timeline.length;
      const i = idx === null || idx === undefined ? n - 1 : idx;
      series.forEach((s, k) => {
        const span = valueRefs.current[k];
        if (span) span.textContent = i >= 0 && i < n ? fmtValue(timeline.cols[s.key][i]) : '—';
      });
      // While hovering, the legend shows the point under the cursor, else the latest one.
      if (atRef.current) atRef.current.textContent = idx !== null && idx !== undefined && i >= 0 && i < n ? `at ${fmtClock(timeline.x[i])}` : '';
      wrap.classList.toggle('empty', n === 0);
    };

    // Bytes: at least 1 KB of axis, so an idle buffer does not draw "2 B" ticks.
    const yFloor = kind === 'bytes' ? 1024 : 4;
    const xMax = () => source.minSpanSec();
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height: Math.max(60, el.clientHeight),
      legend: { show: false },
      padding: [8, 16, 0, 0],
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 5 } },
      scales: {
        x: { time: false, range: (_u, _min, max) => [0, Math.max(xMax(), max ?? 0, 5)] },
        y: log
          ? {
              distr: 3,
              log: 10,
              range: (_u, min, max) => (min === null || max === null || !(max > 0) ? [0.1, 100] : uPlot.rangeLog(Math.max(min, 0.01), max, 10, true)),
            }
          : // More headroom while storm markers are drawn, so their labels sit above the lines.
            { range: (_u, _min, max) => [0, max !== null && max > 0 ? Math.max(max * (source.storms().length ? 1.3 : 1.12), yFloor) : yFloor === 4 ? 10 : yFloor] },
      },
      axes: [
        {
          stroke: AXIS,
          font: FONT,
          size: 24,
          incrs: TIME_INCRS,
          grid: { stroke: GRID, width: 1 },
          ticks: { stroke: GRID, width: 1, size: 4 },
          values: (_u, splits) => splits.map((v: number | null) => (v === null || v === undefined ? '' : fmtClock(v))),
        },
        {
          stroke: AXIS,
          font: FONT,
          size: 44,
          gap: 4,
          incrs: log ? undefined : kind === 'bytes' ? (BYTE_INCRS as number[]) : INT_INCRS,
          grid: { stroke: GRID, width: 1 },
          ticks: { show: false },
          // Log axes hand over null for the ticks they leave unlabelled.
          values: (_u, splits) =>
            splits.map((v: number | null) =>
              v === null || v === undefined ? '' : kind === 'ms' ? (v >= 1000 ? `${+(v / 1000).toFixed(1)}s` : compact(v)) : kind === 'bytes' ? fmtBytesTick(v) : compact(v),
            ),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          fill: s.fill ? fill(s.color) : undefined,
          points: { show: false },
          spanGaps: kind === 'ms',
        })),
      ],
      hooks: {
        setCursor: [(u: uPlot) => showLegend(u.cursor.idx)],
        draw: [(u: uPlot) => drawStormMarkers(u, source)],
      },
    };
    const data = () => timeline.data(keys) as uPlot.AlignedData;
    const u = new uPlot(opts, data(), el);
    showLegend(null);

    let lastVersion = timeline.version;
    const redraw = () => {
      const probe = perfProbe();
      const startedAt = probe ? performance.now() : 0;
      // batch: drawn now rather than in a microtask, so the frame queue sees what it cost.
      u.batch(() => u.setData(data()));
      probe?.record('chart', performance.now() - startedAt);
      // How many seconds the chart draws (end-to-end tests wait on it instead of sleeping).
      if (wrapRef.current) wrapRef.current.dataset.points = String(timeline.length);
      if (u.cursor.idx === null || u.cursor.idx === undefined) showLegend(null);
    };
    // A point redraws every chart: one or two a frame, not all of them in the task that applied it.
    const offTimeline = timeline.subscribe(() => {
      if (timeline.version === lastVersion) return;
      lastVersion = timeline.version;
      chartFrames.schedule(u, redraw);
    });
    // A new run changes the x range (its duration) before the first point arrives. Storm
    // markers redraw only when a storm is added or settles (not on every snapshot).
    const offRun = source.subscribe((what) => (what === 'run' ? u.setData(data()) : u.redraw(false)));
    const unfollow = followSize(u, el);
    return () => {
      unfollow();
      offTimeline();
      offRun();
      chartFrames.cancel(u);
      u.destroy();
    };
  }, [series, kind, log, source]);

  return (
    <section className="panel chart" data-testid="timeline-chart" ref={wrapRef}>
      <div className="chart-head">
        <span className="chart-title">{title}</span>
        {unit ? <span className="muted small">{unit}</span> : null}
        <div className="chart-legend">
          <span className="chart-at muted num" ref={atRef} />
          {series.map((s, i) => (
            <span className="legend-item" key={s.key}>
              <span className="swatch" style={{ background: s.color }} />
              <span className="legend-label">{s.label}</span>
              <span
                className="legend-value num"
                ref={(node) => {
                  valueRefs.current[i] = node;
                }}
              >
                —
              </span>
            </span>
          ))}
        </div>
      </div>
      <div className="chart-plot" ref={plotRef}>
        <div className="chart-empty">{source.emptyText}</div>
      </div>
    </section>
  );
}
