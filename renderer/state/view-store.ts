// Which screen the app shows: the live dashboard, the recorded runs, or the settings.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export type View = 'live' | 'runs' | 'settings';

export interface ViewState {
  view: View;
}

export const viewStore = createStore<ViewState>()(() => ({ view: 'live' }));

export const setView = (view: View) => viewStore.setState({ view });

export function useView<T>(selector: (s: ViewState) => T): T {
  return useStore(viewStore, selector);
}
