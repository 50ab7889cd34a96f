/// <reference lib="dom" />
// A capacity search from the app, in Chromium against `fleetsim serve` and Debian's mosquitto
// refusing clients past 25: switch the editor to Capacity search (the settings start from the
// defaults), a bad step is named under its field, then steps of 10 held 1 s each; the Capacity
// panel fills in step by step and ends with the verdict (knee at 30, 20 held, the target gave
// out) while the live figures keep going. Leaves test-results/capacity.png (the page) and
// capacity-panel.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { openApp, type AppWindow } from '../helpers/app-window.ts';
import { startCappedMosquitto } from '../helpers/mosquitto.ts';

const RESULTS = join(import.meta.dirname, '../../test-results');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-capacity-'));
let app: AppWindow;
let url = '';
let page: Page;
let broker: Awaited<ReturnType<typeof startCappedMosquitto>>;

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  broker = await startCappedMosquitto(25);
  app = await openApp(home);
  ({ page, url } = app);
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await app?.close();
  await broker?.stop();
  rmSync(home, { recursive: true, force: true });
});

const field = (path: string) => page.locator(`input[data-path="${path}"]`);

test('capacity search from the editor: defaults prefilled, a bad step named, the steps and the verdict in the live view', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-phase') === 'connected');
  const scenario = {
    name: 'capped-broker',
    target: 'external',
    ramp: 0,
    hosts: 1,
    groups: [{ name: 'sensors', protocol: 'mqtt', url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'e2e-{index}', count: 40, timers: { heartbeat: { every: '500ms' } } }],
  };
  await page.locator('input[type="file"]').setInputFiles({ name: 'capped.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
  await page.getByTestId('mode-capacity').click();
  assert.equal(await page.getByTestId('mode-capacity').getAttribute('aria-checked'), 'true');
  assert.equal((await page.getByTestId('start-button').textContent())?.trim(), 'Start search');

  // The settings start from what `fleetsim capacity` uses.
  const prefilled: Record<string, string> = {};
  for (const key of ['step', 'hold', 'until', 'maxConnectFailures', 'maxDrops', 'maxConnackP99', 'maxPubackP99', 'maxLoopLag', 'maxCpu']) prefilled[key] = await field(`capacity.${key}`).inputValue();
  assert.deepEqual(prefilled, { step: '10%', hold: '60s', until: '', maxConnectFailures: '0.1%', maxDrops: '0.1%', maxConnackP99: '1s', maxPubackP99: '2s', maxLoopLag: '50ms', maxCpu: '90%' });

  // A bad setting is named under its field, by the contract's own words.
  await field('capacity.step').fill('lots');
  const stepProblem = page.locator('[data-testid="scenario-problem"][data-path="capacity.step"]');
  await stepProblem.waitFor();
  assert.match((await stepProblem.textContent()) ?? '', /expected a device count such as 100 or a share such as 10%/);
  await page.getByTestId('capacity-settings').screenshot({ path: join(RESULTS, 'capacity-settings-invalid.png') });

  await field('capacity.step').fill('10');
  await field('capacity.hold').fill('1s');
  await field('capacity.maxConnackP99').fill('5s');
  await page.waitForFunction(() => document.querySelector('[data-testid="capacity-settings"] [data-testid="scenario-problem"]') === null);
  // The live figures: the most devices online the counter showed while the search ran.
  await page.evaluate(() => {
    const w = window as unknown as { maxOnline: number };
    w.maxOnline = 0;
    setInterval(() => (w.maxOnline = Math.max(w.maxOnline, Number((document.querySelector('[data-testid="online-count"]')?.textContent ?? '').replace(/[^\d]/g, '')))), 100);
  });
  await page.getByTestId('start-button').click();

  const panel = page.getByTestId('capacity-panel');
  await panel.waitFor();
  // While it runs: the current step and its phase.
  await page.getByTestId('capacity-current').first().waitFor();
  assert.match((await page.getByTestId('capacity-phase').textContent()) ?? '', /^step \d of 4 · (admitting|holding|judging)/);
  // The top bar counts steps, not the duration (only the search's outer bound).
  assert.match((await page.getByTestId('capacity-progress').textContent()) ?? '', /step \d of 4$/);

  const verdict = page.getByTestId('capacity-verdict');
  await verdict.waitFor({ timeout: 60_000 });
  assert.equal(await verdict.getAttribute('data-knee'), '30');
  assert.equal(await verdict.getAttribute('data-largest-held'), '20');
  assert.equal(await verdict.getAttribute('data-who'), 'target');
  assert.equal((await page.getByTestId('capacity-who').textContent())?.trim(), 'the target');
  assert.match((await page.getByTestId('capacity-sentence').textContent()) ?? '', /^knee at 30 devices: the target gave out while the generator was healthy: connect failures/);
  const rows = page.getByTestId('capacity-step');
  assert.equal(await rows.count(), 3);
  await page.waitForFunction(() => /3 of 4 steps$/.test(document.querySelector('[data-testid="capacity-progress"]')?.textContent ?? ''));
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-devices'), tr.getAttribute('data-held')])), [['10', 'true'], ['20', 'true'], ['30', 'false']]);
  assert.match((await rows.nth(2).textContent()) ?? '', /failed: connect failures/);
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'stopped');

  // The live figures kept going alongside: the fleet came online, the charts drew.
  const maxOnline = await page.evaluate(() => (window as unknown as { maxOnline: number }).maxOnline);
  assert.ok(maxOnline >= 20 && maxOnline <= 30, `most online seen: ${maxOnline}`);
  assert.ok((await page.locator('.uplot canvas').count()) > 0, 'the live charts are drawn');
  // The run was recorded with its search.
  const runs = join(home, 'runs');
  const [id] = readdirSync(runs);
  assert.ok(existsSync(join(runs, id, 'capacity.json')));

  await page.screenshot({ path: join(RESULTS, 'capacity.png') });
  await panel.screenshot({ path: join(RESULTS, 'capacity-panel.png') });
  assert.deepEqual(pageErrors, []);
});
