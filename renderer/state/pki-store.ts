// The "Test PKI" control's state: the last certsInit answer, and what the status line says
// about it. Pure apart from the store; no DOM, no React.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { CertsInitRequest, CertsInitResult } from '../../src/contract/fleet-api.ts';

export interface PkiState {
  busy: boolean;
  /** The directory typed into the control; empty = the default PKI directory. */
  dir: string;
  result: CertsInitResult | null;
}

export const pkiStore = createStore<PkiState>()(() => ({ busy: false, dir: '', result: null }));
export const usePki = <T>(selector: (s: PkiState) => T): T => useStore(pkiStore, selector);

/** What to send for the typed directory: nothing for the default one. */
export function pkiRequest(dir: string): CertsInitRequest | undefined {
  const d = dir.trim();
  return d ? { dir: d } : undefined;
}

export interface PkiStatus {
  tone: 'ok' | 'error';
  /** One line: where the PKI is and whether it was just made. */
  text: string;
  /** How to use it: what to write where. */
  hints: Array<{ label: string; code: string }>;
  problems: string[];
}

/** The status line for a certsInit answer. */
export function pkiStatus(result: CertsInitResult): PkiStatus {
  if (!result.ok) return { tone: 'error', text: 'Could not create the test PKI', hints: [], problems: result.problems };
  const when = result.createdAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return {
    tone: 'ok',
    text: result.created ? `Created a test PKI in ${result.dir}` : `${result.dir} already holds a test PKI (created ${when})`,
    hints: [
      { label: 'in a scenario', code: `tls: { pki: ${result.dir} }` },
      { label: 'CA for brokers', code: result.caFile },
    ],
    problems: [],
  };
}
