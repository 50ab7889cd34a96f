// The renderer's only door to the main process: `window.fleet`, exactly the FleetApi functions,
// derived from FLEET_API_TABLE. Runs sandboxed (so it is bundled as CommonJS: dist/preload.cjs,
// with nothing to require but electron) and never hands out ipcRenderer, an IPC event, or a
// channel name chosen by the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { fleetChannel, fleetMethodsOver, FLEET_UPDATE_CHANNEL, type FleetApi, type FleetUpdate } from '../contract/fleet-api.ts';

/** Electron wraps a handler's error as "Error invoking remote method 'fleet:x': Error: why"; keep "why" (as the bridge does). */
function plainError(err: unknown): Error {
  const message = typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : String(err);
  return new Error(message.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, ''));
}

const api = {
  // The desktop app asks for export and import files with dialogs in the main process, which
  // ignores any path a page passes: the page never names a path.
  ...fleetMethodsOver((name, params) =>
    ipcRenderer.invoke(fleetChannel(name), ...params).catch((err: unknown) => {
      throw plainError(err);
    }),
  ),
  onUpdate: (listener) => {
    // The page gets the update only, never the IpcRendererEvent (it carries `sender`).
    const forward = (_event: IpcRendererEvent, update: FleetUpdate) => listener(update);
    ipcRenderer.on(FLEET_UPDATE_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(FLEET_UPDATE_CHANNEL, forward);
    };
  },
} satisfies FleetApi;

contextBridge.exposeInMainWorld('fleet', api);
