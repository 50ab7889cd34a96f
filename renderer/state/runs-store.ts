// The recorded runs: the list (newest first), the run that is open, and the export, report
// and import actions with their answers. Built on a FleetApi getter so tests can give it a fake.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { FleetApi } from '../../src/contract/fleet-api.ts';
import type { RunDetail, RunListEntry } from '../../src/contract/runs.ts';

export type RunsAction = 'export' | 'report' | 'import';

export interface RunsState {
  runs: RunListEntry[];
  listStatus: 'idle' | 'loading' | 'ok' | 'error';
  listError: string | null;
  /** The run that is open (its id), and what is known of it. */
  openId: string | null;
  detail: RunDetail | null;
  detailStatus: 'idle' | 'loading' | 'ok' | 'missing' | 'error';
  detailError: string | null;
  /** Bumped whenever the open run is (re)loaded: views holding its data start over. */
  detailSeq: number;
  busy: RunsAction | null;
  /** The open run's last export / report, and why the last one failed. */
  /** `redacted`: scenario fields whose secrets were replaced when recorded (not in the zip). */
  exported: { file: string; bytes: number; redacted: string[] } | null;
  reported: { file: string } | null;
  actionProblems: string[];
  /** Browser mode: the path typed into the import field, and what importRun said about it. */
  importPath: string;
  importProblems: string[];
}

export interface RunsStore extends StoreApi<RunsState> {
  refresh(): Promise<void>;
  open(id: string): Promise<void>;
  close(): void;
  exportOpen(): Promise<void>;
  reportOpen(): Promise<void>;
  /** `file` in browser mode (a path on the serving machine); none in the desktop app (a dialog asks). */
  importRun(file?: string): Promise<void>;
  setImportPath(path: string): void;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function initialRunsState(): RunsState {
  return {
    runs: [],
    listStatus: 'idle',
    listError: null,
    openId: null,
    detail: null,
    detailStatus: 'idle',
    detailError: null,
    detailSeq: 0,
    busy: null,
    exported: null,
    reported: null,
    actionProblems: [],
    importPath: '',
    importProblems: [],
  };
}

export function createRunsStore(getApi: () => FleetApi | null): RunsStore {
  const store = createStore<RunsState>()(() => initialRunsState());
  let listSeq = 0;
  let openSeq = 0;

  const load = async (id: string, quiet: boolean) => {
    const api = getApi();
    if (!api) return;
    const my = ++openSeq;
    if (!quiet) store.setState({ openId: id, detail: null, detailStatus: 'loading', detailError: null, exported: null, reported: null, actionProblems: [] });
    try {
      const detail = await api.openRun(id);
      if (my !== openSeq) return;
      store.setState((s) => ({
        detail,
        detailStatus: detail ? 'ok' : 'missing',
        detailError: null,
        detailSeq: s.detailSeq + 1,
        // Opening can settle a run's record (an interrupted one is finished then): the list follows.
        runs: detail ? s.runs.map((r) => (r.id === detail.entry.id ? detail.entry : r)) : s.runs,
      }));
    } catch (err) {
      if (my === openSeq) store.setState({ detailStatus: 'error', detailError: message(err) });
    }
  };

  const refresh = async () => {
    const api = getApi();
    if (!api) return;
    const my = ++listSeq;
    store.setState((s) => ({ listStatus: s.listStatus === 'ok' ? 'ok' : 'loading' }));
    try {
      const runs = await api.listRuns();
      if (my !== listSeq) return;
      store.setState({ runs, listStatus: 'ok', listError: null });
      // The open run changed status (it finished recording, or was repaired): read it again.
      const s = store.getState();
      const listed = runs.find((r) => r.id === s.openId);
      if (s.detail && listed && listed.status !== s.detail.entry.status) void load(listed.id, true);
    } catch (err) {
      if (my === listSeq) store.setState({ listStatus: 'error', listError: message(err) });
    }
  };

  const runAction = async <T>(kind: RunsAction, call: (api: FleetApi) => Promise<T>): Promise<T | null> => {
    const api = getApi();
    if (!api || store.getState().busy) return null;
    store.setState({ busy: kind });
    try {
      return await call(api);
    } catch (err) {
      if (kind === 'import') store.setState({ importProblems: [message(err)] });
      else store.setState({ actionProblems: [message(err)] });
      return null;
    } finally {
      store.setState({ busy: null });
    }
  };

  const exportOpen = async () => {
    const id = store.getState().openId;
    if (!id) return;
    store.setState({ actionProblems: [] });
    const r = await runAction('export', (api) => api.exportRun(id));
    if (!r || store.getState().openId !== id) return;
    if (r.ok) store.setState({ exported: { file: r.file, bytes: r.bytes, redacted: r.redacted ?? [] } });
    else if (!r.canceled) store.setState({ actionProblems: r.problems });
  };

  const reportOpen = async () => {
    const id = store.getState().openId;
    if (!id) return;
    store.setState({ actionProblems: [] });
    const r = await runAction('report', (api) => api.reportRun(id));
    if (!r || store.getState().openId !== id) return;
    if (r.ok) store.setState({ reported: { file: r.file } });
    else store.setState({ actionProblems: r.problems });
  };

  const importRun = async (file?: string) => {
    store.setState({ importProblems: [] });
    // The desktop app's importRun takes no path from the page: call it without one.
    const r = await runAction('import', (api) => (file === undefined ? api.importRun() : api.importRun(file)));
    if (!r) return;
    if (!r.ok) {
      if (!r.canceled) store.setState({ importProblems: r.problems.length ? r.problems : ['file: the run could not be imported'] });
      return;
    }
    store.setState({ importPath: '' });
    await refresh();
    await load(r.run.id, false);
  };

  return Object.assign(store, {
    refresh,
    open: (id: string) => load(id, false),
    close: () => {
      openSeq++;
      store.setState({ openId: null, detail: null, detailStatus: 'idle', detailError: null, exported: null, reported: null, actionProblems: [] });
    },
    exportOpen,
    reportOpen,
    importRun,
    setImportPath: (importPath: string) => store.setState({ importPath, importProblems: [] }),
  });
}

/** The app's runs store (its API is the session's). */
let apiGetter: () => FleetApi | null = () => null;
export const runsStore = createRunsStore(() => apiGetter());

/** Called once by the session with its API. */
export function setRunsApi(get: () => FleetApi | null): void {
  apiGetter = get;
}

export function useRuns<T>(selector: (s: RunsState) => T): T {
  return useStore(runsStore, selector);
}
