// One overlaid chart of a comparison: a line per run on the same time axis (seconds since each
// run's start). The runs' seconds are merged into one x axis for uPlot; a run without a value
// at a second leaves a gap there.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { runColor, runTag } from '../../src/contract/comparison-format.ts';
import type { ComparedChart, ComparedRun } from '../../src/contract/run-comparison.ts';
import { fmtClock, fmtInt, fmtMs, fmtRate } from '../lib/format.ts';
import { followSize } from '../lib/chart-size.ts';

const AXIS = '#7d8799';
const GRID = 'rgba(148, 163, 184, 0.09)';
const FONT = '10.5px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
/** Whole seconds that read well as m:ss (never half a second: "0:00 0:00 0:01"). */
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400];

/** The series on one x axis: every second any run has, each run's value there or null. */
export function alignedData(chart: ComparedChart): uPlot.AlignedData {
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const at = new Map(xs.map((t, i) => [t, i]));
  const ys = chart.series.map((s) => {
    const col: Array<number | null> = new Array(xs.length).fill(null);
    for (const p of s.points) col[at.get(p.t)!] = p.v;
    return col;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}

const fmtValue = (axis: ComparedChart['axis'], v: number) => (axis === 'ms' ? fmtMs(v) : axis === 'rate' ? fmtRate(v) : fmtInt(v));

export function CompareChart({ chart, runs, span }: { chart: ComparedChart; runs: ComparedRun[]; span: number }) {
  const plotRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height: Math.max(60, el.clientHeight),
      legend: { show: false },
      padding: [8, 16, 0, 0],
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 5 } },
      scales: { x: { time: false, range: () => [0, Math.max(span, 2)] }, y: { range: (_u, _min, max) => [0, max !== null && max > 0 ? max * 1.12 : 10] } },
      axes: [
        { stroke: AXIS, font: FONT, size: 24, incrs: TIME_INCRS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1, size: 4 }, values: (_u, splits) => splits.map((v) => fmtClock(v)) },
        { stroke: AXIS, font: FONT, size: 48, gap: 4, grid: { stroke: GRID, width: 1 }, ticks: { show: false }, values: (_u, splits) => splits.map((v) => fmtValue(chart.axis, v)) },
      ],
      series: [{}, ...chart.series.map((s) => ({ label: runTag(s.run), stroke: runColor(s.run), width: 1.6, points: { show: chart.axis === 'ms', size: 4 }, spanGaps: chart.axis === 'ms' }))],
    };
    const u = new uPlot(opts, alignedData(chart), el);
    const unfollow = followSize(u, el);
    return () => {
      unfollow();
      u.destroy();
    };
  }, [chart, span]);
  return (
    <section className="panel chart" data-testid="compare-chart" data-chart={chart.id} data-series={chart.series.length}>
      <div className="chart-head">
        <span className="chart-title">{chart.title}</span>
        <span className="muted small">{chart.unit}</span>
        <div className="chart-legend">
          {chart.series.map((s) => (
            <span className="legend-item" key={s.run}>
              <span className="swatch" style={{ background: runColor(s.run) }} />
              <span className="legend-label">
                {runTag(s.run)} {runs[s.run].name}
              </span>
            </span>
          ))}
        </div>
      </div>
      <div className="chart-plot" ref={plotRef} />
    </section>
  );
}
