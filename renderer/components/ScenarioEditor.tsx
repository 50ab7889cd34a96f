// The scenario editor: preset / file, top-level settings, device groups. Validated live; while
// a run is in progress only the ramp and heartbeat/status timers can change (with Apply).
import { useRef, useState, type ChangeEvent } from 'react';
import type { StartResult } from '../../src/contract/fleet-api.ts';
import { fmtInt } from '../lib/format.ts';
import { getIn } from '../lib/paths.ts';
import { parseScenarioText, scenarioFileName, scenarioToYaml } from '../lib/scenario-io.ts';
import { GROUP_FIELDS, RECONNECT_FIELDS, SCENARIO_FIELDS, TIMER_DEFAULTS, TIMER_KEYS, groupPath, timersDiffer, type FieldSpec, type TimerKey } from '../state/editor-model.ts';
import { editorStore, useEditor } from '../state/editor-store.ts';
import { useConnection } from '../state/connection-store.ts';
import { isActive, useFleet } from '../state/fleet-store.ts';
import { applyRamp, applyTimers } from '../session.ts';
import { CapacitySettings, ModeSwitch } from './CapacitySettings.tsx';
import { Field, Problems } from './Field.tsx';
import { PkiPanel } from './PkiPanel.tsx';
import { PreflightPanel } from './PreflightPanel.tsx';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Toolbar({ locked }: { locked: boolean }) {
  const presets = useEditor((s) => s.presets);
  const presetName = useEditor((s) => s.presetName);
  const source = useEditor((s) => s.source);
  const draftName = useEditor((s) => s.draft.name);
  const fileInput = useRef<HTMLInputElement>(null);
  // A file or a running scenario that is not a preset: the picker says so instead of naming a preset.
  const custom = presets.length > 0 && !(source.kind === 'preset' || (source.kind === 'run' && draftName === presetName));
  const customLabel = source.kind === 'file' ? 'from file' : source.kind === 'run' ? 'running scenario' : source.kind === 'recorded' ? 'from a past run' : 'custom';

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const parsed = parseScenarioText(await file.text(), file.name);
    if (parsed.ok) editorStore.loadDraft(parsed.scenario, { kind: 'file', name: file.name });
    else editorStore.setFileError(parsed.error);
  };

  return (
    <div className="toolbar">
      <select
        data-testid="preset-select"
        className="preset-select"
        value={custom ? '' : presetName}
        disabled={locked || presets.length === 0}
        title={presets.find((p) => p.name === presetName)?.description}
        onChange={(e) => editorStore.choosePreset(e.target.value)}
      >
        {custom ? (
          <option value="" disabled>
            {customLabel}
          </option>
        ) : null}
        {presets.map((p) => (
          <option key={p.name} value={p.name} title={p.description}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="button" className="btn btn-ghost icon" title="Reload the preset" disabled={locked || !presetName} onClick={() => editorStore.choosePreset(presetName)}>
        ↺
      </button>
      <div className="spacer" />
      <button type="button" className="btn btn-ghost" disabled={locked} onClick={() => fileInput.current?.click()} title="Load a scenario file (YAML or JSON)">
        Load…
      </button>
      <button
        type="button"
        className="btn btn-ghost"
        onClick={() => {
          const d = editorStore.getState().draft;
          download(scenarioFileName(d), scenarioToYaml(d));
        }}
        title="Save the scenario as YAML"
      >
        Save
      </button>
      <input ref={fileInput} type="file" accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml" hidden onChange={(e) => void onFile(e)} />
    </div>
  );
}

function SourceLine() {
  const source = useEditor((s) => s.source);
  const dirty = useEditor((s) => s.dirty);
  const count = useEditor((s) => s.problems.length);
  const devices = useEditor((s) => (Array.isArray(s.draft.groups) ? (s.draft.groups as unknown[]).reduce<number>((n, g) => n + (Number(getIn(g, 'count')) || 0), 0) : 0));
  const presets = useEditor((s) => s.presets);
  const desc = source.kind === 'preset' ? presets.find((p) => p.name === source.name)?.description : undefined;
  const label =
    source.kind === 'preset'
      ? `preset ${source.name}`
      : source.kind === 'file'
        ? `file ${source.name}`
        : source.kind === 'run'
          ? 'running scenario'
          : source.kind === 'recorded'
            ? `past run ${source.id}`
            : 'no scenario';
  return (
    <div className="source-line">
      <div className="source-main">
        <span className="chip" title={label}>
          {label}
        </span>
        {dirty ? <span className="chip chip-warn">edited</span> : null}
        <span className="spacer" />
        {source.kind === 'empty' ? null : count ? (
          <span className="valid bad">
            {count} problem{count === 1 ? '' : 's'}
          </span>
        ) : (
          <span className="valid ok">✓ valid · {fmtInt(devices)} devices</span>
        )}
      </div>
      {desc ? <div className="source-desc">{desc}</div> : null}
    </div>
  );
}

function Messages() {
  const refused = useConnection((c) => c.phase === 'refused');
  const lastError = useConnection((c) => c.lastError);
  const fileError = useEditor((s) => s.fileError);
  const startProblems = useEditor((s) => s.startProblems);
  return (
    <>
      {refused ? (
        <div className="alert alert-error" role="alert">
          <strong>Not connected to Fleetsim</strong>
          <div>{lastError}. Open the exact URL that <code>fleetsim serve</code> printed.</div>
        </div>
      ) : null}
      {fileError ? (
        <div className="alert alert-error">
          <strong>Could not load the file</strong>
          <div>{fileError}</div>
        </div>
      ) : null}
      {startProblems.length ? (
        <div className="alert alert-error" data-testid="start-problems">
          <strong>Could not start</strong>
          <ul>
            {startProblems.map((p, i) => (
              <li key={i} data-testid="start-problem">
                {p}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <Problems at="" />
    </>
  );
}

function ApplyButton({ onApply, dirty, label = 'Apply' }: { onApply: () => Promise<StartResult>; dirty: boolean; label?: string }) {
  const [state, setState] = useState<{ busy: boolean; result: StartResult | null }>({ busy: false, result: null });
  return (
    <>
      <button
        type="button"
        className={`btn btn-apply${dirty ? ' dirty' : ''}`}
        disabled={state.busy}
        onClick={async () => {
          setState({ busy: true, result: null });
          const result = await onApply();
          setState({ busy: false, result });
        }}
        title="Apply to the running fleet"
      >
        {state.busy ? '…' : label}
      </button>
      {state.result?.ok ? <span className="applied">applied</span> : null}
      {state.result && !state.result.ok ? (
        <ul className="problems apply-problems">
          {state.result.problems.map((p, i) => (
            <li className="problem" key={i}>
              {p}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function RampField({ live, locked }: { live: boolean; locked: boolean }) {
  const spec = SCENARIO_FIELDS.find((f) => f.key === 'ramp') as FieldSpec;
  return <Field path="ramp" spec={spec} disabled={locked && !live} after={live ? <ApplyButton onApply={applyRamp} dirty={false} /> : null} />;
}

const TIMER_LABEL: Record<TimerKey, string> = { heartbeat: 'Heartbeat', status: 'Status', ping: 'Ping' };
const EVERY: FieldSpec = { key: 'every', label: 'every', kind: 'duration' };
const BYTES: FieldSpec = { key: 'bytes', label: 'bytes', kind: 'int' };

function TimerRow({ index, timer, locked, live }: { index: number; timer: TimerKey; locked: boolean; live: boolean }) {
  const base = groupPath(index, `timers.${timer}`);
  const value = useEditor((s) => getIn(s.draft, base));
  const protocol = useEditor((s) => getIn(s.draft, groupPath(index, 'protocol')));
  const off = value === 'off' || value === null;
  // Live: heartbeat and status can change; ping is the MQTT keepalive fixed at CONNECT.
  const editable = !locked || (live && timer !== 'ping');
  const defaults = TIMER_DEFAULTS[timer];
  return (
    <div className={`timer-row${off ? ' off' : ''}`}>
      <label className="timer-name">
        <input type="checkbox" checked={!off} disabled={!editable} onChange={(e) => editorStore.setField(base, e.target.checked ? undefined : 'off')} />
        {TIMER_LABEL[timer]}
      </label>
      <Field bare hideProblems path={`${base}.every`} spec={EVERY} disabled={!editable || off} placeholder={off ? 'off' : defaults.every({ protocol })} />
      {timer === 'ping' ? (
        <div className="field" />
      ) : (
        <Field bare hideProblems path={`${base}.bytes`} spec={BYTES} disabled={!editable || off} placeholder={off ? '' : defaults.bytes} />
      )}
      <Problems at={base} />
      <Problems at={`${base}.every`} />
      {timer === 'ping' ? null : <Problems at={`${base}.bytes`} />}
    </div>
  );
}

function LiveTimersApply({ index }: { index: number }) {
  const runGroup = useFleet((s) => s.runScenario?.groups[index]);
  const draftTimers = useEditor((s) => getIn(s.draft, groupPath(index, 'timers')));
  if (!runGroup) return null;
  return (
    <div className="live-apply">
      <ApplyButton onApply={() => applyTimers(index)} dirty={timersDiffer(runGroup, draftTimers)} label="Apply timers" />
    </div>
  );
}

function GroupCard({ index, locked, live }: { index: number; locked: boolean; live: boolean }) {
  const name = useEditor((s) => getIn(s.draft, groupPath(index, 'name')));
  const protocol = useEditor((s) => getIn(s.draft, groupPath(index, 'protocol')));
  const count = useEditor((s) => getIn(s.draft, groupPath(index, 'count')));
  const group = useEditor((s) => (getIn(s.draft, groupPath(index)) ?? {}) as Record<string, unknown>);
  const [open, setOpen] = useState(true);
  const shown = GROUP_FIELDS.filter((f) => !f.when || f.when(group));
  const tlsFields = shown.filter((f) => f.section === 'tls');
  return (
    <section className="group-card">
      <header className="group-head">
        <button type="button" className="caret" onClick={() => setOpen(!open)} aria-label={open ? 'collapse' : 'expand'}>
          {open ? '▾' : '▸'}
        </button>
        <span className={`proto proto-${protocol === 'ws' ? 'ws' : 'mqtt'}`}>{protocol === 'ws' ? 'WS' : 'MQTT'}</span>
        <span className="group-name">{typeof name === 'string' && name ? name : `group-${index}`}</span>
        <span className="group-count">{typeof count === 'number' ? `${fmtInt(count)} dev` : ''}</span>
        <button type="button" className="btn btn-ghost icon danger" title="Remove this group" disabled={locked} onClick={() => editorStore.removeGroup(index)}>
          ✕
        </button>
      </header>
      <Problems at={groupPath(index)} />
      {open ? (
        <div className="group-body">
          <div className="grid2">
            {shown.filter((f) => !f.section).map((f) => (
              <Field key={f.key} path={groupPath(index, f.key)} spec={f} disabled={locked} />
            ))}
          </div>
          {tlsFields.length ? (
            <>
              <div className="subhead">TLS</div>
              <Problems at={groupPath(index, 'tls')} />
              <div className="grid2" data-testid="tls-fields">
                {tlsFields.map((f) => (
                  <Field key={f.key} path={groupPath(index, f.key)} spec={f} disabled={locked} placeholder={f.groupPlaceholder?.(group)} />
                ))}
              </div>
            </>
          ) : null}
          <div className="subhead">Timers</div>
          <div className="timer-table">
            <div className="timer-row head">
              <span />
              <span>every</span>
              <span>bytes</span>
            </div>
            {TIMER_KEYS.map((t) => (
              <TimerRow key={t} index={index} timer={t} locked={locked} live={live} />
            ))}
          </div>
          {live ? <LiveTimersApply index={index} /> : null}
          <div className="subhead">Reconnect</div>
          <Problems at={groupPath(index, 'reconnect')} />
          <div className="grid2">
            {RECONNECT_FIELDS.map((f) => (
              <Field key={f.key} path={groupPath(index, f.key)} spec={f} disabled={locked} />
            ))}
          </div>
        </div>
      ) : null}
    </section>
  );
}

export function ScenarioEditor() {
  const runState = useFleet((s) => s.runState);
  const groupCount = useEditor((s) => (Array.isArray(s.draft.groups) ? s.draft.groups.length : 0));
  const live = runState === 'running' || runState === 'starting';
  const locked = isActive(runState);
  return (
    <div className="editor">
      <div className="panel-title">
        <span>Scenario</span>
      </div>
      <Toolbar locked={locked} />
      <ModeSwitch locked={locked} />
      <SourceLine />
      {locked ? (
        <div className="alert alert-info">
          Run in progress: only the ramp and the heartbeat / status timers can change. <em>Apply</em> sends them to the fleet.
        </div>
      ) : null}
      <Messages />
      <div className="grid2 top-fields">
        {SCENARIO_FIELDS.map((f) =>
          f.key === 'ramp' ? (
            <RampField key={f.key} live={live} locked={locked} />
          ) : (
            <Field key={f.key} path={f.key} spec={f} disabled={locked} />
          ),
        )}
      </div>
      <CapacitySettings locked={locked} />
      <PreflightPanel />
      <PkiPanel />
      <div className="groups-head">
        <span>Device groups</span>
        <span className="muted">{groupCount}</span>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" disabled={locked} onClick={() => editorStore.addGroup()}>
          + Add group
        </button>
      </div>
      <Problems at="groups" />
      {Array.from({ length: groupCount }, (_, i) => (
        <GroupCard key={i} index={i} locked={locked} live={live} />
      ))}
    </div>
  );
}
