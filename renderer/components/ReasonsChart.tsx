// Disconnect reasons over time: stacked bars of the timeline's per-second drops by reason (the
// most frequent reasons apart, the rest as "other"). SVG, re-rendered when the timeline changes.
import { useEffect, useState } from 'react';
import { fmtClock, fmtInt } from '../lib/format.ts';
import { chartFrames } from '../lib/frame-queue.ts';
import { liveChartSource, type ChartSource } from '../state/chart-source.ts';
import { OTHER_REASONS, stackReasons } from '../../src/contract/reason-stack.ts';

const COLORS = ['#f2555a', '#f5a524', '#a78bfa', '#22d3ee', '#f472b6'];
const OTHER_COLOR = '#7d8799';
const W = 600;
const H = 140;

export function ReasonsChart({ source = liveChartSource }: { source?: ChartSource }) {
  const timeline = source.timeline;
  const [, setVersion] = useState(timeline.version);
  // Re-rendered in a coming frame, as the other charts are redrawn (see frame-queue.ts).
  useEffect(() => {
    const key = {};
    const off = timeline.subscribe(() => chartFrames.schedule(key, () => setVersion(timeline.version)));
    return () => {
      off();
      chartFrames.cancel(key);
    };
  }, [timeline]);
  const stack = stackReasons(timeline.x, timeline.reasons);
  const span = Math.max(source.minSpanSec(), timeline.x[timeline.x.length - 1] ?? 0, 5);
  const colorOf = (i: number) => (stack.reasons[i] === OTHER_REASONS ? OTHER_COLOR : COLORS[i % COLORS.length]);
  const totals = stack.reasons.map((_, i) => stack.bars.reduce((n, b) => n + b.values[i], 0));
  const scaleY = stack.max > 0 ? (H - 4) / stack.max : 0;
  return (
    <section className={`panel chart reasons-chart${stack.bars.length === 0 ? ' empty' : ''}`} data-testid="reasons-chart" data-reasons={stack.reasons.join(',')}>
      <div className="chart-head">
        <span className="chart-title">Disconnect reasons</span>
        <span className="muted small">{stack.perBar > 1 ? `per ${stack.perBar} s` : 'per s'}, stacked{stack.max > 0 ? `, tallest ${fmtInt(stack.max)}` : ''}</span>
        <div className="chart-legend">
          {stack.reasons.map((r, i) => (
            <span className="legend-item" key={r} data-testid="reasons-chart-reason" data-reason={r}>
              <span className="swatch" style={{ background: colorOf(i) }} />
              <span className="legend-label">{r}</span>
              <span className="legend-value num">{fmtInt(totals[i])}</span>
            </span>
          ))}
        </div>
      </div>
      <div className="chart-plot">
        {stack.bars.length === 0 ? (
          <div className="chart-empty">{timeline.length === 0 ? source.emptyText : 'no drops'}</div>
        ) : (
          <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" width="100%" height="100%" role="img" aria-label="disconnect reasons over time">
            {stack.bars.map((b) => {
              const x = (b.x0 / span) * W;
              const w = Math.max(1, ((b.x1 - b.x0) / span) * W - 1);
              let y = H;
              return (
                <g key={b.x0}>
                  <title>{`${fmtClock(b.x0)}–${fmtClock(b.x1)}: ${stack.reasons.map((r, i) => (b.values[i] ? `${r} ${fmtInt(b.values[i])}` : '')).filter(Boolean).join(', ') || 'no drops'}`}</title>
                  {b.values.map((v, i) => {
                    if (v === 0) return null;
                    const h = v * scaleY;
                    y -= h;
                    return <rect key={i} x={x} y={y} width={w} height={h} fill={colorOf(i)} />;
                  })}
                </g>
              );
            })}
          </svg>
        )}
      </div>
    </section>
  );
}
