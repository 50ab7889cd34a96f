// A past run's devices, paged from its devices.csv, and the drawer with a device's events read
// from the run's event logs.
import { useCallback, useMemo } from 'react';
import { useStore } from 'zustand';
import type { DevicePage, DeviceQuery } from '../../src/contract/fleet-api.ts';
import type { RunDetail } from '../../src/contract/runs.ts';
import { createDevicesStore } from '../state/devices-store.ts';
import { getApi } from '../session.ts';
import { DeviceDrawer, type FetchDeviceLog } from './DeviceDrawer.tsx';
import { DeviceTable } from './DevicesTable.tsx';

/** A run still being recorded gets its rows at the end; look again now and then. */
const RECORDING_REFRESH_MS = 5000;

export function RunDevices({ detail }: { detail: RunDetail }) {
  const id = detail.entry.id;
  const store = useMemo(() => createDevicesStore(), [id]);
  const filtered = useStore(store, (s) => s.state !== '' || s.group !== '' || s.search.trim() !== '');
  const groups = useMemo(() => detail.scenario?.groups.map((g) => g.name) ?? [], [detail.scenario]);
  const fetchPage = useCallback(
    (query: DeviceQuery): Promise<DevicePage> => getApi()?.runDevices(id, query) ?? Promise.resolve({ total: 0, offset: query.offset, rows: [] }),
    [id],
  );
  const fetchLog = useCallback<FetchDeviceLog>((deviceId) => getApi()?.runDeviceLog(id, deviceId) ?? Promise.resolve(null), [id]);
  const recording = detail.entry.status === 'recording';
  const emptyText = filtered
    ? 'No devices match the filters.'
    : recording
      ? 'The run is still being recorded: its device rows are written when it ends.'
      : 'No device rows were recorded (devices.csv is missing or empty).';
  return (
    <>
      <DeviceTable store={store} fetchPage={fetchPage} groups={groups} resetKey={id} refreshMs={recording ? RECORDING_REFRESH_MS : null} emptyText={emptyText} />
      <DeviceDrawer store={store} fetchDeviceLog={fetchLog} kicker="Recorded device" missingText="No row or events for this device in the run's files." />
    </>
  );
}
