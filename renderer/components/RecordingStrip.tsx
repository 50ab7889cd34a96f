// Under the live dashboard's top: where the run is being recorded, and where Prometheus can
// scrape it. After the run, a link to it in Runs.
import { isActive, useFleet } from '../state/fleet-store.ts';
import { runIdOfDir, useRecording } from '../state/recording-store.ts';
import { runsStore } from '../state/runs-store.ts';
import { setView } from '../state/view-store.ts';

function openRecorded(dir: string) {
  setView('runs');
  void runsStore.refresh();
  void runsStore.open(runIdOfDir(dir));
}

export function RecordingStrip() {
  const recordDir = useRecording((s) => s.recordDir);
  const metricsUrl = useRecording((s) => s.metricsUrl);
  const active = useFleet((s) => isActive(s.runState));
  const hasRun = useFleet((s) => s.runScenario !== null);
  if (!hasRun && !metricsUrl) return null;
  return (
    <div className={`recording-strip${active && recordDir ? ' is-recording' : ''}`} data-testid="recording-strip">
      {recordDir ? (
        <span className="rec-where" title={recordDir}>
          {active ? <span className="rec-dot" /> : null}
          <span className="rec-label">{active ? 'Recording to' : 'Recorded to'}</span>
          <span className="mono rec-dir" data-testid="record-dir">
            {recordDir}
          </span>
          {!active ? (
            <button type="button" className="btn btn-ghost" data-testid="open-recorded-run" onClick={() => openRecorded(recordDir)}>
              Open in Runs
            </button>
          ) : null}
        </span>
      ) : hasRun ? (
        <span className="rec-where muted">
          Not recorded: recording is off in{' '}
          <button type="button" className="link-btn" onClick={() => setView('settings')}>
            Settings
          </button>
        </span>
      ) : null}
      <span className="spacer" />
      {metricsUrl ? (
        <span className="rec-metrics" title="Prometheus scrapes this while a run lasts">
          <span className="rec-label">Prometheus</span>
          <span className="mono" data-testid="metrics-url">
            {metricsUrl}
          </span>
        </span>
      ) : null}
    </div>
  );
}
