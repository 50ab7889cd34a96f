// Where the current (or last) run is recorded and where its Prometheus metrics are served:
// from status(), read again whenever a run starts or ends (they are not pushed).
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { RunStatus } from '../../src/contract/fleet-api.ts';

export interface RecordingState {
  /** The run directory; null when recording is off (or before the first run). */
  recordDir: string | null;
  /** http://127.0.0.1:<port>/metrics while serving; null when off. */
  metricsUrl: string | null;
}

export const recordingStore = createStore<RecordingState>()(() => ({ recordDir: null, metricsUrl: null }));

export function applyRecording(status: Pick<RunStatus, 'recordDir' | 'metricsUrl'>): void {
  recordingStore.setState({ recordDir: status.recordDir ?? null, metricsUrl: status.metricsUrl ?? null });
}

export function useRecording<T>(selector: (s: RecordingState) => T): T {
  return useStore(recordingStore, selector);
}

/** The run id of a run directory: its last path segment. */
export function runIdOfDir(dir: string): string {
  return dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
}
