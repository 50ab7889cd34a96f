// A past run's actions: Run again (its scenario into the editor), Report, Export; and what
// the last export or report did. In browser mode the zip and report are links to the bridge.
import type { RunDetail } from '../../src/contract/runs.ts';
import { fmtBytes } from '../lib/format.ts';
import { useConnection } from '../state/connection-store.ts';
import { isActive, useFleet } from '../state/fleet-store.ts';
import { runAgainDraft, runFileUrl } from '../state/runs-model.ts';
import { runsStore, useRuns } from '../state/runs-store.ts';
import { loadRunIntoEditor } from '../session.ts';
import { CopyPath } from './CopyPath.tsx';

export function RunButtons({ detail }: { detail: RunDetail }) {
  const busy = useRuns((s) => s.busy);
  const active = useFleet((s) => isActive(s.runState));
  const canRunAgain = runAgainDraft(detail) !== null;
  const againTitle = active
    ? 'A run is in progress: stop it first'
    : canRunAgain
      ? 'Load this scenario into the editor (nothing starts until you press Start)'
      : 'This run kept no scenario';
  return (
    <div className="run-buttons">
      <button type="button" className="btn" data-testid="run-again" disabled={active || !canRunAgain} title={againTitle} onClick={() => loadRunIntoEditor(detail)}>
        Run again
      </button>
      <button type="button" className="btn" data-testid="run-report" disabled={busy !== null} title="Write report.html: one self-contained page to share" onClick={() => void runsStore.reportOpen()}>
        {busy === 'report' ? 'Writing report…' : 'Report'}
      </button>
      <button type="button" className="btn" data-testid="run-export" disabled={busy !== null} title="Pack the run directory into one .zip" onClick={() => void runsStore.exportOpen()}>
        {busy === 'export' ? 'Exporting…' : 'Export .zip'}
      </button>
    </div>
  );
}

/** The answers of the last export / report, and why one failed. */
export function RunActionResults({ id }: { id: string }) {
  const browser = useConnection((c) => c.mode === 'bridge');
  const exported = useRuns((s) => s.exported);
  const reported = useRuns((s) => s.reported);
  const problems = useRuns((s) => s.actionProblems);
  if (!exported && !reported && problems.length === 0) return null;
  const search = typeof window === 'undefined' ? '' : window.location.search;
  return (
    <div className="run-results">
      {problems.length ? (
        <div className="alert alert-error" role="alert" data-testid="run-action-problems">
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {exported ? (
        <div className="run-result" data-testid="export-result" data-file={exported.file}>
          <CopyPath path={exported.file} label={`Exported (${fmtBytes(exported.bytes)}) to`} testId="export-file" />
          {browser ? (
            <a className="btn btn-accent" href={runFileUrl(id, 'export.zip', search)} download={`${id}.zip`} data-testid="export-download">
              Download .zip
            </a>
          ) : null}
          {exported.redacted.length > 0 ? (
            <p className="muted" data-testid="export-redacted">
              Not in the zip (redacted when recorded): <span className="mono">{exported.redacted.join(', ')}</span>
            </p>
          ) : null}
        </div>
      ) : null}
      {reported ? (
        <div className="run-result" data-testid="report-result" data-file={reported.file}>
          <CopyPath path={reported.file} label={browser ? 'Report written to' : 'Report written (opened in your browser):'} testId="report-file" />
          {browser ? (
            <a className="btn btn-accent" href={runFileUrl(id, 'report.html', search)} target="_blank" rel="noopener noreferrer" data-testid="report-open">
              Open report
            </a>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
