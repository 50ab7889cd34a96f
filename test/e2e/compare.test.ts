/// <reference lib="dom" />
// End to end, comparing runs: two runs recorded by `fleetsim run`, then `fleetsim serve` driven
// in Chromium: the Runs view ticks both, Compare shows the figures side by side (differences
// against the first ticked) and the timelines overlaid, one line per run. Leaves
// test-results/compare.png.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunListEntry } from '../../src/contract/runs.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startServe, stopServe } from '../helpers/serve.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fleetsim.mjs');
const RESULTS = join(ROOT, 'test-results');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-compare-'));

let server: ChildProcess;
let browser: Browser;
let page: Page;
let runs: RunListEntry[] = [];

function fleetsim(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, FLEETSIM_HOME: home }, cwd: home, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  for (const [name, count] of [['fewer', 12], ['more', 24]] as const) {
    const file = join(home, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\nramp: 0\nhosts: 1\ngroups:\n  - name: m\n    protocol: mqtt\n    url: embedded:mqtt\n    count: ${count}\n    timers: { heartbeat: { every: 300ms } }\n`);
    fleetsim(['run', file, '--duration', '3s']);
  }
  runs = (JSON.parse(fleetsim(['runs', '--json'])) as RunListEntry[]).reverse();
  assert.deepEqual(runs.map((r) => r.name), ['fewer', 'more']);
  let url: string;
  ({ server, url } = await startServe(home));
  browser = await launchChromium();
  // Tall enough to show the figures and every overlaid chart in one screenshot.
  page = await browser.newPage({ viewport: { width: 1600, height: 1700 } });
  page.setDefaultTimeout(30_000);
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-phase') === 'connected');
});

after(async () => {
  await browser?.close();
  await stopServe(server);
  rmSync(home, { recursive: true, force: true });
});

test('the Runs view: tick two runs, Compare, the figures side by side and the timelines overlaid', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.getByTestId('nav-runs').click();
  const pick = (id: string) => page.locator(`[data-testid="run-pick"][data-run-id="${id}"]`);
  await pick(runs[0].id).waitFor();
  const compare = page.getByTestId('runs-compare');
  assert.equal(await compare.isDisabled(), true, 'one run is not a comparison');
  await pick(runs[0].id).check();
  assert.equal(await compare.isDisabled(), true);
  await pick(runs[1].id).check();
  assert.equal((await compare.textContent())?.trim(), 'Compare (2)');
  await compare.click();

  const pane = page.getByTestId('compare-pane');
  await pane.getByTestId('compare-figures').waitFor();
  assert.match((await pane.locator('.panel-title').first().textContent()) ?? '', /2 runs compared/);
  const cells = async (key: string) => (await pane.locator(`tr[data-figure="${key}"] td`).allTextContents()).map((t) => t.trim());
  assert.deepEqual(await cells('devices'), ['devices', '12', '24+12 (+100%)']);
  assert.deepEqual(await cells('peakOnline'), ['peak online', '12', '24+12 (+100%)']);
  assert.ok((await cells('p99.connack'))[1].endsWith('ms'));
  // One line per run in each overlaid chart: uPlot draws them on a canvas; each chart says how many.
  const charts = pane.getByTestId('compare-chart');
  assert.ok((await charts.count()) >= 3, 'online, messages and a latency chart at least');
  assert.deepEqual(await pane.locator('[data-chart="online"] .legend-label').allTextContents(), ['base fewer', '#2 more']);
  assert.equal(await pane.locator('[data-chart="online"] canvas').count(), 1);
  // The canvas has drawn something in both runs' colours.
  const colours = await page.$eval('[data-chart="online"] canvas', (c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const seen = new Set<string>();
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return [...seen];
  });
  const near = (rgb: [number, number, number]) => colours.some((c) => c.split(',').every((v, k) => Math.abs(Number(v) - rgb[k]) < 24));
  assert.ok(near([0x2f, 0x80, 0xed]), 'the base run drawn in blue');
  assert.ok(near([0x12, 0xa3, 0x72]), 'the second run drawn in green');
  await page.screenshot({ path: join(RESULTS, 'compare.png'), fullPage: true });

  // Opening a run leaves the comparison; the picks stay for the next one.
  await page.locator(`[data-testid="run-item"][data-run-id="${runs[1].id}"]`).click();
  await page.getByTestId('compare-pane').waitFor({ state: 'detached' });
  assert.equal(await pick(runs[0].id).isChecked(), true);
  assert.deepEqual(pageErrors, []);
});
