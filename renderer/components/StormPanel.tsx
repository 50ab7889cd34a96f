// Storms: start a fault on the running fleet (form or one-click shortcuts) and watch how it
// recovers — one card per storm, newest first. Shown while a run is active, and after it ended
// when it had storms (the cards then come from the summary).
import { memo, useMemo } from 'react';
import type { StormRecord } from '../../src/contract/storm.ts';
import { fmtClock, fmtInt, fmtMs, fmtRate, topReasons } from '../lib/format.ts';
import { triggerStorm } from '../session.ts';
import { useConnection } from '../state/connection-store.ts';
import { isActive, useFleet, type FleetState } from '../state/fleet-store.ts';
import { setStormField, stormStore, useStorm } from '../state/storm-store.ts';
import {
  ALL_GROUPS,
  DROP_MODES,
  DROP_MODE_HINT,
  DROP_MODE_LABEL,
  SHORTCUTS,
  STORM_KINDS,
  STORM_KIND_LABEL,
  dipShare,
  newestFirst,
  recoveryParts,
  runStorms,
  stormActionFromForm,
  type DropMode,
  type StormKind,
} from '../state/storms.ts';

/** "0:running,1:lost" — a string, so the form re-renders only when a host changes state. */
const hostsKey = (s: FleetState) =>
  s.snapshot?.hosts.map((h) => `${h.hostId}:${h.state}`).join(',') ?? '';

function useCanTrigger(): boolean {
  const running = useFleet((s) => s.runState === 'running');
  const connected = useConnection((c) => c.phase === 'connected');
  const busy = useStorm((s) => s.busy);
  return running && connected && !busy;
}

function StormForm() {
  const form = useStorm((s) => s.form);
  const busy = useStorm((s) => s.busy);
  const canTrigger = useCanTrigger();
  const runScenario = useFleet((s) => s.runScenario);
  const hostList = useFleet(hostsKey);
  const groups = useMemo(() => runScenario?.groups.map((g) => g.name) ?? [], [runScenario]);
  const embedded = runScenario?.target === 'embedded';
  const hosts = useMemo(
    () =>
      hostList
        ? hostList.split(',').map((h) => {
            const [id, state] = h.split(':');
            return { hostId: Number(id), state };
          })
        : [],
    [hostList],
  );
  // A group or host of an earlier run: fall back to "all" / the first host.
  const group = groups.includes(form.group) ? form.group : ALL_GROUPS;
  const host = hosts.some((h) => h.hostId === form.host) ? form.host : (hosts[0]?.hostId ?? 0);
  const a = form.action;
  const hasPercent = a === 'drop' || a === 'target-kick';
  const hasFor = a === 'blip' || a === 'target-pause';
  const hasGroup = a === 'drop' || a === 'blip';

  const submit = () => {
    if (!canTrigger) return;
    void triggerStorm(stormActionFromForm({ ...stormStore.getState().form, group, host }));
  };

  return (
    <form
      className="storm-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="storm-field">
        <span>action</span>
        <select data-testid="storm-action" value={a} onChange={(e) => setStormField('action', e.target.value as StormKind)}>
          {STORM_KINDS.map((k) => (
            <option key={k} value={k} disabled={k.startsWith('target-') && !embedded}>
              {STORM_KIND_LABEL[k]}
              {k.startsWith('target-') && !embedded ? ' (embedded only)' : ''}
            </option>
          ))}
        </select>
      </label>
      {hasPercent ? (
        <label className="storm-field">
          <span>percent</span>
          <input
            type="text"
            className="num storm-percent"
            inputMode="decimal"
            spellCheck={false}
            autoComplete="off"
            data-testid="storm-percent"
            value={form.percent}
            onChange={(e) => setStormField('percent', e.target.value)}
          />
          <span className="unit">%</span>
        </label>
      ) : null}
      {a === 'drop' ? (
        <label className="storm-field">
          <span>mode</span>
          <select data-testid="storm-mode" title={DROP_MODE_HINT} value={form.mode} onChange={(e) => setStormField('mode', e.target.value as DropMode)}>
            {DROP_MODES.map((m) => (
              <option key={m} value={m}>
                {DROP_MODE_LABEL[m]}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {hasFor ? (
        <label className="storm-field">
          <span>for</span>
          <input
            type="text"
            className="num storm-for"
            spellCheck={false}
            autoComplete="off"
            placeholder="5s"
            data-testid="storm-for"
            value={form.for}
            onChange={(e) => setStormField('for', e.target.value)}
          />
        </label>
      ) : null}
      {hasGroup ? (
        <label className="storm-field">
          <span>group</span>
          <select data-testid="storm-group" value={group} onChange={(e) => setStormField('group', e.target.value)}>
            <option value={ALL_GROUPS}>all groups</option>
            {groups.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {a === 'kill-host' ? (
        <>
          <label className="storm-field">
            <span>host</span>
            <select data-testid="storm-host" value={host} onChange={(e) => setStormField('host', Number(e.target.value))}>
              {hosts.length === 0 ? <option value={0}>—</option> : null}
              {hosts.map((h) => (
                <option key={h.hostId} value={h.hostId} disabled={h.state !== 'running'}>
                  host {h.hostId}
                  {h.state !== 'running' ? ` (${h.state})` : ''}
                </option>
              ))}
            </select>
          </label>
          <label className="storm-check">
            <input type="checkbox" data-testid="storm-restart" checked={form.restart} onChange={(e) => setStormField('restart', e.target.checked)} />
            restart it
          </label>
        </>
      ) : null}
      <button type="submit" className="btn btn-storm" data-testid="storm-trigger" disabled={!canTrigger} title="Start this storm on the running fleet">
        <svg viewBox="0 0 16 16" width="11" height="11" aria-hidden="true">
          <path d="M9.5 1 3 9h4l-1 6 6.5-8h-4z" fill="currentColor" />
        </svg>
        {busy ? 'Triggering…' : 'Trigger'}
      </button>
    </form>
  );
}

function Shortcuts() {
  const canTrigger = useCanTrigger();
  const host0 = useFleet((s) => s.snapshot?.hosts.find((h) => h.hostId === 0)?.state === 'running');
  return (
    <div className="storm-quick">
      <span className="storm-quick-label">quick</span>
      <button
        type="button"
        className="btn btn-ghost btn-quick"
        data-testid="storm-shortcut-drop"
        disabled={!canTrigger}
        title="Drop 30% of the online devices with a TCP reset (mode destroy)"
        onClick={() => void triggerStorm({ ...SHORTCUTS.drop30 })}
      >
        Drop 30%
      </button>
      <button
        type="button"
        className="btn btn-ghost btn-quick"
        data-testid="storm-shortcut-kill"
        disabled={!canTrigger || !host0}
        title="Kill device host 0 (SIGKILL, like a crash) and start it again"
        onClick={() => void triggerStorm({ ...SHORTCUTS.killHost0 })}
      >
        Kill host 0 + restart
      </button>
    </div>
  );
}

function StormProblems() {
  const problems = useStorm((s) => s.problems);
  if (problems.length === 0) return null;
  return (
    <ul className="problems storm-problems" data-testid="storm-problems" role="alert">
      {problems.map((p, i) => (
        <li key={i} className="problem" data-testid="storm-problem">
          {p}
        </li>
      ))}
    </ul>
  );
}

function Stat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div className="storm-stat" title={title}>
      <span className="storm-stat-label">{label}</span>
      <span className="storm-stat-value num">{value}</span>
    </div>
  );
}

function Reasons({ label, reasons }: { label: string; reasons: Record<string, number> }) {
  const top = topReasons(reasons, 2);
  return (
    <div className="storm-reasons">
      <span className="storm-stat-label">{label}</span>
      {top.length === 0 ? (
        <span className="muted">none</span>
      ) : (
        top.map(([k, v]) => (
          <span className="storm-reason" key={k} title={`${k}: ${fmtInt(v)}`}>
            <span className="mono">{k}</span> <b className="num">{fmtInt(v)}</b>
          </span>
        ))
      )}
    </div>
  );
}

export function RecoveryCard({ storm: s, now }: { storm: StormRecord; now?: number }) {
  const dip = dipShare(s);
  const r = recoveryParts(s, now);
  const outcome = s.error ? 'not-recovered' : s.outcome;
  const lowPct = s.onlineBefore > 0 ? (s.minOnline / s.onlineBefore) * 100 : 100;
  return (
    <article className={`storm-card oc-${outcome}`} data-testid="storm-card" data-outcome={s.outcome} data-storm-id={s.id}>
      <header className="storm-card-head">
        <span className="storm-id num">#{s.id}</span>
        <span className="storm-label" title={s.label}>
          {s.label}
        </span>
        <span className="storm-t num" title="seconds into the run">
          at {fmtClock(s.t)}
        </span>
      </header>
      <div className="storm-outcome">
        <span className="storm-pill">
          <span className="dot" />
          {r.status}
        </span>
        <span className="storm-recovery num" data-testid="storm-recovery" title={r.detail}>
          {r.detail}
        </span>
      </div>
      <div className="storm-online" title={`online before the storm → its low point (${lowPct.toFixed(1)}% of before)`}>
        <span className="storm-stat-label">online</span>
        <span className="num">
          <b>{fmtInt(s.onlineBefore)}</b>
          <span className="arrow">→</span>
          <b className="low">{fmtInt(s.minOnline)}</b>
        </span>
        <span className="storm-dip-bar">
          <span className="kept" style={{ width: `${lowPct}%` }} />
        </span>
        <span className="storm-dip num">{dip > 0 ? `−${(dip * 100).toFixed(dip < 0.1 ? 1 : 0)}%` : '±0%'}</span>
      </div>
      <div className="storm-stats">
        <Stat label="affected" value={fmtInt(s.affected)} title="devices the action touched" />
        <Stat label="attempts" value={fmtInt(s.reconnectAttempts)} title="connection attempts since the storm (until recovered)" />
        <Stat label="peak conn." value={`${fmtRate(s.peakConnectsPerSec)}/s`} title="peak connects per second during recovery" />
        <Stat label="connack p99" value={s.connackP99Ms ? fmtMs(s.connackP99Ms) : '—'} title="CONNACK p99 during recovery" />
        <Stat label="connect p99" value={s.connectP99Ms ? fmtMs(s.connectP99Ms) : '—'} title="connect p99 during recovery" />
      </div>
      <div className="storm-reason-row">
        <Reasons label="drops" reasons={s.disconnects} />
        <Reasons label="failures" reasons={s.failures} />
      </div>
    </article>
  );
}

type CardProps = { storm: StormRecord; now?: number };
/**
 * Every snapshot carries every storm of the run as new objects, but a settled storm's record no
 * longer changes: its card is rendered again only when its record does.
 */
const sameCard = (a: CardProps, b: CardProps) => a.now === b.now && (a.storm === b.storm || JSON.stringify(a.storm) === JSON.stringify(b.storm));
const LiveRecoveryCard = memo(RecoveryCard, sameCard);

function RecoveryCards({ storms, active }: { storms: StormRecord[]; active: boolean }) {
  const sorted = useMemo(() => newestFirst(storms), [storms]);
  // Only needed to count the seconds of a storm still recovering.
  const now = useFleet((s) => (active && storms.some((x) => x.outcome === 'recovering') ? s.snapshot?.at : undefined));
  if (sorted.length === 0) {
    return (
      <div className="storm-empty muted small">
        No storms yet — trigger one to measure the recovery: time back to 99% online, reconnect attempts, peak connect rate and CONNACK p99.
      </div>
    );
  }
  return (
    <div className="storm-cards" data-testid="storm-cards">
      {sorted.map((s) => (
        <LiveRecoveryCard key={s.id} storm={s} now={s.outcome === 'recovering' ? now : undefined} />
      ))}
    </div>
  );
}

export function StormPanel() {
  const active = useFleet((s) => isActive(s.runState));
  const storms = useFleet(runStorms);
  if (!active && storms.length === 0) return null;
  return (
    <section className="panel storm-panel" data-testid="storm-panel">
      <div className="storm-bar">
        <div className="panel-title storm-title">
          <span>Storms</span>
          <span className="muted num">{storms.length ? storms.length : ''}</span>
          {!active ? <span className="muted">· last run</span> : null}
        </div>
        {active ? <StormForm /> : null}
        <span className="spacer" />
        {active ? <Shortcuts /> : null}
      </div>
      {active ? <StormProblems /> : null}
      <RecoveryCards storms={storms} active={active} />
    </section>
  );
}
