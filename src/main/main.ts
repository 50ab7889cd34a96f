// Electron main process (bundled to dist/main.mjs): app lifecycle only. One instance, one
// window, one FleetService whose hosts run as utility processes; quitting stops the run first.
import { app, BrowserWindow, session } from 'electron';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetService } from '../fleet/fleet-service.ts';
import { wireFleetIpc } from './ipc.ts';
import { ElectronUtilityLauncher, consoleRunLog, type RunLog } from './utility-launcher.ts';
import { createMainWindow, denyAllPermissions, hardenWebContents, registerAppScheme, serveRenderer } from './window.ts';

/** Next to this bundle in dist/ (and in app.asar when packaged). */
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const RENDERER_ROOT = fileURLToPath(new URL('./renderer/', import.meta.url));
/** Set by `npm run dev` (scripts/start.ts --dev): DevTools open. */
const DEV = process.env.FLEETSIM_DEV === '1';
/** A run that will not stop in this time (hosts are force-killed well before) does not block quitting. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Child output goes to the console and to <logs>/fleetsim-hosts.log (a packaged app has no console). */
function createRunLog(): RunLog {
  let file: WriteStream | null = null;
  let fileFailed = false;
  return (line, stream) => {
    consoleRunLog(line, stream);
    if (!file && !fileFailed) {
      try {
        const dir = app.getPath('logs');
        mkdirSync(dir, { recursive: true });
        file = createWriteStream(join(dir, 'fleetsim-hosts.log'), { flags: 'a' });
        file.on('error', () => {
          fileFailed = true;
          file = null;
        });
      } catch {
        fileFailed = true;
      }
    }
    file?.write(`${new Date().toISOString()} ${line}\n`);
  };
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gave up after ${ms / 1000} s`)), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function startApp(): void {
  const service = new FleetService({ launcher: new ElectronUtilityLauncher(createRunLog()) });
  let win: BrowserWindow | null = null;

  wireFleetIpc(service, () => win);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  const openWindow = () => {
    const created = createMainWindow({ preload: PRELOAD, dev: DEV });
    created.on('closed', () => {
      if (win === created) win = null;
    });
    win = created;
  };

  // Stop the run (hosts and the embedded target) once, whichever way the app goes away.
  let stopping: Promise<void> | null = null;
  const stopRun = (): Promise<void> => {
    stopping ??= withTimeout(service.shutdown(), SHUTDOWN_TIMEOUT_MS).catch((err: unknown) => {
      console.error(`fleetsim: stopping the run: ${(err as Error).message}`);
    });
    return stopping;
  };

  let readyToQuit = false;
  app.on('before-quit', (event) => {
    if (readyToQuit) return;
    event.preventDefault();
    void stopRun().then(() => {
      readyToQuit = true;
      app.quit();
    });
  });
  // Closing the last window stops the load: a fleet of thousands of connections should not go on
  // hammering a server with no UI to stop it. On macOS the app itself stays in the dock, as
  // apps do there, and 'activate' opens a fresh window (it reads the finished run's status).
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') {
      app.quit(); // before-quit stops the run
      return;
    }
    void stopRun().then(() => {
      stopping = null; // a run started from a re-opened window is stopped again on quit
    });
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  // A second `npm start` or a second click on the icon: show the window we have.
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // Ctrl-C in the terminal that started us, or a kill from scripts/start.ts: quit properly.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  void app.whenReady().then(() => {
    const ses = session.defaultSession;
    denyAllPermissions(ses);
    serveRenderer(ses, RENDERER_ROOT);
    openWindow();
  });
}

// Before ready: scheme privileges and the sandbox for every renderer.
registerAppScheme();
app.enableSandbox();

if (app.requestSingleInstanceLock()) {
  startApp();
} else {
  // Another Fleetsim is running: it gets 'second-instance' and shows its window.
  app.quit();
}
