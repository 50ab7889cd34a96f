// The editor's machine check: the preflight of the scenario being edited, asked for a moment
// after the last edit (only for a valid draft); the answer to the latest request wins.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { PreflightReport, PreflightResult } from '../../src/contract/preflight.ts';

export interface PreflightState {
  busy: boolean;
  report: PreflightReport | null;
  /** The check could not be made (the scenario is invalid, or the fleet is unreachable). */
  problems: string[];
}

export type PreflightFn = (scenario: unknown) => Promise<PreflightResult>;

export const DEBOUNCE_MS = 400;

export function createPreflightStore(check: () => PreflightFn, debounceMs = DEBOUNCE_MS) {
  const store = createStore<PreflightState>()(() => ({ busy: false, report: null, problems: [] }));
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;
  /** Checks `draft` now; an older answer arriving later is dropped. */
  const runNow = async (draft: unknown): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const id = ++latest;
    store.setState({ busy: true });
    let result: PreflightResult;
    try {
      result = await check()(draft);
    } catch (err) {
      result = { ok: false, problems: [(err as Error).message] };
    }
    if (id !== latest) return;
    store.setState(result.ok ? { busy: false, report: result.report, problems: [] } : { busy: false, report: null, problems: result.problems });
  };
  return {
    store,
    runNow,
    /** Checks `draft` once edits pause. */
    schedule(draft: unknown): void {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        void runNow(draft);
      }, debounceMs);
    },
    /** The draft is invalid: no check, and no stale verdict either. */
    clear(): void {
      if (timer) clearTimeout(timer);
      timer = null;
      latest++;
      store.setState({ busy: false, report: null, problems: [] });
    },
  };
}

export interface PreflightVerdict {
  tone: 'ok' | 'warn' | 'error';
  /** One line on top of the checks. */
  text: string;
  /** The plan checked ("13 hosts, ~5.7 GB"): part of `text` when it holds, shown beside it when refused. */
  plan: string;
}

export function preflightVerdict(report: PreflightReport): PreflightVerdict {
  const errors = report.checks.filter((c) => c.level === 'error').length;
  const warnings = report.checks.filter((c) => c.level === 'warn').length;
  const gb = (report.memoryEstimateBytes / 1073741824).toFixed(1);
  const plan = `${report.hosts} host${report.hosts === 1 ? '' : 's'}, ~${gb} GB`;
  if (errors > 0) return { tone: 'error', text: `Would be refused: ${errors} problem${errors === 1 ? '' : 's'}`, plan };
  if (warnings > 0) return { tone: 'warn', text: `This machine holds it, with ${warnings} warning${warnings === 1 ? '' : 's'}: ${plan}`, plan };
  return { tone: 'ok', text: `This machine holds it: ${plan}`, plan };
}

export type PreflightStore = ReturnType<typeof createPreflightStore>;
export const usePreflight = <T>(p: PreflightStore, selector: (s: PreflightState) => T): T => useStore(p.store, selector);
