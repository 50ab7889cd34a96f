// FleetApi over Electron IPC: one `ipcMain.handle('fleet:<name>')` per FleetMethods name, each
// checking its sender first, and one 'fleet:update' message per FleetService update (the
// service already batches: snapshots at most 4 a second).
import { ipcMain, type BrowserWindow } from 'electron';
import { FLEET_METHODS, type FleetApi, type FleetMethodName } from '../contract/fleet-api.ts';
import { FLEET_CHANNEL_PREFIX, FLEET_UPDATE_CHANNEL, assertTrustedSender, isAppUrl } from './security.ts';

export function fleetChannel(name: FleetMethodName): string {
  return `${FLEET_CHANNEL_PREFIX}${name}`;
}

/**
 * Wires `service` to the window `getWindow()` returns at the time of each call (the window can
 * be closed and re-created on macOS). Returns a function that removes the handlers again.
 */
export function wireFleetIpc(service: FleetApi, getWindow: () => BrowserWindow | null): () => void {
  for (const name of FLEET_METHODS) {
    const channel = fleetChannel(name);
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      assertTrustedSender(event, getWindow(), channel);
      // Arguments are passed as they come, as over the browser-mode bridge: FleetService
      // validates scenarios, timers and numbers itself.
      const method = service[name] as (...params: unknown[]) => Promise<unknown>;
      return method.apply(service, args);
    });
  }
  const unsubscribe = service.onUpdate((update) => {
    const win = getWindow();
    // Only to our own page: never push fleet data into a document of another origin.
    if (win && !win.isDestroyed() && isAppUrl(win.webContents.getURL())) win.webContents.send(FLEET_UPDATE_CHANNEL, update);
  });
  return () => {
    for (const name of FLEET_METHODS) ipcMain.removeHandler(fleetChannel(name));
    unsubscribe();
  };
}
