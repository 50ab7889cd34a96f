// How the UI reaches the fleet: Electron IPC (always there) or the browser-mode WebSocket
// bridge (which can drop and come back).
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export type ConnectionPhase = 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'offline';

export interface ConnectionInfo {
  mode: 'ipc' | 'bridge';
  phase: ConnectionPhase;
  /** Reconnect attempts since the link was last up. */
  attempt: number;
  /** When the next reconnect attempt happens (epoch ms), while reconnecting. */
  retryAt: number | null;
  /** Why the last connection ended, if it did. */
  lastError: string | null;
}

export const connectionStore = createStore<ConnectionInfo>()(() => ({ mode: 'bridge', phase: 'connecting', attempt: 0, retryAt: null, lastError: null }));

export function useConnection<T>(selector: (s: ConnectionInfo) => T): T {
  return useStore(connectionStore, selector);
}
