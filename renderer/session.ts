// Wires the FleetApi to the stores: pushes → fleetStore (one set() each), status() on every
// (re)connect to restore a run in progress, presets into the editor, and the user's actions.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { FleetApi, FleetUpdate, StartResult, StormResult } from '../src/contract/fleet-api.ts';
import { perfProbe, type PerfProbe } from './lib/perf-probe.ts';
import { validateScenario } from '../src/contract/validate.ts';
import { connectionStore } from './state/connection-store.ts';
import { draftGroups, liveTimers, scenarioToInput } from './state/editor-model.ts';
import { editorStore } from './state/editor-store.ts';
import { fleetStore, isActive } from './state/fleet-store.ts';
import { pkiRequest, pkiStore } from './state/pki-store.ts';
import { applyRecording } from './state/recording-store.ts';
import { runAgainDraft } from './state/runs-model.ts';
import { runsStore, setRunsApi } from './state/runs-store.ts';
import { setCompareApi } from './state/compare-store.ts';
import { setSettingsApi, settingsStore } from './state/settings-store.ts';
import { stormStore } from './state/storm-store.ts';
import { setView } from './state/view-store.ts';
import type { RunDetail } from '../src/contract/runs.ts';
import type { ScenarioInput } from '../src/contract/scenario.ts';
import type { StormActionInput } from '../src/contract/storm.ts';

export interface ActionsState {
  busy: 'start' | 'stop' | 'attach' | null;
  /** A transient error from an action that has no field to show it next to. */
  notice: string | null;
}
export const actionsStore = createStore<ActionsState>()(() => ({ busy: null, notice: null }));
export const useActions = <T>(selector: (s: ActionsState) => T): T => useStore(actionsStore, selector);

let api: FleetApi | null = null;
/** True while our own start() is in flight: its 'started' push must not replace the draft. */
let startingLocally = false;
let syncSeq = 0;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function startSession(fleet: FleetApi): () => void {
  api = fleet;
  setRunsApi(getApi);
  setCompareApi(getApi);
  setSettingsApi(getApi);
  const offUpdate = fleet.onUpdate((u) => {
    const probe = perfProbe();
    const startedAt = probe ? performance.now() : 0;
    fleetStore.applyUpdate(u);
    if (probe) timeApply(probe, u.type, startedAt);
    // A new run: the last storm refusal was about the previous one.
    if (u.type === 'started') stormStore.setState({ problems: [] });
    // A run started elsewhere (another window, the CLI's API): show its scenario.
    if (u.type === 'started' && !startingLocally) editorStore.loadDraft(scenarioToInput(u.scenario), { kind: 'run' });
    // Where this run is recorded and its metrics served (status() says; pushes do not).
    if (u.type === 'started') void fleet.status().then(applyRecording, () => {});
    // The runs list gains the new run, or sees it finish.
    if ((u.type === 'started' || u.type === 'ended') && runsStore.getState().listStatus !== 'idle') void runsStore.refresh();
  });
  // Metrics turned off (or moved) in Settings: the server closes between runs.
  const offSettings = settingsStore.subscribe((st, prev) => {
    if (prev.saved && st.saved !== prev.saved) void fleet.status().then(applyRecording, () => {});
  });
  if (connectionStore.getState().phase === 'connected') void sync();
  const offConn = connectionStore.subscribe((c, prev) => {
    if (c.phase === 'connected' && prev.phase !== 'connected') void sync();
  });
  return () => {
    offUpdate();
    offConn();
    offSettings();
  };
}

/**
 * For the UI benchmark: the push applied to the stores (their subscribers included), and then
 * settled (with the microtasks it queued, e.g. the charts' redraws).
 */
function timeApply(probe: PerfProbe, type: FleetUpdate['type'], startedAt: number): void {
  probe.record(`apply:${type}`, performance.now() - startedAt);
  queueMicrotask(() => probe.record(`settled:${type}`, performance.now() - startedAt));
}

/** Restores the run (if any) and the presets. Called on load and after every reconnect. */
export async function sync(): Promise<void> {
  if (!api) return;
  const seq = ++syncSeq;
  const [status, presets] = await Promise.all([
    // A failure here is a connection problem, which the connection state already shows.
    api.status().catch(() => null),
    editorStore.getState().presets.length ? Promise.resolve(null) : api.listPresets().catch(() => null),
  ]);
  if (seq !== syncSeq) return;
  if (presets) editorStore.setPresets(presets);
  if (status) {
    fleetStore.applyStatus(status);
    applyRecording(status);
    if (isActive(status.state) && status.scenario) {
      if (status.capacity) editorStore.setMode('capacity');
      editorStore.loadDraft(scenarioToInput(status.scenario), { kind: 'run' });
      return;
    }
  }
  const ed = editorStore.getState();
  if (ed.source.kind === 'empty' && ed.presetName) editorStore.choosePreset(ed.presetName);
}

export async function startRun(): Promise<void> {
  if (!api || actionsStore.getState().busy) return;
  actionsStore.setState({ busy: 'start', notice: null });
  editorStore.setStartProblems([]);
  startingLocally = true;
  try {
    const { draft, mode } = editorStore.getState();
    // Sent as edited: the fleet checks it field by field and answers with the problems.
    const scenario = draft as ScenarioInput;
    // A capacity search takes its settings from the draft's `capacity:` block (the form's Capacity section).
    const result = mode === 'capacity' ? await api.startCapacity(scenario) : await api.start(scenario);
    if (!result.ok) editorStore.setStartProblems(result.problems);
  } catch (err) {
    editorStore.setStartProblems([message(err)]);
  } finally {
    startingLocally = false;
    actionsStore.setState({ busy: null });
  }
}

export async function stopRun(): Promise<void> {
  if (!api || actionsStore.getState().busy === 'stop') return;
  actionsStore.setState({ busy: 'stop', notice: null });
  try {
    await api.stop();
  } catch (err) {
    actionsStore.setState({ notice: `stop: ${message(err)}` });
  } finally {
    actionsStore.setState({ busy: null });
  }
}

/** Attaches the live view to a distributed run through Prometheus; the refusal's lines, or [] when attached. */
export async function attachRun(request: { prometheusUrl: string; runId: string }): Promise<string[]> {
  if (!api) return ['not connected'];
  if (actionsStore.getState().busy) return ['busy: try again in a moment'];
  actionsStore.setState({ busy: 'attach', notice: null });
  try {
    const result = await api.attach(request);
    return result.ok ? [] : result.problems;
  } catch (err) {
    return [message(err)];
  } finally {
    actionsStore.setState({ busy: null });
  }
}

export async function detachRun(): Promise<void> {
  if (!api || actionsStore.getState().busy === 'stop') return;
  actionsStore.setState({ busy: 'stop', notice: null });
  try {
    await api.detach();
  } catch (err) {
    actionsStore.setState({ notice: `detach: ${message(err)}` });
  } finally {
    actionsStore.setState({ busy: null });
  }
}

/** Sends group `index`'s heartbeat/status timers from the draft to the running fleet. */
export async function applyTimers(index: number): Promise<StartResult> {
  const run = fleetStore.getState().runScenario;
  const draftGroup = draftGroups(editorStore.getState().draft)[index];
  const group = run?.groups[index];
  if (!api || !run || !group || !draftGroup) return { ok: false, problems: ['no run in progress'] };
  const timers = liveTimers(group, draftGroup.timers);
  try {
    const result = await api.setTimers(group.name, timers);
    if (result.ok) {
      // Mirror what the fleet now runs (same validation as the service does).
      const v = validateScenario({ target: 'external', groups: [{ protocol: group.protocol, url: 'ws://127.0.0.1:1', count: 1, timers }] });
      if (v.ok) fleetStore.patchGroupTimers(group.name, v.scenario.groups[0].timers);
    }
    return result;
  } catch (err) {
    return { ok: false, problems: [message(err)] };
  }
}

/** Sends the draft's ramp to the running fleet. */
export async function applyRamp(): Promise<StartResult> {
  if (!api) return { ok: false, problems: ['not connected'] };
  const raw = editorStore.getState().draft.ramp;
  const ramp = raw === undefined ? 500 : Number(raw);
  if (!Number.isFinite(ramp) || ramp < 0) return { ok: false, problems: ['ramp: expected connects per second, 0 or more'] };
  try {
    await api.setRamp(ramp);
    return { ok: true };
  } catch (err) {
    return { ok: false, problems: [message(err)] };
  }
}

/** Starts a storm on the running fleet (`action` as StormAction input, durations as text); a refusal's problems go to the storm panel. */
export async function triggerStorm(action: Record<string, unknown>): Promise<StormResult> {
  if (!api) return { ok: false, problems: ['not connected'] };
  if (stormStore.getState().busy) return { ok: false, problems: ['a storm is being started'] };
  stormStore.setState({ busy: true, problems: [] });
  let result: StormResult;
  try {
    // Values as typed in the form: the fleet's validation names a bad field.
    result = await api.storm(action as StormActionInput);
  } catch (err) {
    result = { ok: false, problems: [message(err)] };
  }
  stormStore.setState({ busy: false, problems: result.ok ? [] : result.problems });
  return result;
}

/** Creates the test PKI (or describes the one already there); the answer goes to the PKI control. */
export async function initPki(): Promise<void> {
  if (!api || pkiStore.getState().busy) return;
  pkiStore.setState({ busy: true, result: null });
  try {
    pkiStore.setState({ result: await api.certsInit(pkiRequest(pkiStore.getState().dir)) });
  } catch (err) {
    pkiStore.setState({ result: { ok: false, problems: [message(err)] } });
  } finally {
    pkiStore.setState({ busy: false });
  }
}

/** "Run again": a past run's scenario into the editor, and back to the live view (nothing starts). */
export function loadRunIntoEditor(detail: RunDetail): boolean {
  if (isActive(fleetStore.getState().runState)) return false;
  const draft = runAgainDraft(detail);
  if (!draft) return false;
  editorStore.loadDraft(draft, { kind: 'recorded', id: detail.entry.id });
  setView('live');
  return true;
}

export function getApi(): FleetApi | null {
  return api;
}
