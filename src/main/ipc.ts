// FleetApi over Electron IPC: one `ipcMain.handle` per FLEET_API_TABLE method on its channel, each
// checking its sender first, and one 'fleet:update' message per FleetService update (the
// service already batches: snapshots at most 4 a second). Export and import ask for the file
// with the system's dialogs, and a report opens in the default browser: the page never names
// a path on this machine.
import electron, { ipcMain, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fleetChannel, FLEET_METHODS, FLEET_UPDATE_CHANNEL, type FleetApi, type FleetMethodName } from '../contract/fleet-api.ts';
import { checkParams } from '../contract/fleet-params.ts';
import type { ExportResult, ImportResult, ReportResult } from '../contract/runs.ts';
import { isRunId } from '../runs/run-layout.ts';
import { assertTrustedSender, isAppUrl } from './security.ts';

/** The FleetService as the desktop app uses it: exportRun also takes the file the user chose. */
export interface DesktopFleet extends FleetApi {
  exportRun(id: string, file?: string): Promise<ExportResult>;
}

/** The shell's side of export, import and report (the system dialogs; replaced in tests). */
export interface RunFileDialogs {
  /** Where to save run `id` as a zip; null when the user canceled. */
  saveZip(win: BrowserWindow | null, id: string): Promise<string | null>;
  /** Which exported run to import; null when the user canceled. */
  openZip(win: BrowserWindow | null): Promise<string | null>;
  /** Opens a written report; resolves with an error message, or '' when it opened. */
  openReport(file: string): Promise<string>;
}

const ZIP_FILTERS = [{ name: 'Fleetsim run (.zip)', extensions: ['zip'] }];

/** The real dialogs (electron is read at call time: tests run this module against a fake). */
export const systemDialogs: RunFileDialogs = {
  async saveZip(win, id) {
    const defaultPath = join(electron.app.getPath('downloads'), `${id}.zip`);
    const options = { title: 'Export run', defaultPath, filters: ZIP_FILTERS };
    const r = win ? await electron.dialog.showSaveDialog(win, options) : await electron.dialog.showSaveDialog(options);
    return r.canceled || !r.filePath ? null : r.filePath;
  },
  async openZip(win) {
    const options = { title: 'Import a run', filters: ZIP_FILTERS, properties: ['openFile' as const] };
    const r = win ? await electron.dialog.showOpenDialog(win, options) : await electron.dialog.showOpenDialog(options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  },
  openReport: (file) => electron.shell.openPath(file),
};

const CANCELED = { ok: false as const, canceled: true, problems: [] };

/** The three methods that involve files on this machine, as the desktop app answers them. */
function desktopMethods(service: DesktopFleet, getWindow: () => BrowserWindow | null, dialogs: RunFileDialogs): Partial<Record<FleetMethodName, (...args: unknown[]) => Promise<unknown>>> {
  return {
    async exportRun(id): Promise<ExportResult> {
      if (!isRunId(id)) return { ok: false, problems: [`id: no run "${String(id)}"`] };
      const file = await dialogs.saveZip(getWindow(), id);
      return file ? service.exportRun(id, file) : CANCELED;
    },
    // Whatever the page passes is ignored: the file comes from the open dialog.
    async importRun(): Promise<ImportResult> {
      const file = await dialogs.openZip(getWindow());
      return file ? service.importRun(file) : CANCELED;
    },
    async reportRun(id): Promise<ReportResult> {
      const result = await service.reportRun(id as string);
      if (result.ok) {
        const error = await dialogs.openReport(result.file);
        if (error) console.error(`fleetsim: opening ${result.file}: ${error}`);
      }
      return result;
    },
  };
}

/**
 * Wires `service` to the window `getWindow()` returns at the time of each call (the window can
 * be closed and re-created on macOS). Returns a function that removes the handlers again.
 */
export function wireFleetIpc(service: DesktopFleet, getWindow: () => BrowserWindow | null, dialogs: RunFileDialogs = systemDialogs): () => void {
  const desktop = desktopMethods(service, getWindow, dialogs);
  for (const name of FLEET_METHODS) {
    const channel = fleetChannel(name);
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      assertTrustedSender(event, getWindow(), channel);
      // Count and shape first, as over the browser-mode bridge; FleetService then validates
      // scenarios, timers and settings field by field.
      const checked = checkParams(name, args);
      if (!checked.ok) throw new Error(checked.problems.join('; '));
      const method = desktop[name] ?? (service[name] as (...params: unknown[]) => Promise<unknown>);
      return method.apply(service, checked.params);
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
