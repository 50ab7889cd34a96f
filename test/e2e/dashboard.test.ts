/// <reference lib="dom" />
// End to end, as a QA engineer uses it: `fleetsim serve` (a real controller and the embedded
// target) driven in Debian's Chromium. Pick the demo, start, watch the fleet come online,
// open a device and read its log, stop; create a test PKI and run the mtls preset against the
// embedded target's TLS listeners. Leaves screenshots in test-results/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ELECTRON_APP, openApp, type AppWindow } from '../helpers/app-window.ts';

const ROOT = join(import.meta.dirname, '../..');
const RESULTS = join(ROOT, 'test-results');

let app: AppWindow;
let url = '';
let page: Page;
// The served process's FLEETSIM_HOME: its test PKI goes here, never into the real ~/.fleetsim.
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-home-'));

const number = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  app = await openApp(home);
  ({ page, url } = app);
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

test('demo preset: start, 1,200 devices online, a device log, a storm and its recovery, stop', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.getByTestId('preset-select').selectOption('demo');
  await page.getByTestId('start-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'running');
  assert.equal(number(await page.getByTestId('online-target').textContent()), 1200);
  await page.waitForFunction(
    () => Number((document.querySelector('[data-testid="online-count"]')?.textContent ?? '').replace(/[^\d]/g, '')) === 1200,
    undefined,
    { timeout: 60_000 },
  );
  // The fleet connect rate sits with the connect counters (the demo's ramp is fixed).
  assert.match((await page.getByTestId('ramp-status').textContent()) ?? '', /^ramp [\d,]+\/s$/);
  await page.locator('.rates-card').screenshot({ path: join(RESULTS, 'rates-card.png') });

  // Let a few timeline seconds accumulate so the charts have something to draw.
  await page.waitForTimeout(4000);
  const rows = page.getByTestId('device-row');
  await rows.first().waitFor();
  const id = await rows.first().getAttribute('data-device-id');
  assert.ok(id, 'rows carry their device id');
  await rows.first().click();
  const drawer = page.getByTestId('device-drawer');
  await drawer.waitFor();
  await drawer.getByTestId('device-log-line').first().waitFor();
  const lines = await drawer.getByTestId('device-log-line').allTextContents();
  assert.ok(lines.some((l) => /online/.test(l)), `the log shows the device going online: ${lines.join(' | ')}`);
  assert.ok((await drawer.textContent())?.includes(id!));
  assert.ok((await page.getByTestId('host-row').count()) >= 1);
  assert.ok((await page.getByTestId('timeline-chart').count()) >= 2);
  await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true });

  // A reconnect storm, triggered from the UI: its recovery card ends up "recovered".
  await page.keyboard.press('Escape');
  await page.getByTestId('storm-shortcut-drop').click();
  const card = page.getByTestId('storm-card').first();
  await card.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="storm-card"]')?.getAttribute('data-outcome') === 'recovered', undefined, { timeout: 30_000 });
  assert.match((await card.textContent()) ?? '', /drop 30%/);
  await page.screenshot({ path: join(RESULTS, 'storm.png'), fullPage: true });

  await page.getByTestId('stop-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'stopped');
  assert.deepEqual(pageErrors, []);
});

test('slow readers with a cap: the target drops them, and the devices table marks them online but dropped', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.getByTestId('preset-select').selectOption('slow-readers-capped');
  await page.getByTestId('start-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'running');
  // The target counts its drops in the Backpressure card …
  await page.waitForFunction(() => document.querySelector('[data-testid="target-dropped-slow"]')?.textContent?.trim() === '4', undefined, { timeout: 60_000 });
  // … and the devices table shows each of the four still online, marked as dropped by the target.
  await page.getByTestId('devices-group-filter').selectOption('slow');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="device-row"] [data-testid="target-dropped"]').length === 4, undefined, { timeout: 30_000 });
  const rows = await page.getByTestId('device-row').evaluateAll((els) =>
    els.map((e) => [e.getAttribute('data-device-id'), e.querySelector('.st')?.textContent, e.querySelector('[data-testid="target-dropped"]')?.textContent]),
  );
  assert.deepEqual(rows, ['slow-0', 'slow-1', 'slow-2', 'slow-3'].map((id) => [id, 'online', 'dropped: cap']));
  await page.locator('.backpressure-card').screenshot({ path: join(RESULTS, 'backpressure-card-capped.png') });
  await page.screenshot({ path: join(RESULTS, 'dashboard-slow-readers-capped.png'), fullPage: true });
  await page.getByTestId('stop-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'stopped');
  assert.deepEqual(pageErrors, []);
});

test('mtls: create the test PKI from the UI, run the mtls preset, TLS handshakes and the refused certificates show', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  const pkiDir = join(home, 'pki');
  const status = page.getByTestId('pki-status');

  await page.getByTestId('pki-init').click();
  await status.waitFor();
  assert.equal(await status.getAttribute('data-tone'), 'ok', (await status.textContent()) ?? '');
  assert.match((await status.textContent()) ?? '', new RegExp(`Created a test PKI in ${pkiDir}.*tls: \\{ pki: ${pkiDir} \\}`));
  assert.ok(existsSync(join(pkiDir, 'ca.pem')), 'the served process wrote the PKI under FLEETSIM_HOME');
  await page.getByTestId('pki-init').click();
  await page.waitForFunction((dir) => document.querySelector('[data-testid="pki-status"]')?.textContent?.includes(`${dir} already holds a test PKI`), pkiDir);

  await page.getByTestId('preset-select').selectOption('mtls');
  await page.getByTestId('tls-fields').first().waitFor();
  // Long enough that the run is still going when the test stops it.
  await page.locator('input[data-path="duration"]').fill('5m');
  await page.getByTestId('start-button').click();
  const startProblems = page.getByTestId('start-problems');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'running' || document.querySelector('[data-testid="start-problems"]') !== null,
  );
  assert.equal(await startProblems.count(), 0, `the run did not start: ${await startProblems.textContent().catch(() => '')}`);
  assert.equal(number(await page.getByTestId('online-target').textContent()), 1030);
  // mtls-tcp (800) and mtls-wss (200) come online; the 30 negative devices never do.
  await page.waitForFunction(
    () => Number((document.querySelector('[data-testid="online-count"]')?.textContent ?? '').replace(/[^\d]/g, '')) === 1000,
    undefined,
    { timeout: 90_000 },
  );

  const refused = ['connack-refused:not-authorized', 'connack-refused:bad-username-or-password', 'connack-refused:identifier-rejected'];
  const shown = () => page.getByTestId('failure-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-reason')));
  await page
    .waitForFunction((reasons) => reasons.every((r) => document.querySelector(`[data-testid="failure-reason"][data-reason="${r}"]`)), refused, { timeout: 30_000 })
    .catch(async (err: Error) => {
      throw new Error(`failures by reason: expected ${refused.join(', ')}; shown: ${(await shown()).join(', ') || 'none'} (${err.message})`);
    });
  const tlsRow = page.getByTestId('latency-tls');
  assert.match((await tlsRow.textContent()) ?? '', /^TLS handshake/);
  const [p50, p99] = await tlsRow.locator('td.num').allTextContents();
  assert.ok(p50 !== '—' && p99 !== '—' && Number.parseFloat(p99) > 0, `a TLS handshake latency: ${p50} / ${p99}`);
  assert.ok(number(await page.getByTestId('tls-handshakes').locator('b').first().textContent()) >= 1000, 'every online device completed a handshake');
  // A few timeline seconds so the latency chart draws its tls series.
  await page.waitForTimeout(3000);
  await page.screenshot({ path: join(RESULTS, 'mtls.png'), fullPage: true });

  await page.getByTestId('stop-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'stopped');
  assert.deepEqual(pageErrors, []);
});

test('a page without the token is refused by the bridge and says so', { skip: ELECTRON_APP && 'browser mode only: the app window talks over IPC, not the bridge' }, async () => {
  const p = await page.context().browser()!.newPage();
  await p.goto(url.replace(/token=[^&]+/, 'token=wrong'));
  await p.waitForFunction(() => /refused|unauthori|token/i.test(document.querySelector('[data-testid="connection-state"]')?.textContent ?? ''), undefined, { timeout: 15_000 });
  await p.close();
});
