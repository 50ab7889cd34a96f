/// <reference lib="dom" />
// "Why devices dropped" in the app: `fleetsim serve` in Chromium runs WebSocket devices through
// Debian's nginx (proxy_read_timeout 2s) to a room server. Devices pinging every 5 s are cut,
// devices pinging every second stay; the live view names the cut an idle timeout of ~2 s.
// Leaves test-results/causes-card.png.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startRoomServer, type RoomServer } from '../../src/targets/room-server.ts';
import { openApp, type AppWindow } from '../helpers/app-window.ts';
import { NGINX_BIN, startNginxWsProxy, type Middlebox } from '../helpers/middleboxes.ts';

const RESULTS = join(import.meta.dirname, '../../test-results');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-causes-'));
let app: AppWindow;
let url = '';
let page: Page;
let rooms: RoomServer;
let nginx: Middlebox;

before(async () => {
  if (!NGINX_BIN) return;
  mkdirSync(RESULTS, { recursive: true });
  rooms = await startRoomServer({ host: '127.0.0.1', port: 0 });
  nginx = await startNginxWsProxy(rooms.port, 2);
  app = await openApp(home);
  ({ page, url } = app);
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await app?.close();
  await nginx?.stop();
  await rooms?.stop();
  rmSync(home, { recursive: true, force: true });
});

test('an idle cut by nginx is named in the live view', { skip: !NGINX_BIN && 'nginx not installed' }, async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-phase') === 'connected');
  assert.equal(await page.getByTestId('causes-card').count(), 0, 'no card before anything dropped');
  const ws = `ws://127.0.0.1:${nginx.port}/`;
  const group = (name: string, ping: string) => ({ name, protocol: 'ws', url: ws, count: 20, clientId: `${name}-{index}`, timers: { heartbeat: 'off', status: 'off', ping: { every: ping } } });
  const scenario = { name: 'behind-nginx', target: 'external', duration: '60s', ramp: 0, hosts: 1, groups: [group('quiet', '5s'), group('chatty', '1s')] };
  await page.locator('input[type="file"]').setInputFiles({ name: 'nginx.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
  await page.getByTestId('start-button').click();
  const cause = page.locator('[data-testid="cause"][data-kind="idle-timeout"]');
  await cause.waitFor();
  // Wait for the cluster to hold every quiet device's first cut.
  await page.waitForFunction(() => Number((document.querySelector('[data-testid="cause"][data-kind="idle-timeout"] .cause-count')?.textContent ?? '').replace(/[^\d]/g, '')) >= 20);
  const text = (await cause.locator('.cause-text').textContent()) ?? '';
  assert.match(text, /^\d+ connections closed by the peer after [12]\.\d+ ± 0\.\d+ s without traffic from the server: an idle timeout between you and the target; a ping interval under [12]\.\d s keeps them open$/);
  assert.equal(await cause.locator('.cause-reason').textContent(), 'abnormal-close');
  await page.getByTestId('causes-card').screenshot({ path: join(RESULTS, 'causes-card.png') });
  await page.screenshot({ path: join(RESULTS, 'causes.png') });
  await page.getByTestId('stop-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'stopped');
  assert.deepEqual(pageErrors, []);
});
