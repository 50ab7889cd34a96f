// Settings: where runs are recorded, whether they are, the Prometheus port and the event-log
// rotation size. Saved with updateSettings; its problems show next to their field.
import { useEffect, type ReactNode } from 'react';
import { settingsStore, useSettings, type SettingsField } from '../state/settings-store.ts';
import { isActive, useFleet } from '../state/fleet-store.ts';

const NONE: string[] = [];

function FieldProblems({ field }: { field: SettingsField | '' }) {
  const problems = useSettings((s) => s.problems[field] ?? NONE);
  if (problems.length === 0) return null;
  return (
    <ul className="problems" role="alert" data-testid={`settings-problem-${field || 'general'}`}>
      {problems.map((p, i) => (
        <li key={i} className="problem" data-testid="settings-problem" data-field={field}>
          {p}
        </li>
      ))}
    </ul>
  );
}

function Row({ field, label, hint, children }: { field: SettingsField; label: string; hint: ReactNode; children: ReactNode }) {
  const bad = useSettings((s) => (s.problems[field]?.length ?? 0) > 0);
  return (
    <div className={`settings-row${bad ? ' has-problem' : ''}`} data-field={field}>
      <div className="settings-label">
        <label htmlFor={`setting-${field}`}>{label}</label>
        <div className="settings-hint">{hint}</div>
      </div>
      <div className="settings-control">
        {children}
        <FieldProblems field={field} />
      </div>
    </div>
  );
}

function MetricsControl() {
  const on = useSettings((s) => s.form.metricsOn);
  const port = useSettings((s) => s.form.metricsPort);
  const bad = useSettings((s) => (s.problems.metricsPort?.length ?? 0) > 0);
  return (
    <div className="settings-inline">
      <label className="bool-control">
        <input type="checkbox" checked={on} data-testid="setting-metricsOn" onChange={(e) => settingsStore.setField('metricsOn', e.target.checked)} />
        Serve /metrics on 127.0.0.1, port
      </label>
      <input
        id="setting-metricsPort"
        type="text"
        inputMode="numeric"
        className={`num settings-port${bad ? ' invalid' : ''}`}
        placeholder="any free"
        disabled={!on}
        value={port}
        data-testid="setting-metricsPort"
        onChange={(e) => settingsStore.setField('metricsPort', e.target.value)}
      />
    </div>
  );
}

function SettingsForm() {
  const form = useSettings((s) => s.form);
  const problems = useSettings((s) => s.problems);
  const running = useFleet((s) => isActive(s.runState));
  return (
    <>
      <Row field="runsDir" label="Runs directory" hint="Each run is recorded to <runs directory>/<time>-<name>/. ~ is your home directory.">
        <input
          id="setting-runsDir"
          type="text"
          className={`mono${problems.runsDir ? ' invalid' : ''}`}
          spellCheck={false}
          autoComplete="off"
          value={form.runsDir}
          data-testid="setting-runsDir"
          onChange={(e) => settingsStore.setField('runsDir', e.target.value)}
        />
      </Row>
      <Row field="record" label="Record runs" hint="Timeline, events, devices and summary of every run, to look at and share afterwards.">
        <label className="bool-control">
          <input id="setting-record" type="checkbox" checked={form.record} data-testid="setting-record" onChange={(e) => settingsStore.setField('record', e.target.checked)} />
          Record every run
        </label>
      </Row>
      <Row
        field="metricsPort"
        label="Prometheus metrics"
        hint={
          <>
            Empty port: any free one (the live view shows the URL). A new port applies from the next run{running ? ' (not the one in progress)' : ''}.
          </>
        }
      >
        <MetricsControl />
      </Row>
      <Row field="eventLogMaxMB" label="Event log rotation" hint="Each host's device event log is gzipped and a new one begun past this size.">
        <div className="settings-inline">
          <input
            id="setting-eventLogMaxMB"
            type="text"
            inputMode="decimal"
            className={`num settings-mb${problems.eventLogMaxMB ? ' invalid' : ''}`}
            value={form.eventLogMaxMB}
            data-testid="setting-eventLogMaxMB"
            onChange={(e) => settingsStore.setField('eventLogMaxMB', e.target.value)}
          />
          <span className="muted">MB per host (1–4096)</span>
        </div>
      </Row>
    </>
  );
}

function SaveBar() {
  const status = useSettings((s) => s.status);
  const savedAt = useSettings((s) => s.savedAt);
  const problemCount = useSettings((s) => Object.values(s.problems).reduce((n, p) => n + (p?.length ?? 0), 0));
  return (
    <div className="settings-actions">
      <FieldProblems field="" />
      <span className="spacer" />
      {savedAt ? (
        <span className="applied" data-testid="settings-saved">
          ✓ Saved
        </span>
      ) : problemCount ? (
        <span className="valid bad">Not saved: {problemCount === 1 ? 'a setting needs' : `${problemCount} settings need`} fixing</span>
      ) : null}
      <button type="button" className="btn btn-ghost" disabled={status === 'saving'} onClick={() => settingsStore.reset()}>
        Revert
      </button>
      <button type="button" className="btn btn-start" data-testid="settings-save" disabled={status === 'saving' || status === 'loading'} onClick={() => void settingsStore.save()}>
        {status === 'saving' ? 'Saving…' : 'Save'}
      </button>
    </div>
  );
}

export function SettingsPanel() {
  const status = useSettings((s) => s.status);
  const loadError = useSettings((s) => s.loadError);
  useEffect(() => {
    void settingsStore.load();
  }, []);
  return (
    <div className="settings-view">
      <form
        className="panel settings-panel"
        data-testid="settings-panel"
        onSubmit={(e) => {
          e.preventDefault();
          void settingsStore.save();
        }}
      >
        <div className="panel-title">
          <span>Settings</span>
          <span className="muted">kept in $FLEETSIM_HOME/settings.json on the machine running the fleet</span>
        </div>
        {status === 'error' ? <div className="alert alert-error">Could not read the settings: {loadError}</div> : null}
        {status === 'loading' || status === 'idle' ? <div className="empty-cell big">Loading…</div> : <SettingsForm />}
        <SaveBar />
        <button type="submit" hidden />
      </form>
    </div>
  );
}
