// The Compare pane of the Runs view: the runs picked, their headline figures side by side with
// the difference against the first (base), and their timelines overlaid.
import { figureCell, runColor, runTag, thresholdsText } from '../../src/contract/comparison-format.ts';
import type { RunComparison } from '../../src/contract/run-comparison.ts';
import { fmtDateTime } from '../lib/format.ts';
import { compareStore, useCompare } from '../state/compare-store.ts';
import { CompareChart } from './CompareChart.tsx';

function FiguresTable({ c }: { c: RunComparison }) {
  return (
    <section className="panel" data-testid="compare-figures">
      <div className="panel-title">
        <span>Headline figures</span>
        <span className="muted">differences against the base run</span>
      </div>
      <div className="table-scroll">
        <table className="grid-table compare-table">
          <thead>
            <tr>
              <th>Figure</th>
              {c.runs.map((r, i) => (
                <th key={r.id} className="r" title={r.id}>
                  <span className="swatch" style={{ background: runColor(i) }} /> {runTag(i)} {r.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>started</td>
              {c.runs.map((r) => (
                <td key={r.id} className="num r muted">
                  {fmtDateTime(r.startedAt)}
                  {r.fromTimeline ? <span className="compare-delta">no summary: from the timeline</span> : null}
                </td>
              ))}
            </tr>
            {c.figures.map((f) => (
              <tr key={f.key} data-figure={f.key}>
                <td>{f.label}</td>
                {c.runs.map((r, i) => {
                  const cell = figureCell(f, i);
                  return (
                    <td key={r.id} className="num r">
                      {cell.value}
                      {cell.diff ? <span className="compare-delta">{cell.diff}</span> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
            {c.runs.some((r) => r.thresholds) ? (
              <tr data-figure="thresholds">
                <td>thresholds</td>
                {c.runs.map((r) => (
                  <td key={r.id} className={`num r${r.thresholds?.failed ? ' bad' : ''}`}>
                    {thresholdsText(r.thresholds)}
                  </td>
                ))}
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ComparePane() {
  const comparison = useCompare((s) => s.comparison);
  const status = useCompare((s) => s.status);
  const problems = useCompare((s) => s.problems);
  return (
    <div className="run-detail compare-pane" data-testid="compare-pane">
      <div className="runs-head">
        <span className="panel-title runs-title">
          <span>{comparison ? `${comparison.runs.length} runs compared` : 'Compare runs'}</span>
        </span>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" data-testid="compare-close" onClick={() => compareStore.close()}>
          Close
        </button>
      </div>
      {status === 'loading' ? <div className="empty-cell big">Reading the runs…</div> : null}
      {problems.length ? (
        <div className="alert alert-error" data-testid="compare-problems">
          {problems.join('; ')}
        </div>
      ) : null}
      {comparison ? (
        <>
          <FiguresTable c={comparison} />
          <div className="charts compare-charts">
            {comparison.charts.map((ch) => (
              <CompareChart key={ch.id} chart={ch} runs={comparison.runs} span={comparison.span} />
            ))}
          </div>
        </>
      ) : null}
    </div>
  );
}
