// The recorded runs, newest first: name, when, devices, peak online, size and status. The run
// that is open is highlighted; a click opens another. A box beside each picks it for comparison.
import type { RunListEntry } from '../../src/contract/runs.ts';
import { formatDuration } from '../../src/contract/duration.ts';
import { fmtBytes, fmtDateTime, fmtInt } from '../lib/format.ts';
import { runDurationMs, runStatusBadge } from '../state/runs-model.ts';
import { runsStore, useRuns } from '../state/runs-store.ts';
import { compareStore, useCompare } from '../state/compare-store.ts';

export function RunStatusBadge({ entry }: { entry: Pick<RunListEntry, 'status' | 'reason'> }) {
  const b = runStatusBadge(entry);
  return (
    <span className={`run-badge tone-${b.tone}`} title={b.reason ?? undefined} data-testid="run-status" data-status={entry.status}>
      {b.tone === 'live' ? <span className="dot" /> : null}
      {b.label}
    </span>
  );
}

function RunItem({ run, open, picked }: { run: RunListEntry; open: boolean; picked: number }) {
  const badge = runStatusBadge(run);
  const duration = runDurationMs(run);
  return (
    <li className="run-row">
      <label className="run-pick" title={picked >= 0 ? `picked for comparison (${picked === 0 ? 'the base' : `#${picked + 1}`})` : 'pick for comparison'}>
        <input type="checkbox" data-testid="run-pick" data-run-id={run.id} checked={picked >= 0} disabled={run.status === 'recording'} onChange={() => compareStore.toggle(run.id)} />
        {picked >= 0 ? <span className="run-pick-tag num">{picked === 0 ? 'base' : `#${picked + 1}`}</span> : null}
      </label>
      <button
        type="button"
        className={`run-item${open ? ' open' : ''}`}
        data-testid="run-item"
        data-run-id={run.id}
        aria-current={open ? 'true' : undefined}
        onClick={() => {
          compareStore.close();
          void runsStore.open(run.id);
        }}
      >
        <span className="run-item-head">
          <span className="run-item-name" title={run.name}>
            {run.name}
          </span>
          <RunStatusBadge entry={run} />
        </span>
        <span className="run-item-when num">
          {fmtDateTime(run.startedAt)}
          {duration !== null ? <span className="muted"> · {formatDuration(duration)}</span> : null}
        </span>
        <span className="run-item-stats num">
          <span title="devices">
            <b>{fmtInt(run.devices)}</b> devices
          </span>
          <span title="peak online">
            peak <b>{run.peakOnline === null ? '—' : fmtInt(run.peakOnline)}</b>
          </span>
          <span title="size on disk">{fmtBytes(run.bytes)}</span>
        </span>
        {badge.tone === 'warn' && badge.reason ? (
          <span className="run-item-reason" title={badge.reason} data-testid="run-reason">
            {badge.reason}
          </span>
        ) : null}
      </button>
    </li>
  );
}

export function RunsList() {
  const runs = useRuns((s) => s.runs);
  const openId = useRuns((s) => s.openId);
  const status = useRuns((s) => s.listStatus);
  const error = useRuns((s) => s.listError);
  const picked = useCompare((s) => s.picked);
  return (
    <div className="runs-list-wrap">
      {error ? <div className="alert alert-error">Could not list the runs: {error}</div> : null}
      {status === 'ok' && runs.length === 0 ? (
        <div className="empty-cell big" data-testid="runs-empty">
          No recorded runs yet. Every run started with recording on (Settings) lands here.
        </div>
      ) : null}
      {status === 'loading' && runs.length === 0 ? <div className="empty-cell big">Loading…</div> : null}
      <ul className="runs-list" data-testid="runs-list">
        {runs.map((r) => (
          <RunItem key={r.id} run={r} open={r.id === openId} picked={picked.indexOf(r.id)} />
        ))}
      </ul>
    </div>
  );
}
