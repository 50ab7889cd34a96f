// A uPlot chart of timeline series. React renders the frame once; data arrives from the
// TimelineBuffer subscription and goes straight to uplot.setData (no re-render). The legend
// values are written to the DOM directly too (latest point, or the point under the cursor).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { fmtClock, fmtInt, fmtMs, fmtRate } from '../lib/format.ts';
import { fleetStore } from '../state/fleet-store.ts';
import { timeline, type SeriesKey } from '../state/timeline.ts';

export interface SeriesSpec {
  key: SeriesKey;
  label: string;
  color: string;
  /** Filled area under the line. */
  fill?: boolean;
}

export type ValueKind = 'count' | 'rate' | 'ms';

interface Props {
  title: string;
  series: readonly SeriesSpec[];
  kind: ValueKind;
  /** Logarithmic y axis (latencies span orders of magnitude). */
  log?: boolean;
  unit?: string;
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

function fill(color: string): string {
  // "#rrggbb" → translucent fill
  return `${color}26`;
}

export function TimelineChart({ title, series, kind, log, unit }: Props) {
  const plotRef = useRef<HTMLDivElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const valueRefs = useRef<Array<HTMLSpanElement | null>>([]);
  const atRef = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    const el = plotRef.current;
    const wrap = wrapRef.current;
    if (!el || !wrap) return;
    const keys = series.map((s) => s.key);
    const fmtValue = (v: number | null | undefined) =>
      v === null || v === undefined ? '—' : kind === 'ms' ? fmtMs(v) : kind === 'rate' ? fmtRate(v) : fmtInt(v);

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

    const xMax = () => (fleetStore.getState().runScenario?.duration ?? 30_000) / 1000;
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
          : { range: (_u, _min, max) => [0, max !== null && max > 0 ? Math.max(max * 1.12, 4) : 10] },
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
          incrs: log ? undefined : INT_INCRS,
          grid: { stroke: GRID, width: 1 },
          ticks: { show: false },
          // Log axes hand over null for the ticks they leave unlabelled.
          values: (_u, splits) =>
            splits.map((v: number | null) => (v === null || v === undefined ? '' : kind === 'ms' ? (v >= 1000 ? `${+(v / 1000).toFixed(1)}s` : compact(v)) : compact(v))),
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
      },
    };
    const data = () => timeline.data(keys) as uPlot.AlignedData;
    const u = new uPlot(opts, data(), el);
    showLegend(null);

    let lastVersion = timeline.version;
    const offTimeline = timeline.subscribe(() => {
      if (timeline.version === lastVersion) return;
      lastVersion = timeline.version;
      u.setData(data());
      if (u.cursor.idx === null || u.cursor.idx === undefined) showLegend(null);
    });
    // A new run changes the x range (its duration) before the first point arrives.
    const offRun = fleetStore.subscribe((s, prev) => {
      if (s.runScenario !== prev.runScenario) u.setData(data());
    });
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const w = Math.max(100, Math.floor(el.clientWidth));
        const h = Math.max(60, Math.floor(el.clientHeight));
        if (w !== u.width || h !== u.height) u.setSize({ width: w, height: h });
      });
    });
    ro.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
      offTimeline();
      offRun();
      u.destroy();
    };
  }, [series, kind, log]);

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
        <div className="chart-empty">waiting for data</div>
      </div>
    </section>
  );
}
