// Recorded runs: the list on the left (with import), the open run on the right, or the
// comparison of the runs picked. The list is read when the view opens, after every run ends,
// and every few seconds while a run is recording.
import { useEffect } from 'react';
import { fmtInt } from '../lib/format.ts';
import { runsStore, useRuns } from '../state/runs-store.ts';
import { compareStore, useCompare } from '../state/compare-store.ts';
import { ComparePane } from './ComparePane.tsx';
import { ImportBox } from './ImportBox.tsx';
import { RunDetailView } from './RunDetail.tsx';
import { RunsList } from './RunsList.tsx';

const POLL_MS = 2500;

function useRunsRefresh() {
  const recording = useRuns((s) => s.runs.some((r) => r.status === 'recording'));
  useEffect(() => {
    void runsStore.refresh();
  }, []);
  useEffect(() => {
    if (!recording) return;
    const t = setInterval(() => void runsStore.refresh(), POLL_MS);
    return () => clearInterval(t);
  }, [recording]);
}

export function RunsView() {
  useRunsRefresh();
  const count = useRuns((s) => s.runs.length);
  const loading = useRuns((s) => s.listStatus === 'loading');
  const picked = useCompare((s) => s.picked.length);
  const comparing = useCompare((s) => s.status !== 'idle');
  const ids = useRuns((s) => s.runs);
  useEffect(() => compareStore.keepOnly(ids.map((r) => r.id)), [ids]);
  return (
    <div className="body runs-view" data-testid="runs-view">
      <aside className="sidebar runs-sidebar">
        <div className="runs-head">
          <span className="panel-title runs-title">
            <span>Recorded runs</span>
            <span className="muted num">{count ? fmtInt(count) : ''}</span>
          </span>
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-ghost"
            data-testid="runs-compare"
            disabled={picked < 2}
            title={picked < 2 ? 'tick two runs or more to compare them' : undefined}
            onClick={() => void compareStore.compare()}
          >
            Compare{picked ? ` (${picked})` : ''}
          </button>
          <button type="button" className="btn btn-ghost" data-testid="runs-refresh" disabled={loading} onClick={() => void runsStore.refresh()}>
            Refresh
          </button>
        </div>
        <ImportBox />
        <RunsList />
      </aside>
      <main className="main">
        {comparing ? <ComparePane /> : <RunDetailView />}
      </main>
    </div>
  );
}
