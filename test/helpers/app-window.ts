// The app window the end-to-end tests drive. By default, browser mode: `fleetsim serve` and
// Debian's Chromium. With FLEETSIM_E2E_APP=electron (npm run test:e2e:electron): the desktop app
// itself, dist/main.mjs in the real Electron binary, through playwright-core's Electron support,
// so the same tests run against the real window, its preload and IPC instead of the bridge.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { _electron, type Page } from 'playwright-core';
import { probeElectron } from '../../scripts/start.ts';
import { launchChromium } from './browser.ts';
import { startServe, stopServe } from './serve.ts';

const ROOT = join(import.meta.dirname, '../..');
export const ELECTRON_APP = process.env.FLEETSIM_E2E_APP === 'electron';

export interface AppWindow {
  page: Page;
  /** Where the app's page is: the served URL with its token, or app://fleetsim/index.html. */
  url: string;
  /** The `fleetsim serve` process (browser mode only). */
  server: ChildProcess | null;
  close(): Promise<void>;
}

/** Opens the app with FLEETSIM_HOME set to `home` (its runs, settings and test PKI go there). */
export async function openApp(home: string, viewport = { width: 1600, height: 1000 }): Promise<AppWindow> {
  if (ELECTRON_APP) return openElectron(home, viewport);
  const { server, url } = await startServe(home);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  return {
    page,
    url,
    server,
    close: async () => {
      await browser.close();
      await stopServe(server);
    },
  };
}

async function openElectron(home: string, viewport: { width: number; height: number }): Promise<AppWindow> {
  const probe = probeElectron(ROOT);
  assert.ok(probe.ok, `FLEETSIM_E2E_APP=electron: ${probe.ok ? '' : probe.reason}`);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && name !== 'ELECTRON_RUN_AS_NODE') env[name] = value;
  env.FLEETSIM_HOME = home;
  const app = await _electron.launch({ executablePath: probe.binary, args: [join(ROOT, 'dist', 'main.mjs')], cwd: ROOT, env });
  const page = await app.firstWindow();
  await page.setViewportSize(viewport);
  return { page, url: 'app://fleetsim/index.html', server: null, close: () => app.close() };
}
