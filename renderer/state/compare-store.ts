// Runs picked for comparison in the Runs view (in the order they were ticked: the first is the
// base) and the comparison of them once asked for. Built on a FleetApi getter like runs-store.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { FleetApi } from '../../src/contract/fleet-api.ts';
import { MAX_COMPARED_RUNS, type RunComparison } from '../../src/contract/run-comparison.ts';

export interface CompareState {
  picked: string[];
  /** The comparison shown (of the runs picked when Compare was pressed); null: none open. */
  comparison: RunComparison | null;
  status: 'idle' | 'loading' | 'ok' | 'error';
  problems: string[];
}

export interface CompareStore extends StoreApi<CompareState> {
  toggle(id: string): void;
  compare(): Promise<void>;
  close(): void;
  /** Forget picks of runs no longer listed (deleted, or another runs directory). */
  keepOnly(ids: readonly string[]): void;
}

export function createCompareStore(getApi: () => FleetApi | null): CompareStore {
  const store = createStore<CompareState>()(() => ({ picked: [], comparison: null, status: 'idle', problems: [] }));
  let seq = 0;
  const compare = async () => {
    const api = getApi();
    const ids = store.getState().picked;
    if (!api || ids.length < 2) return;
    const my = ++seq;
    store.setState({ status: 'loading', problems: [] });
    try {
      const r = await api.compareRuns(ids);
      if (my !== seq) return;
      store.setState(r.ok ? { comparison: r.comparison, status: 'ok' } : { status: 'error', problems: r.problems });
    } catch (err) {
      if (my === seq) store.setState({ status: 'error', problems: [err instanceof Error ? err.message : String(err)] });
    }
  };
  return Object.assign(store, {
    toggle: (id: string) =>
      store.setState((s) => {
        if (s.picked.includes(id)) return { picked: s.picked.filter((p) => p !== id) };
        return s.picked.length >= MAX_COMPARED_RUNS ? {} : { picked: [...s.picked, id] };
      }),
    compare,
    close: () => {
      seq++;
      store.setState({ comparison: null, status: 'idle', problems: [] });
    },
    keepOnly: (ids: readonly string[]) => store.setState((s) => ({ picked: s.picked.filter((p) => ids.includes(p)) })),
  });
}

let apiGetter: () => FleetApi | null = () => null;
export const compareStore = createCompareStore(() => apiGetter());

/** Called once by the session with its API. */
export function setCompareApi(get: () => FleetApi | null): void {
  apiGetter = get;
}

export function useCompare<T>(selector: (s: CompareState) => T): T {
  return useStore(compareStore, selector);
}
