/// <reference lib="dom" />
// End to end, recorded runs: `fleetsim serve` (its own FLEETSIM_HOME) driven in Chromium. A short
// run with a storm is recorded; the Runs view lists it as complete and opens it from disk
// (figures as in summary.json, charts, devices from devices.csv, a device's events from the
// event logs); export, report and import go through the bridge; the settings persist and name
// a bad value. Leaves test-results/runs.png and settings.png.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { freePort } from '../helpers/ports.ts';
import { startServe as serveFleet, stopServe } from '../helpers/serve.ts';

const ROOT = join(import.meta.dirname, '../..');
const RESULTS = join(ROOT, 'test-results');

let server: ChildProcess;
let url = '';
let origin = '';
let browser: Browser;
let page: Page;
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-runs-'));
const runsDir = join(home, 'runs');

const SCENARIO = {
  name: 'e2e-runs',
  target: 'embedded',
  duration: '4s',
  ramp: 0,
  hosts: 1,
  groups: [{ name: 'sensors', protocol: 'mqtt', url: 'embedded:mqtt', count: 30, timers: { heartbeat: { every: '500ms' } } }],
  storms: [{ at: '1500ms', action: 'drop', percent: 30, mode: 'destroy' }],
  // The storm's drops break the second one.
  thresholds: ['connects >= 30', 'disconnects == 0'],
};

async function startServe(): Promise<void> {
  ({ server, url } = await serveFleet(home));
  origin = new URL(url).origin;
}

async function get(path: string): Promise<{ status: number; type: string; body: Buffer; csp: string }> {
  const res = await fetch(`${origin}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', csp: res.headers.get('content-security-policy') ?? '', body: Buffer.from(await res.arrayBuffer()) };
}

const fmtInt = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
/** Waits until the top bar shows the run state `state`. */
const waitState = (state: string, timeout = 30_000) =>
  page.waitForFunction((want) => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === want, state, { timeout });

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  await startServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await browser?.close();
  await stopServe(server);
  rmSync(home, { recursive: true, force: true });
});

test('a recorded run: listed complete, opened from disk, exported, reported, imported, run again', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-phase') === 'connected');

  // A short run with a storm, loaded as a file into the editor and started from the UI.
  await page.locator('input[type="file"]').setInputFiles({ name: 'e2e-runs.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(SCENARIO)) });
  await page.getByTestId('start-button').click();
  await waitState('running');
  const recordDir = (await page.getByTestId('record-dir').textContent()) ?? '';
  assert.ok(recordDir.startsWith(runsDir), `the live view says where the run is recorded: ${recordDir}`);
  assert.match((await page.getByTestId('recording-strip').textContent()) ?? '', /Recording to/);
  await waitState('stopped');

  const ids = readdirSync(runsDir);
  assert.equal(ids.length, 1, `one run directory: ${ids.join(', ')}`);
  const id = ids[0];
  const dir = join(runsDir, id);
  assert.equal(recordDir, dir);

  // Runs: the run is listed, and turns complete once its record is finished.
  await page.getByTestId('nav-runs').click();
  const item = page.locator(`[data-testid="run-item"][data-run-id="${id}"]`);
  await item.waitFor();
  await page.waitForFunction((runId) => document.querySelector(`[data-testid="run-item"][data-run-id="${runId}"] [data-testid="run-status"]`)?.getAttribute('data-status') === 'complete', id, { timeout: 20_000 });
  assert.match((await item.textContent()) ?? '', /e2e-runs.*30 devices/s);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;

  await item.click();
  const detail = page.getByTestId('run-detail');
  await detail.waitFor();
  assert.equal(await detail.getAttribute('data-run-id'), id);
  assert.equal(await detail.getByTestId('run-dir').inputValue(), dir);

  // Headline figures: as in summary.json on disk.
  for (const key of ['devices', 'peakOnline', 'online', 'connects', 'reconnects', 'disconnects', 'connectFailures', 'lost'] as const) {
    const fig = detail.locator(`[data-testid="run-figure"][data-key="${key}"]`);
    assert.equal(Number(await fig.getAttribute('data-value')), summary[key], key);
    assert.equal((await fig.locator('.tile-value').textContent())?.trim(), fmtInt(summary[key]), `${key} as shown`);
  }
  assert.equal(summary.devices, 30);
  assert.ok(summary.storms.length >= 1, 'the scheduled storm is in the summary');
  assert.equal(await detail.getByTestId('run-storms').getByTestId('storm-card').count(), summary.storms.length);

  // Thresholds: each with its measured value and pass/fail, as in summary.json.
  assert.deepEqual(summary.thresholds?.map((r) => [r.check, r.pass]), [['connects >= 30', true], ['disconnects == 0', false]]);
  const thresholdRows = detail.getByTestId('run-thresholds').getByTestId('threshold-row');
  assert.deepEqual(await thresholdRows.evaluateAll((els) => els.map((e) => [...e.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent))), [
    ['connects >= 30', fmtInt(summary.connects), '✓ pass'],
    ['disconnects == 0', fmtInt(summary.disconnects), '✗ fail'],
  ]);
  assert.match((await detail.getByTestId('run-thresholds').textContent()) ?? '', /1 of 2 broken/);

  // Backpressure: the summary's outcome and figures, as recorded.
  assert.ok(summary.backpressure, 'the summary has backpressure');
  assert.equal((await detail.getByTestId('run-bp-outcome').textContent())?.trim(), summary.backpressure.outcome);
  assert.equal((await detail.getByTestId('run-bp-dropped').textContent())?.trim(), fmtInt(summary.backpressure.target?.droppedSlowClients ?? -1));

  // The charts: drawn from the recorded timeline (not the live one), canvases with pixels.
  const charts = detail.getByTestId('timeline-chart');
  assert.equal(await charts.count(), 7); // p50 beside p99, and the embedded target's clients
  // The storm's drops, stacked by reason beside them.
  assert.equal(await detail.getByTestId('reasons-chart').getAttribute('data-reasons'), Object.keys(summary.disconnectReasons).join(','));
  assert.ok((await detail.getByTestId('reasons-chart').locator('svg rect').count()) >= 1);
  assert.equal(await detail.locator('[data-testid="timeline-chart"].empty').count(), 0, 'every chart has points');
  const painted = await detail.locator('[data-testid="timeline-chart"] canvas').evaluateAll((els) =>
    els.map((c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return canvas.width > 100 && canvas.height > 50 ? n : 0;
    }),
  );
  assert.ok(painted.length === 7 && painted.every((n) => n > 500), `painted pixels per chart: ${painted.join(', ')}`);

  // Devices: the rows of devices.csv, paged from disk; a device's events from the event logs.
  const csvIds = readFileSync(join(dir, 'devices.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  assert.equal(csvIds.length, 30);
  await page.waitForFunction(() => document.querySelector('[data-testid="run-detail"] [data-testid="devices-total"]')?.textContent?.trim() === '30');
  const rows = detail.getByTestId('device-row');
  await rows.first().waitFor();
  const deviceId = (await rows.first().getAttribute('data-device-id')) ?? '';
  assert.ok(csvIds.includes(deviceId), `${deviceId} is a row of devices.csv`);
  await detail.getByTestId('devices-search').fill(deviceId);
  await page.waitForFunction(() => document.querySelector('[data-testid="run-detail"] [data-testid="devices-total"]')?.textContent?.trim() === '1');
  await rows.first().click();
  const drawer = page.getByTestId('device-drawer');
  await drawer.getByTestId('device-log-line').first().waitFor();
  const lines = await drawer.getByTestId('device-log-line').allTextContents();
  assert.ok(lines.some((l) => /connecting/.test(l)) && lines.some((l) => /online/.test(l)), `events read from disk: ${lines.join(' | ')}`);
  await page.keyboard.press('Escape');
  await detail.getByTestId('devices-search').fill('');

  // Export: the zip is written under FLEETSIM_HOME/exports and downloads through the bridge.
  await detail.getByTestId('run-export').click();
  const exported = detail.getByTestId('export-result');
  await exported.waitFor();
  const zipFile = join(home, 'exports', `${id}.zip`);
  assert.equal(await exported.getAttribute('data-file'), zipFile);
  assert.equal(readFileSync(zipFile).subarray(0, 2).toString(), 'PK');
  const href = (await detail.getByTestId('export-download').getAttribute('href')) ?? '';
  assert.match(href, new RegExp(`^/runs/${id}/export\\.zip\\?token=`));
  const [download] = await Promise.all([page.waitForEvent('download'), detail.getByTestId('export-download').click()]);
  assert.equal(download.suggestedFilename(), `${id}.zip`);
  assert.equal(readFileSync((await download.path())!).subarray(0, 2).toString(), 'PK');
  const zip = await get(href);
  assert.equal(zip.status, 200);
  assert.equal(zip.type, 'application/zip');
  assert.equal(zip.body.subarray(0, 2).toString(), 'PK');
  assert.equal((await get(`/runs/${id}/export.zip`)).status, 401, 'no token');
  assert.equal((await get(`/runs/${id}/export.zip?token=wrong`)).status, 401, 'wrong token');
  const token = new URL(url).searchParams.get('token')!;
  assert.equal((await get(`/runs/..%2F..%2Fsettings.json/export.zip?token=${token}`)).status, 404, 'not a run id');
  assert.equal((await get(`/runs/no-such-run/export.zip?token=${token}`)).status, 404, 'no such run');

  // Report: written in the run directory, served with its own CSP.
  await detail.getByTestId('run-report').click();
  const reported = detail.getByTestId('report-result');
  await reported.waitFor();
  assert.equal(await reported.getAttribute('data-file'), join(dir, 'report.html'));
  const reportHref = (await detail.getByTestId('report-open').getAttribute('href')) ?? '';
  const report = await get(reportHref);
  assert.equal(report.status, 200);
  assert.match(report.type, /^text\/html/);
  assert.match(report.body.toString('utf8'), /<html[\s>]/i);
  assert.match(report.csp, /default-src 'none'/);
  assert.equal((await get(reportHref.replace(/token=[^&]+/, 'token=nope'))).status, 401);

  await page.setViewportSize({ width: 1600, height: 1500 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(RESULTS, 'runs.png') });
  await page.setViewportSize({ width: 1600, height: 1000 });

  // Import (browser mode: a path on the serving machine); a bad path is named under the field.
  await page.getByTestId('import-path').fill(join(home, 'missing.zip'));
  await page.getByTestId('import-button').click();
  await page.getByTestId('import-problem').first().waitFor();
  assert.match((await page.getByTestId('import-problem').first().textContent()) ?? '', /missing\.zip: no such file/);
  await page.getByTestId('import-path').fill(zipFile);
  await page.getByTestId('import-button').click();
  await page.waitForFunction((runId) => {
    const d = document.querySelector('[data-testid="run-detail"]');
    return d !== null && d.getAttribute('data-run-id') !== runId;
  }, id);
  assert.equal(await page.getByTestId('run-item').count(), 2);
  assert.equal(readdirSync(runsDir).length, 2);

  // Run again: the scenario goes back into the editor, in the live view, and nothing starts.
  await page.getByTestId('run-again').click();
  await page.getByTestId('start-button').waitFor();
  assert.equal(await page.locator('input[data-path="name"]').inputValue(), 'e2e-runs');
  assert.equal(await page.locator('input[data-path="duration"]').inputValue(), '4s');
  assert.equal(await page.getByTestId('run-state').textContent(), 'stopped');
  assert.deepEqual(pageErrors, []);
});

test('settings: saved, kept across a reload, a bad value named at its field; the metrics URL shows', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  const port = await freePort();
  await page.getByTestId('nav-settings').click();
  const panel = page.getByTestId('settings-panel');
  await panel.getByTestId('setting-runsDir').waitFor();
  assert.equal(await panel.getByTestId('setting-runsDir').inputValue(), runsDir);
  await panel.getByTestId('setting-metricsOn').check();
  await panel.getByTestId('setting-metricsPort').fill(String(port));
  await panel.getByTestId('setting-record').uncheck();
  await panel.getByTestId('settings-save').click();
  await panel.getByTestId('settings-saved').waitFor();
  await panel.getByTestId('setting-record').check();
  await panel.getByTestId('settings-save').click();
  await panel.getByTestId('settings-saved').waitFor();
  const onDisk = JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')) as { metricsPort: number; record: boolean };
  assert.deepEqual([onDisk.metricsPort, onDisk.record], [port, true]);

  await page.reload();
  await page.getByTestId('nav-settings').click();
  await panel.getByTestId('setting-metricsPort').waitFor();
  assert.equal(await panel.getByTestId('setting-metricsPort').inputValue(), String(port));
  assert.equal(await panel.getByTestId('setting-metricsOn').isChecked(), true);
  assert.equal(await panel.getByTestId('setting-record').isChecked(), true);

  await panel.getByTestId('setting-metricsPort').fill('70000');
  await panel.getByTestId('setting-eventLogMaxMB').fill('0');
  await panel.getByTestId('settings-save').click();
  const portProblem = panel.locator('[data-testid="settings-problem"][data-field="metricsPort"]');
  await portProblem.waitFor();
  assert.match((await portProblem.textContent()) ?? '', /expected a port number 0-65535/);
  assert.match((await panel.locator('[data-testid="settings-problem"][data-field="eventLogMaxMB"]').textContent()) ?? '', /expected a size in MB/);
  assert.equal(JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')).metricsPort, port, 'nothing saved');
  await page.screenshot({ path: join(RESULTS, 'settings.png') });
  await panel.getByTestId('setting-metricsPort').fill(String(port));
  await panel.getByTestId('setting-eventLogMaxMB').fill('64');

  // The next run serves /metrics on that port, and the live view says where.
  await page.getByTestId('nav-live').click();
  await page.locator('input[type="file"]').setInputFiles({ name: 'e2e-runs.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...SCENARIO, storms: [] })) });
  await page.getByTestId('start-button').click();
  await waitState('running');
  await page.getByTestId('metrics-url').waitFor();
  assert.equal(await page.getByTestId('metrics-url').textContent(), `http://127.0.0.1:${port}/metrics`);
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /^# HELP /m);
  await waitState('stopped');
  assert.deepEqual(pageErrors, []);
});
