/// <reference lib="dom" />
// End to end: three `fleetsim run --shard I/3 --run-id R --metrics-port P` processes of one
// scenario against Debian's mosquitto, Debian's Prometheus scraping them, and `fleetsim serve --attach … --run-id R` in Debian's Chromium: the
// live view shows the fleet summed over shards, its charts and one host row per shard; Detach,
// then the "Attach to a distributed run" form brings it back. Screenshots in test-results/.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { startShardProcesses } from '../helpers/labelled-shards.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.ts';
import { startServe, stopServe } from '../helpers/serve.ts';

const ROOT = join(import.meta.dirname, '../..');
const RESULTS = join(ROOT, 'test-results');
const RUN = 'e2e-attach';
const SHARDS = 3;
const PER_SHARD = 20;

let mosquitto: Mosquitto;
let prometheus: Prometheus;
let fleet: Awaited<ReturnType<typeof startShardProcesses>>;
let server: ChildProcess;
let browser: Browser;
let page: Page;
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-attach-home-'));

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  mosquitto = await startMosquitto();
  const scenario = join(home, 'fleet.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      name: 'attach-e2e',
      target: 'external',
      duration: '5m',
      ramp: 0,
      hosts: 1,
      groups: [{ name: 'sensors', protocol: 'mqtt', url: `mqtt://127.0.0.1:${mosquitto.port}`, count: SHARDS * PER_SHARD, mqtt: { qos: 1 }, timers: { heartbeat: { every: '500ms' } } }],
    }),
  );
  fleet = await startShardProcesses(scenario, RUN, SHARDS, home);
  prometheus = await startPrometheus(fleet.targets);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(45_000);
});

after(async () => {
  await browser?.close();
  await stopServe(server);
  await fleet?.stop();
  await prometheus?.stop();
  await mosquitto?.stop();
  rmSync(home, { recursive: true, force: true });
});

const onlineIs = (n: number) =>
  page.waitForFunction((want) => Number((document.querySelector('[data-testid="online-count"]')?.textContent ?? '').replace(/[^\d]/g, '')) === want, n);

test('serve --attach shows the fleet summed over its shards, with charts and per-shard hosts; Detach and the form', async () => {
  const served = await startServe(home, ['--attach', prometheus.url, '--run-id', RUN, '--window', '10']);
  server = served.server;
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(served.url);
  await onlineIs(SHARDS * PER_SHARD);
  assert.equal(Number((await page.getByTestId('online-target').textContent())?.replace(/[^\d]/g, '')), SHARDS * PER_SHARD);
  await page.waitForFunction((n) => document.querySelector('[data-testid="attached-shards"]')?.textContent?.trim() === `${n} shards`, SHARDS);
  assert.match((await page.getByTestId('attached-label').textContent()) ?? '', new RegExp(`attached: ${RUN} via ${prometheus.url.replace(/[.]/g, '\\.')}`));
  assert.equal((await page.getByTestId('stop-button').textContent())?.trim(), 'Detach');
  assert.equal(await page.getByTestId('start-button').isDisabled(), true, 'no local run while attached');
  assert.equal(await page.getByTestId('storm-panel').count(), 0, 'no storms: they belong to each shard');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="host-row"]').length === 3);
  assert.deepEqual(await page.getByTestId('host-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-shard'))), ['0', '1', '2']);
  assert.ok((await page.getByTestId('timeline-chart').count()) >= 2);
  // rate() needs two scrapes in its window, the chart lines several polls: wait for both to show.
  await page.waitForFunction(() => Number((document.querySelector('[data-testid="rate-msgs-sent"]')?.textContent ?? '').replace(/[^\d.]/g, '')) > 0);
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="latency-puback"]')?.textContent ?? ''));
  await page.waitForFunction(() => Number((document.querySelector('[data-testid="timeline-chart"]') as HTMLElement | null)?.dataset.points ?? 0) >= 8);
  await page.screenshot({ path: join(RESULTS, 'attach.png'), fullPage: true });

  // Detach: the shards go on; the view says so and the form is back.
  await page.getByTestId('stop-button').click();
  await page.getByTestId('attach-form').waitFor();
  assert.equal((await page.getByTestId('stop-button').textContent())?.trim(), 'Stop');
  // The form: a bad run id is refused with its field, a good one attaches again.
  await page.getByTestId('attach-form').locator('summary').click();
  await page.getByTestId('attach-url').fill(prometheus.url);
  await page.getByTestId('attach-run-id').fill('not a run id');
  await page.getByTestId('attach-submit').click();
  await page.getByTestId('attach-problems').waitFor();
  assert.match((await page.getByTestId('attach-problems').textContent()) ?? '', /^runId: /);
  await page.getByTestId('attach-run-id').fill(RUN);
  await page.getByTestId('attach-submit').click();
  await page.getByTestId('attach-panel').waitFor();
  await onlineIs(SHARDS * PER_SHARD);
  await page.waitForFunction((n) => document.querySelector('[data-testid="attach-shards"]')?.textContent?.trim() === String(n), SHARDS);
  await page.waitForFunction(() => Number((document.querySelector('[data-testid="timeline-chart"]') as HTMLElement | null)?.dataset.points ?? 0) >= 3);
  await page.screenshot({ path: join(RESULTS, 'attach-form.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
  if (existsSync('/work/wt/_briefs')) copyFileSync(join(RESULTS, 'attach.png'), '/work/wt/_briefs/attach-screenshot.png');
});
