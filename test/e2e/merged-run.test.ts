/// <reference lib="dom" />
// End to end, a merged run in the Runs view: two shards of one fleet recorded against one
// mosquitto, merged with `fleetsim runs merge` into the runs directory of `fleetsim serve`, and
// opened in Chromium like any run: listed complete with the fleet's devices, "merged from 2
// shards", charts drawn, a shard 1 device's log read from its renumbered host's event log.
// Leaves test-results/merged-run.png.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { validateScenario } from '../../src/contract/validate.ts';
import { createRun } from '../../src/fleet/recorded-run.ts';
import { mergeRuns } from '../../src/runs/merge/merge-runs.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { startServe, stopServe } from '../helpers/serve.ts';

const RESULTS = join(import.meta.dirname, '../../test-results');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-merged-'));
let server: ChildProcess | undefined;
let browser: Browser | undefined;

after(async () => {
  await browser?.close();
  await stopServe(server);
  rmSync(home, { recursive: true, force: true });
});

test('a merged run opens in the Runs view like any run, with its shards\' devices and logs', async () => {
  const broker = await startMosquitto();
  const shardsDir = join(home, 'shards');
  const startAt = Date.now() + 2500;
  const runs = [0, 1].map((index) => {
    const v = validateScenario({
      name: 'merged-e2e',
      target: 'external',
      duration: '4s',
      ramp: 0,
      hosts: 1,
      groups: [{ name: 'sensors', protocol: 'mqtt', url: `mqtt://127.0.0.1:${broker.port}`, count: 24, mqtt: { qos: 1 }, timers: { heartbeat: { every: '400ms' } } }],
    });
    assert.ok(v.ok);
    return createRun(v.scenario, { record: { runsDir: shardsDir }, distributed: { runId: 'e2e-fleet', shard: { index, count: 2 }, startAt } });
  });
  try {
    await Promise.all(runs.map((r) => r.controller.start()));
    await Promise.all(runs.map((r) => r.controller.done));
    await Promise.all(runs.map((r) => r.recorder?.finished));
  } finally {
    await Promise.all(runs.map((r) => r.controller.stop()));
    await broker.stop();
  }
  const merged = await mergeRuns([runs[0].recorder!.dir, runs[1].recorder!.dir], { runsDir: join(home, 'runs') });
  assert.equal(merged.status, 'complete', merged.reason);
  const shard1Device = readFileSync(join(runs[1].recorder!.dir, 'devices.csv'), 'utf8').trim().split('\n')[1].split(',')[0];

  mkdirSync(RESULTS, { recursive: true });
  const served = await startServe(home);
  server = served.server;
  {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await page.getByTestId('nav-runs').click();
    const item = page.locator(`[data-testid="run-item"][data-run-id="${merged.id}"]`);
    await item.waitFor();
    assert.equal(await item.getByTestId('run-status').getAttribute('data-status'), 'complete');
    assert.match((await item.textContent()) ?? '', /merged-e2e.*24 devices/s);
    await item.click();
    const detail = page.getByTestId('run-detail');
    await detail.waitFor();
    assert.match((await detail.getByTestId('run-merged').textContent()) ?? '', /merged from 2 shards/);
    const devices = detail.locator('[data-testid="run-figure"][data-key="devices"]');
    assert.equal(Number(await devices.getAttribute('data-value')), 24);
    assert.equal(await detail.locator('[data-testid="timeline-chart"].empty').count(), 0, 'every chart has points');

    // A shard 1 device: its row says host 1 (shard 1's host 0), its events come from events-host1.ndjson.
    await page.waitForFunction(() => document.querySelector('[data-testid="run-detail"] [data-testid="devices-total"]')?.textContent?.trim() === '24');
    await detail.getByTestId('devices-search').fill(shard1Device);
    await page.waitForFunction(() => document.querySelector('[data-testid="run-detail"] [data-testid="devices-total"]')?.textContent?.trim() === '1');
    await page.screenshot({ path: join(RESULTS, 'merged-run.png') });
    await detail.getByTestId('device-row').first().click();
    const drawer = page.getByTestId('device-drawer');
    await drawer.getByTestId('device-log-line').first().waitFor();
    const lines = await drawer.getByTestId('device-log-line').allTextContents();
    assert.ok(lines.some((l) => /online/.test(l)), `events read from the renumbered host's log: ${lines.join(' | ')}`);
    assert.deepEqual(errors, []);
  }
});
