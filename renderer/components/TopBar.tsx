import type { ReactNode } from 'react';
import type { CapacityProgress } from '../../src/contract/capacity.ts';
import { formatDuration } from '../../src/contract/duration.ts';
import { fmtClock } from '../lib/format.ts';
import { useConnection } from '../state/connection-store.ts';
import { useEditor } from '../state/editor-store.ts';
import { isActive, useFleet } from '../state/fleet-store.ts';
import { useRecording } from '../state/recording-store.ts';
import { setView, useView, type View } from '../state/view-store.ts';
import { detachRun, startRun, stopRun, useActions } from '../session.ts';

function Logo() {
  return (
    <svg className="logo" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <circle cx="5" cy="6" r="2.2" />
      <circle cx="12" cy="4" r="2.2" />
      <circle cx="19" cy="7" r="2.2" />
      <circle cx="6" cy="15" r="2.2" />
      <circle cx="18" cy="16" r="2.2" />
      <circle cx="12" cy="20" r="2.2" />
      <circle cx="12" cy="12" r="3" className="hub" />
    </svg>
  );
}

export function RunStateBadge() {
  const runState = useFleet((s) => s.runState);
  return (
    <span className={`badge state-${runState}`} title="run state">
      <span className="dot" />
      <span data-testid="run-state">{runState}</span>
    </span>
  );
}

function RunProgress() {
  const elapsed = useFleet((s) => s.snapshot?.elapsedMs ?? 0);
  const duration = useFleet((s) => s.snapshot?.durationMs ?? s.runScenario?.duration ?? 0);
  const active = useFleet((s) => isActive(s.runState));
  const hasRun = useFleet((s) => s.runScenario !== null);
  const capacity = useFleet((s) => s.capacity);
  if (!hasRun) return null;
  // A capacity search ends at its knee, not at the duration (only its outer bound): show its steps.
  if (capacity) return <CapacityProgressBar capacity={capacity} elapsed={elapsed} active={active} />;
  const pct = duration > 0 ? Math.min(100, (elapsed / duration) * 100) : 0;
  return (
    <div className={`run-progress${active ? ' active' : ''}`} title={`elapsed ${formatDuration(elapsed)} of ${formatDuration(duration)}`}>
      <span className="num">{fmtClock(elapsed / 1000)}</span>
      <div className="bar">
        <div style={{ width: `${pct}%` }} />
      </div>
      <span className="num muted">{fmtClock(duration / 1000)}</span>
    </div>
  );
}

function CapacityProgressBar({ capacity, elapsed, active }: { capacity: CapacityProgress; elapsed: number; active: boolean }) {
  const steps = capacity.plan.stepDevices.length;
  const done = capacity.steps.length;
  const step = capacity.phase?.step ?? done;
  const pct = steps > 0 ? Math.min(100, (done / steps) * 100) : 0;
  const label = capacity.result ? `${done} of ${steps} steps` : `step ${step} of ${steps}`;
  return (
    <div className={`run-progress${active ? ' active' : ''}`} title={`capacity search: ${capacity.phase?.text ?? label}`} data-testid="capacity-progress">
      <span className="num">{fmtClock(elapsed / 1000)}</span>
      <div className="bar">
        <div style={{ width: `${pct}%` }} />
      </div>
      <span className="num muted">{label}</span>
    </div>
  );
}

const PHASE_TEXT = { connecting: 'connecting', connected: 'connected', reconnecting: 'reconnecting', refused: 'refused: bad token', offline: 'offline' } as const;

export function ConnectionState() {
  const mode = useConnection((c) => c.mode);
  const phase = useConnection((c) => c.phase);
  const attempt = useConnection((c) => c.attempt);
  const lastError = useConnection((c) => c.lastError);
  const title =
    mode === 'ipc' ? 'desktop app (IPC)' : phase === 'connected' ? 'WebSocket bridge' : `WebSocket bridge${lastError ? `: ${lastError}` : ''}${attempt ? `, attempt ${attempt}` : ''}`;
  return (
    <span className={`conn conn-${phase}`} title={title}>
      <span className="dot" />
      <span data-testid="connection-state" data-phase={phase}>
        {PHASE_TEXT[phase]}
      </span>
      <span className="conn-mode">{mode === 'ipc' ? 'IPC' : 'WS'}</span>
    </span>
  );
}

function NavTab({ view, label, children }: { view: View; label: string; children?: ReactNode }) {
  const current = useView((s) => s.view);
  return (
    <button
      type="button"
      role="tab"
      aria-selected={current === view}
      className={`nav-tab${current === view ? ' active' : ''}`}
      data-testid={`nav-${view}`}
      onClick={() => setView(view)}
    >
      {label}
      {children}
    </button>
  );
}

function NavTabs() {
  // The Runs tab shows a red dot while the current run is being recorded.
  const active = useFleet((s) => isActive(s.runState));
  const recorded = useRecording((s) => s.recordDir !== null);
  const recording = active && recorded;
  return (
    <nav className="nav-tabs" role="tablist" aria-label="views">
      <NavTab view="live" label="Live" />
      <NavTab view="runs" label="Runs">
        {recording ? <span className="nav-rec" title="recording the current run" /> : null}
      </NavTab>
    </nav>
  );
}

function SettingsButton() {
  const current = useView((s) => s.view);
  return (
    <button
      type="button"
      className={`btn btn-ghost icon nav-settings${current === 'settings' ? ' active' : ''}`}
      title="Settings: runs directory, recording, Prometheus metrics"
      aria-label="settings"
      data-testid="nav-settings"
      onClick={() => setView(current === 'settings' ? 'live' : 'settings')}
    >
      <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
        <path
          fill="currentColor"
          d="M19.4 13a7.5 7.5 0 0 0 0-2l2-1.6-2-3.4-2.4 1a7.6 7.6 0 0 0-1.7-1L15 3.5h-4l-.4 2.5a7.6 7.6 0 0 0-1.7 1l-2.4-1-2 3.4L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.4 2.4-1c.5.4 1.1.7 1.7 1l.4 2.5h4l.4-2.5c.6-.3 1.2-.6 1.7-1l2.4 1 2-3.4L19.4 13zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z"
          transform="translate(-1 0)"
        />
      </svg>
    </button>
  );
}

export function TopBar() {
  const runState = useFleet((s) => s.runState);
  const runName = useFleet((s) => (isActive(s.runState) ? s.runScenario?.name : undefined));
  const draftName = useEditor((s) => (typeof s.draft.name === 'string' ? s.draft.name : ''));
  const busy = useActions((s) => s.busy);
  const capacityMode = useEditor((s) => s.mode === 'capacity');
  const notice = useActions((s) => s.notice);
  const connected = useConnection((c) => c.phase === 'connected');
  const active = isActive(runState);
  const attach = useFleet((s) => s.attach);
  return (
    <header className="topbar">
      <div className="brand">
        <Logo />
        <span className="brand-name">Fleetsim</span>
      </div>
      <NavTabs />
      <div className="topbar-sep" />
      {attach ? (
        <span className="run-name attached-label" title={`fed from Prometheus at ${attach.prometheusUrl}`} data-testid="attached-label">
          attached: {attach.runId} via {attach.prometheusUrl}
        </span>
      ) : null}
      {attach ? (
        <span className={`chip${attach.health === 'ok' ? '' : ' chip-warn'}`} data-testid="attached-shards" title={attach.message ?? 'shards whose series Prometheus has'}>
          {attach.shards} {attach.shards === 1 ? 'shard' : 'shards'}
        </span>
      ) : (
        <span className="run-name" title="scenario">
          {runName || draftName || 'untitled'}
        </span>
      )}
      <RunStateBadge />
      <RunProgress />
      <div className="spacer" />
      {notice ? (
        <span className="notice" title={notice}>
          {notice}
        </span>
      ) : null}
      <ConnectionState />
      <SettingsButton />
      <button
        type="button"
        className="btn btn-start"
        data-testid="start-button"
        disabled={active || attach !== null || !connected || busy !== null}
        onClick={() => void startRun()}
      >
        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
          <path d="M4 2.5v11l9-5.5z" fill="currentColor" />
        </svg>
        {busy === 'start' ? 'Starting…' : capacityMode ? 'Start search' : 'Start'}
      </button>
      {attach ? (
        <button type="button" className="btn btn-stop" data-testid="stop-button" disabled={!connected || busy === 'stop'} onClick={() => void detachRun()}>
          {busy === 'stop' ? 'Detaching…' : 'Detach'}
        </button>
      ) : (
        <button
          type="button"
          className="btn btn-stop"
          data-testid="stop-button"
          disabled={!active || runState === 'stopping' || !connected || busy === 'stop'}
          onClick={() => void stopRun()}
        >
          <svg viewBox="0 0 16 16" width="11" height="11" aria-hidden="true">
            <rect x="3" y="3" width="10" height="10" rx="1.5" fill="currentColor" />
          </svg>
          {busy === 'stop' || runState === 'stopping' ? 'Stopping…' : 'Stop'}
        </button>
      )}
    </header>
  );
}
