// The renderer's only door to the main process: `window.fleet`, exactly the FleetApi functions.
// Runs sandboxed (so it is bundled as CommonJS: dist/preload.cjs) and never hands out
// ipcRenderer, an IPC event, or a channel name chosen by the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { FleetApi, FleetMethodName, FleetMethods, FleetUpdate } from '../contract/fleet-api.ts';

// Kept in step with src/main/security.ts (which the sandboxed preload does not import: it would
// pull node:path into a bundle that may only require 'electron').
const CHANNEL_PREFIX = 'fleet:';
const UPDATE_CHANNEL = 'fleet:update';

/** Electron wraps a handler's error as "Error invoking remote method 'fleet:x': Error: why"; keep "why" (as the bridge does). */
function plainError(err: unknown): Error {
  const message = typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : String(err);
  return new Error(message.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, ''));
}

function call<K extends FleetMethodName>(name: K, ...args: Parameters<FleetMethods[K]>): ReturnType<FleetMethods[K]> {
  return ipcRenderer.invoke(`${CHANNEL_PREFIX}${name}`, ...args).catch((err: unknown) => {
    throw plainError(err);
  }) as ReturnType<FleetMethods[K]>;
}

const api = {
  listPresets: () => call('listPresets'),
  start: (scenario) => call('start', scenario),
  startCapacity: (scenario, capacity) => call('startCapacity', scenario, capacity),
  stop: () => call('stop'),
  status: () => call('status'),
  setTimers: (group, timers) => call('setTimers', group, timers),
  setRamp: (connectsPerSec) => call('setRamp', connectsPerSec),
  deviceLog: (deviceId) => call('deviceLog', deviceId),
  devices: (query) => call('devices', query),
  storm: (action) => call('storm', action),
  certsInit: (request) => call('certsInit', request),
  settings: () => call('settings'),
  updateSettings: (patch) => call('updateSettings', patch),
  listRuns: () => call('listRuns'),
  openRun: (id) => call('openRun', id),
  runDevices: (id, query) => call('runDevices', id, query),
  runDeviceLog: (id, deviceId) => call('runDeviceLog', id, deviceId),
  // The desktop app asks for the file with a dialog in the main process: the page never names a path.
  exportRun: (id) => call('exportRun', id),
  importRun: () => call('importRun'),
  reportRun: (id) => call('reportRun', id),
  compareRuns: (ids) => call('compareRuns', ids),
  preflight: (scenario) => call('preflight', scenario),
  attach: (request) => call('attach', request),
  detach: () => call('detach'),
  onUpdate: (listener) => {
    // The page gets the update only, never the IpcRendererEvent (it carries `sender`).
    const forward = (_event: IpcRendererEvent, update: FleetUpdate) => listener(update);
    ipcRenderer.on(UPDATE_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(UPDATE_CHANNEL, forward);
    };
  },
} satisfies FleetApi;

contextBridge.exposeInMainWorld('fleet', api);
