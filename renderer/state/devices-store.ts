// A devices table's filters and the device its drawer shows: one store for the live run's
// table, one for the past run that is open.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { DeviceQuery } from '../../src/contract/fleet-api.ts';
import type { DeviceState } from '../../src/contract/metrics.ts';

export interface DevicesState {
  state: DeviceState | '';
  group: string;
  search: string;
  /** The device whose log the drawer shows. */
  selectedId: string | null;
}

export type DevicesStore = StoreApi<DevicesState>;

export function createDevicesStore(): DevicesStore {
  return createStore<DevicesState>()(() => ({ state: '', group: '', search: '', selectedId: null }));
}

/** The live run's table. */
export const devicesStore = createDevicesStore();

export function useDevices<T>(selector: (s: DevicesState) => T): T {
  return useStore(devicesStore, selector);
}

/** The devices() query for a window of rows under the current filters. */
export function deviceQuery(f: Pick<DevicesState, 'state' | 'group' | 'search'>, offset: number, limit: number): DeviceQuery {
  const q: DeviceQuery = { offset, limit };
  if (f.state) q.state = f.state;
  if (f.group) q.group = f.group;
  const search = f.search.trim();
  if (search) q.search = search;
  return q;
}

/** Identifies a filter combination (rows cached under another key are stale). */
export const filterKey = (f: Pick<DevicesState, 'state' | 'group' | 'search'>) => `${f.state}|${f.group}|${f.search.trim()}`;
