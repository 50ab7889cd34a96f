// The storm form and the answer to the last trigger. Kept out of the components so the form
// survives re-mounts (the panel hides between runs) and session.ts can report refusals.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { defaultStormForm, type StormForm } from './storms.ts';

export interface StormUiState {
  form: StormForm;
  /** A storm() call is in flight. */
  busy: boolean;
  /** Why the last storm was refused (StormResult problems). */
  problems: string[];
}

export const stormStore = createStore<StormUiState>()(() => ({ form: defaultStormForm(), busy: false, problems: [] }));

export function setStormField<K extends keyof StormForm>(key: K, value: StormForm[K]): void {
  stormStore.setState((s) => ({ form: { ...s.form, [key]: value }, problems: [] }));
}

export function useStorm<T>(selector: (s: StormUiState) => T): T {
  return useStore(stormStore, selector);
}
