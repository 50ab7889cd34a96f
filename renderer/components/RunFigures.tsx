// A past run's figures from its summary: the headline tiles, latency percentiles, failure and
// disconnect reasons, its storms and its files.
import { formatDuration } from '../../src/contract/duration.ts';
import type { RunDetail } from '../../src/contract/runs.ts';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { formatMeasured, thresholdDetail, thresholdLabel } from '../../src/contract/thresholds.ts';
import { fmtBytes, fmtInt, fmtMs, topReasons } from '../lib/format.ts';
import { LATENCY_LABELS, latencyRows, runUsesTls } from '../state/live-tls.ts';
import { summaryFigures, type Figure } from '../state/runs-model.ts';
import { newestFirst } from '../state/storms.ts';
import { ReasonList } from './LiveCounters.tsx';
import { RecoveryCard } from './StormPanel.tsx';

function figureText(f: Figure): string {
  return f.kind === 'bytes' ? fmtBytes(f.value) : f.kind === 'duration' ? formatDuration(f.value) : fmtInt(f.value);
}

export function RunHeadline({ summary }: { summary: RunSummary }) {
  return (
    <section className="panel run-figures" data-testid="run-figures">
      {summaryFigures(summary).map((f) => (
        <div key={f.key} className={`tile run-figure${f.alarm && f.value > 0 ? ' t-warn' : ''}`} data-testid="run-figure" data-key={f.key} data-value={f.value}>
          <div className="tile-label">{f.label}</div>
          <div className="tile-value num">{figureText(f)}</div>
          {f.sub ? (
            <div className="run-figure-sub muted num" title={f.sub}>
              {f.sub}
            </div>
          ) : null}
        </div>
      ))}
    </section>
  );
}

/** Sits in the charts grid where the live view has its backpressure card. */
export function RunLatencyCard({ detail }: { detail: RunDetail }) {
  const latency = detail.summary?.latencyMs;
  return (
    <section className="panel latency-card run-latency" data-testid="run-latency">
      <div className="panel-title">
        <span>Latency</span>
        <span className="muted">whole run, ms</span>
      </div>
      {latency ? (
        <table className="mini-table">
          <thead>
            <tr>
              <th />
              <th>p50</th>
              <th>p90</th>
              <th>p99</th>
              <th>max</th>
              <th>n</th>
            </tr>
          </thead>
          <tbody>
            {latencyRows(runUsesTls(detail.scenario, latency)).map((k) => {
              const l = latency[k];
              const has = !!l && l.count > 0;
              return (
                <tr key={k}>
                  <td className="lat-kind">{LATENCY_LABELS[k] ?? k}</td>
                  <td className="num">{has ? fmtMs(l.p50) : '—'}</td>
                  <td className="num">{has ? fmtMs(l.p90) : '—'}</td>
                  <td className={`num p99${has && l.p99 >= 1000 ? ' slow' : ''}`}>{has ? fmtMs(l.p99) : '—'}</td>
                  <td className="num">{has ? fmtMs(l.max) : '—'}</td>
                  <td className="num muted">{has ? fmtInt(l.count) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <div className="muted small">No summary: the per-second p99 is in the chart beside.</div>
      )}
    </section>
  );
}

export function RunReasons({ summary }: { summary: RunSummary | null }) {
  return (
    <section className="panel reasons-card" data-testid="run-reasons">
      <div className="panel-title">
        <span>Reasons</span>
        <span className="muted">whole run</span>
      </div>
      {summary ? (
        <>
          <ReasonList title="Disconnects" reasons={topReasons(summary.disconnectReasons, 8)} empty="no drops" testId="disconnect-reason" />
          <ReasonList title="Connect failures" reasons={topReasons(summary.failures, 8)} empty="no failures" testId="failure-reason" />
        </>
      ) : (
        <div className="muted small">No summary: the reasons of an interrupted run are in its event logs only.</div>
      )}
    </section>
  );
}

/** Each threshold of the scenario with what the run measured and whether it held. */
export function RunThresholds({ summary }: { summary: RunSummary }) {
  const results = summary.thresholds ?? [];
  if (results.length === 0) return null;
  const broken = results.filter((r) => !r.pass).length;
  return (
    <section className="panel run-thresholds" data-testid="run-thresholds">
      <div className="panel-title">
        <span>Thresholds</span>
        <span className={broken ? 'threshold-verdict bad' : 'threshold-verdict ok'}>{broken ? `${broken} of ${results.length} broken` : 'all held'}</span>
      </div>
      <table className="mini-table">
        <thead>
          <tr>
            <th>Threshold</th>
            <th>Measured</th>
            <th>Result</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r, i) => (
            <tr key={i} data-testid="threshold-row" data-pass={r.pass}>
              <td className="mono">{thresholdLabel(r)}</td>
              <td className="num">{formatMeasured(r)}</td>
              <td className={r.pass ? 'threshold-pass' : 'threshold-fail'}>{r.pass ? '✓ pass' : '✗ fail'}</td>
              <td className="muted">{thresholdDetail(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function RunStorms({ summary }: { summary: RunSummary }) {
  if (summary.storms.length === 0) return null;
  return (
    <section className="panel storm-panel" data-testid="run-storms">
      <div className="panel-title storm-title">
        <span>Storms</span>
        <span className="muted num">{summary.storms.length}</span>
      </div>
      <div className="storm-cards">
        {newestFirst(summary.storms).map((s) => (
          <RecoveryCard key={s.id} storm={s} />
        ))}
      </div>
    </section>
  );
}

export function RunFiles({ files }: { files: RunDetail['files'] }) {
  return (
    <section className="panel run-files" data-testid="run-files">
      <div className="panel-title">
        <span>Files</span>
        <span className="muted num">{files.length}</span>
      </div>
      <div className="table-scroll">
        <table className="grid-table">
          <tbody>
            {files.map((f) => (
              <tr key={f.name}>
                <td className="mono ellipsis" title={f.name}>
                  {f.name}
                </td>
                <td className="num r muted">{fmtBytes(f.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
