/// <reference lib="dom" />
// End to end, per-group views: `fleetsim serve` driven in Chromium with two groups on the
// embedded target (MQTT over TCP and WebSocket rooms). The live view's group table shows both
// groups with their own numbers, the latency charts show p50 beside p99, a storm's drops show in
// the stacked reasons chart; after the run the Runs view shows the same table from summary.json.
// Leaves test-results/groups-live.png and groups-run.png.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startServe, stopServe } from '../helpers/serve.ts';

const RESULTS = join(import.meta.dirname, '../../test-results');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-groups-'));
let server: ChildProcess;
let url = '';
let browser: Browser;
let page: Page;

const SCENARIO = {
  name: 'e2e-groups',
  target: 'embedded',
  duration: '12s',
  ramp: 0,
  hosts: 1,
  groups: [
    { name: 'mqtt-sensors', protocol: 'mqtt', url: 'embedded:mqtt', count: 60, mqtt: { qos: 1 }, timers: { heartbeat: { every: '500ms' } } },
    { name: 'ws-rooms', protocol: 'ws', url: 'embedded:ws', count: 40, ws: { roomSize: 10, send: 'echo' }, timers: { heartbeat: { every: '500ms' } } },
  ],
  storms: [{ at: '5s', action: 'drop', percent: 30, mode: 'destroy' }],
};

type RowFigures = { group: string; online: number; connects: number; sent: number; cells: string[] };

/** The group table's rows as shown. */
async function groupRows(scope: Page | ReturnType<Page['getByTestId']>): Promise<RowFigures[]> {
  return scope.getByTestId('group-row').evaluateAll((rows) =>
    rows.map((r) => ({
      group: r.getAttribute('data-group') ?? '',
      online: Number(r.getAttribute('data-online')),
      connects: Number(r.getAttribute('data-connects')),
      sent: Number(r.getAttribute('data-sent')),
      cells: [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''),
    })),
  );
}

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  ({ server, url } = await startServe(home));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await browser?.close();
  await stopServe(server);
  rmSync(home, { recursive: true, force: true });
});

test('two groups: the live table, p50 beside p99, drops by reason stacked, the same table in the Runs view', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-phase') === 'connected');
  await page.locator('input[type="file"]').setInputFiles({ name: 'e2e-groups.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(SCENARIO)) });
  await page.getByTestId('start-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'running');

  // Both groups online, each with its own connects and messages per second.
  const want: Array<[string, number]> = [
    ['mqtt-sensors', 60],
    ['ws-rooms', 40],
  ];
  await page.waitForFunction(
    (groups) =>
      groups.every(([g, n]) =>
        [...document.querySelectorAll('[data-testid="group-row"]')].some(
          (r) => r.getAttribute('data-group') === g && Number(r.getAttribute('data-online')) === n && Number(r.getAttribute('data-sent-per-sec')) > 0,
        ),
      ),
    want,
    { timeout: 20_000 },
  );
  const live = await groupRows(page);
  assert.deepEqual(live.map((r) => r.group), ['mqtt-sensors', 'ws-rooms']);
  const [mqtt, ws] = live;
  assert.ok(mqtt.connects >= 60 && ws.connects >= 40, JSON.stringify(live));
  // Columns: group, devices, online, connects, failed, drops, sent/s, recv/s, then p50 / p99 per kind.
  assert.equal(mqtt.cells[1], '60');
  assert.equal(ws.cells[1], '40');
  const head = await page.getByTestId('group-table').locator('th').allTextContents();
  for (const kind of ['connect', 'connack', 'puback', 'echo']) assert.ok(head.includes(kind), `a ${kind} column: ${head.join(' | ')}`);
  const cell = (r: RowFigures, kind: string) => r.cells[head.indexOf(kind)];
  assert.match(cell(mqtt, 'connack'), /^[\d.]+ (µs|ms|s) \/ [\d.]+ (µs|ms|s)$/, 'mqtt: connack p50 / p99');
  assert.match(cell(mqtt, 'puback'), /^[\d.]+ (µs|ms|s) \/ /, 'mqtt: puback p50 / p99');
  assert.equal(cell(ws, 'connack'), '—', 'no CONNACK over a plain WebSocket');
  assert.match(cell(ws, 'echo'), /^[\d.]+ (µs|ms|s) \/ /, 'ws: echo p50 / p99');
  assert.equal(cell(mqtt, 'echo'), '—');

  // The storm at 5 s drops 30%: the reasons chart stacks its reason, and each group counts its own drops.
  await page.waitForFunction(() => (document.querySelector('[data-testid="reasons-chart"]')?.getAttribute('data-reasons') ?? '') !== '', undefined, { timeout: 20_000 });
  assert.ok((await page.getByTestId('reasons-chart').locator('svg rect').count()) >= 1, 'a bar for the storm second');
  const titles = await page.locator('[data-testid="timeline-chart"] .chart-title').allTextContents();
  const p50 = titles.indexOf('Latency p50');
  assert.ok(p50 >= 0 && titles[p50 + 1] === 'Latency p99', `p50 beside p99: ${titles.join(' | ')}`);
  // Each group counts its own drops (the storm picks devices at random: at least one group has some).
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="group-row"]')].some((r) => Number(r.getAttribute('data-drops')) > 0));
  await page.screenshot({ path: join(RESULTS, 'groups-live.png'), fullPage: true });

  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'stopped', undefined, { timeout: 30_000 });
  const runsDir = join(home, 'runs');
  const [id] = readdirSync(runsDir);
  await page.getByTestId('nav-runs').click();
  const item = page.locator(`[data-testid="run-item"][data-run-id="${id}"]`);
  await page.waitForFunction((runId) => document.querySelector(`[data-testid="run-item"][data-run-id="${runId}"] [data-testid="run-status"]`)?.getAttribute('data-status') === 'complete', id, { timeout: 20_000 });
  await item.click();
  const detail = page.getByTestId('run-detail');
  await detail.getByTestId('group-table').waitFor();
  const summary = JSON.parse(readFileSync(join(runsDir, id, 'summary.json'), 'utf8')) as RunSummary;
  const recorded = await groupRows(detail);
  assert.deepEqual(recorded.map((r) => r.group), ['mqtt-sensors', 'ws-rooms']);
  for (const r of recorded) {
    const g = summary.groups?.[r.group];
    assert.ok(g, `${r.group} in summary.json`);
    assert.equal(r.connects, g.connects);
    assert.equal(r.sent, g.sent);
    assert.equal(r.online, g.online, `${r.group}: online when the run ended, before its devices stopped`);
    assert.ok(g.sent > 0 && g.connects > 0, `${r.group}: ${JSON.stringify(g)}`);
  }
  // The groups' drops and online devices add up to the fleet's.
  assert.equal(Object.values(summary.groups ?? {}).reduce((n, g) => n + g.online, 0), summary.online);
  assert.ok(summary.online > 0);
  assert.equal(Object.values(summary.groups ?? {}).reduce((n, g) => n + g.disconnects, 0), summary.disconnects);
  assert.ok(summary.disconnects > 0, 'the storm dropped devices');
  await detail.getByTestId('reasons-chart').locator('svg rect').first().waitFor();
  await page.screenshot({ path: join(RESULTS, 'groups-run.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});
