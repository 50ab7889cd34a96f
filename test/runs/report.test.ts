/// <reference lib="dom" />
// report.html as a reader gets it: a real recorded run (embedded MQTT fleet, a drop storm and its
// recovery) rendered and opened from disk in Debian's Chromium with every network request
// blocked; the same run interrupted (no summary); hostile names; a synthetic 24-hour run; and
// `fleetsim report` in-process. Leaves screenshots in test-results/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { reportCommand } from '../../src/cli/report-command.ts';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { RunRecorder } from '../../src/fleet/run-recorder.ts';
import { parseTimeline } from '../../src/runs/timeline-csv.ts';
import { writeReport } from '../../src/runs/report/write-report.ts';
import { writeSyntheticRun } from './synthetic-run.ts';

const ROOT = join(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const RESULTS = join(ROOT, 'test-results');
const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-report-'));
const home = join(tmp, 'home');

let browser: Browser;
let runDir = '';
let summary: RunSummary;

/** Opens a report from disk; any request that is not for the file itself is blocked and recorded. */
async function open(file: string): Promise<{ page: Page; blocked: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const blocked: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('file:') && !url.startsWith('data:') && !blocked.includes(url)) blocked.push(url);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  return { page, blocked, errors };
}

const number = (text: string | null) => Number((text ?? '').replace(/[^\d.]/g, ''));

/** Points of each drawn series in a chart: [series label, points]. */
function seriesPoints(page: Page, chart: string): Promise<Array<[string, number]>> {
  return page.$$eval(`[data-chart="${chart}"] svg path.series`, (paths) =>
    paths.map((p) => [p.getAttribute('data-series') ?? '', (p.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0] as [string, number]),
  );
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
  mkdirSync(RESULTS, { recursive: true });
  const v = validateScenario({
    name: 'report-e2e',
    duration: '6s',
    ramp: 0,
    hosts: 2,
    groups: [
      {
        name: 'sensors',
        protocol: 'mqtt',
        url: 'embedded:mqtt',
        count: 40,
        mqtt: { qos: 1 },
        timers: { heartbeat: { every: '300ms' }, ping: { every: '1s' } },
        // Devices stay down 1.5 s before retrying, so the dip is wide enough to be sampled.
        reconnect: { policy: 'fixed', base: '1500ms', jitter: 'none' },
      },
    ],
    storms: [{ at: '2s', action: 'drop', percent: 50, mode: 'destroy' }],
  });
  assert.ok(v.ok, v.ok ? '' : v.problems.join('; '));
  const recorder = new RunRecorder(join(tmp, 'runs'), v.scenario);
  const controller = new FleetController(v.scenario, { record: recorder.hostRecord });
  recorder.attach(controller);
  await controller.start();
  summary = await controller.done;
  await recorder.finished;
  runDir = recorder.dir;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('a recorded run: one self-contained page with figures, charts, storm markers and tables', async () => {
  assert.ok(existsSync(join(runDir, 'report.html')), 'the recorder wrote the report at the end of the run');
  const file = await writeReport(runDir);
  assert.equal(file, join(runDir, 'report.html'));
  assert.ok(!existsSync(`${file}.tmp`));
  const text = readFileSync(file, 'utf8');
  assert.match(text, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:/);
  assert.doesNotMatch(text, /<script|<link rel="stylesheet"|@import|url\(http|src="http|href="http/i, 'nothing to fetch, nothing to run');

  const { page, blocked, errors } = await open(file);
  try {
    assert.match(await page.title(), /report-e2e/);
    assert.equal((await page.getByTestId('run-name').textContent())?.trim(), 'report-e2e');
    assert.equal((await page.getByTestId('status').textContent())?.trim(), 'complete');
    assert.equal(number(await page.locator('[data-figure="peak-online"] .value').textContent()), summary.peakOnline);
    assert.equal(number(await page.locator('[data-figure="devices"] .value').textContent()), 40);
    assert.equal(number(await page.locator('[data-figure="disconnects"] .value').textContent()), summary.disconnects);

    const rows = parseTimeline(readFileSync(join(runDir, 'timeline.csv'), 'utf8')).points.length;
    assert.ok(rows >= 5, `${rows} timeline rows`);
    const charts = await page.$$eval('figure.chart-card', (els) => els.map((e) => e.getAttribute('data-chart') ?? ''));
    for (const chart of ['devices', 'connects', 'messages', 'latency-connect', 'latency-puback', 'host-cpu', 'host-rss', 'host-lag']) {
      assert.ok(charts.includes(chart), `a ${chart} chart (charts: ${charts.join(', ')})`);
    }
    for (const chart of ['devices', 'connects', 'messages', 'latency-puback', 'host-cpu', 'host-rss', 'host-lag']) {
      const points = await seriesPoints(page, chart);
      assert.ok(points.some(([, n]) => n >= rows), `${chart}: a line through every second (${JSON.stringify(points)})`);
    }
    for (const chart of charts) {
      // Lines (or dots), or the stacked bars of the drops by reason.
      const drawn = await page.locator(`[data-chart="${chart}"] svg :is(path.series, g.dots, g.bar)`).count();
      assert.ok(drawn > 0, `${chart} draws something`);
    }
    assert.ok(charts.includes('disconnect-reasons'), 'the storm drops show over time');
    assert.ok(!charts.includes('latency-tls'), 'no chart for a kind without samples');

    // The storm: a marker on every chart, a row with its recovery, its drops by reason.
    const storm = summary.storms[0];
    assert.equal(storm.label, 'drop 50% (destroy)');
    assert.equal(await page.locator('.marker-storm').count(), charts.length);
    assert.match((await page.locator('[data-chart="devices"] .marker-storm title').textContent()) ?? '', /S1 · drop 50% \(destroy\) at 2s/);
    const stormRow = page.locator('tr[data-storm="1"]');
    assert.match((await stormRow.textContent()) ?? '', /drop 50% \(destroy\)/);
    assert.match((await stormRow.locator('.pill').textContent()) ?? '', new RegExp(storm.outcome.replace('-', ' ')));
    assert.equal(summary.disconnectReasons['storm-reset'], 20);
    assert.match((await page.locator('#reasons').textContent()) ?? '', /storm-reset\s*20/);

    // Latency: a row per kind with samples, none for kinds without.
    const connect = page.locator('table.latency tr[data-kind="connect"]');
    assert.equal(await connect.count(), 1);
    assert.equal(number(await connect.locator('td').nth(1).textContent()), summary.latencyMs.connect.count);
    assert.equal(await page.locator('table.latency tr[data-kind="tls"]').count(), 0);

    // Generator: one row per host.
    assert.equal(await page.locator('#generator table').first().locator('tbody tr').count(), 2);
    assert.match((await page.locator('#scenario').textContent()) ?? '', /embedded:mqtt/);

    await page.screenshot({ path: join(RESULTS, 'report.png'), fullPage: true });
    assert.deepEqual(blocked, [], 'the page asked for nothing over the network');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('an interrupted run (no summary) still gets a report, from the timeline, with a banner saying why', async () => {
  const dir = join(tmp, 'interrupted', 'run-interrupted');
  cpSync(runDir, dir, { recursive: true });
  unlinkSync(join(dir, 'summary.json'));
  unlinkSync(join(dir, 'report.html'));
  // As the recorder leaves it when its process dies mid-run: readRun finds the process gone.
  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ status: 'incomplete', reason: 'the run has not ended', startedAt: record.startedAt, pid: gone, hosts: 2 }));

  const file = await writeReport(dir);
  const repaired = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.match(repaired.reason, /^interrupted: the recording process \(pid \d+\) stopped/);
  const timeline = parseTimeline(readFileSync(join(dir, 'timeline.csv'), 'utf8')).points;

  const { page, blocked, errors } = await open(file);
  try {
    assert.equal((await page.getByTestId('status').textContent())?.trim(), 'interrupted');
    const bannerText = (await page.locator('[data-banner="no-summary"]').textContent()) ?? '';
    assert.match(bannerText, /summary is missing/);
    assert.match(bannerText, /come from the per-second timeline/);
    assert.match((await page.getByTestId('status-reason').textContent()) ?? '', /^interrupted: the recording process \(pid \d+\) stopped before the run ended, \d+ s in; there is no summary$/);
    assert.equal(number(await page.locator('[data-figure="peak-online"] .value').textContent()), Math.max(...timeline.map((p) => p.online)));
    const connects = timeline.reduce((n, p) => n + p.connects, 0);
    assert.equal(number(await page.locator('[data-figure="connects"] .value').textContent()), connects);
    assert.match((await page.locator('[data-figure="reconnects"]').textContent()) ?? '', /needs the summary/);
    assert.ok((await seriesPoints(page, 'devices')).some(([, n]) => n >= timeline.length));
    // The storm from the fleet events, its dip read off the timeline.
    const stormRow = page.locator('tr[data-storm="1"]');
    const storm = summary.storms[0];
    let low = storm.onlineBefore;
    for (const p of timeline.filter((x) => x.t > storm.t)) {
      if (low < storm.onlineBefore * 0.99 && p.online >= storm.onlineBefore * 0.99) break;
      low = Math.min(low, p.online);
    }
    assert.ok(low < storm.onlineBefore, `the dip shows in the timeline (${low})`);
    assert.match((await stormRow.textContent()) ?? '', new RegExp(`drop 50% \\(destroy\\)[\\s\\S]*≈ ${low}`));
    assert.match((await stormRow.locator('.pill').textContent()) ?? '', /^recovered$/);
    assert.match((await page.locator('#reasons').textContent()) ?? '', /storm-reset\s*20/);
    assert.ok((await page.locator('table.latency tr[data-kind="connect"]').count()) === 1, 'latency from the per-second figures');
    await page.screenshot({ path: join(RESULTS, 'report-interrupted.png'), fullPage: true });
    assert.deepEqual(blocked, []);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('user text is escaped: a hostile scenario name, group name, reason and note stay text', async () => {
  const dir = join(tmp, 'hostile');
  const name = '<script>alert(1)</script>';
  writeSyntheticRun(dir, {
    name,
    seconds: 30,
    group: '"><img src=x onerror=alert(2)>',
    reason: '<img src=x onerror=alert(3)>',
    note: '</td><script>alert(4)</script>',
  });
  const file = await writeReport(dir);
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /<script>alert|<img src=x/);
  assert.match(text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  const { page, errors, blocked } = await open(file);
  try {
    assert.equal((await page.getByTestId('run-name').textContent())?.trim(), name);
    assert.match(await page.title(), /<script>alert\(1\)<\/script>/);
    assert.match((await page.locator('#scenario table').textContent()) ?? '', /"><img src=x onerror=alert\(2\)>/);
    assert.match((await page.locator('#reasons').textContent()) ?? '', /<img src=x onerror=alert\(3\)>/);
    assert.match((await page.locator('#events').textContent()) ?? '', /<\/td><script>alert\(4\)<\/script>/);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(errors, [], 'no script ran, no dialog opened');
    assert.deepEqual(blocked, []);
  } finally {
    await page.close();
  }
});

test('a 24-hour run: 86,400 timeline rows make a report under 2 MB that still shows a one-second spike', async () => {
  const dir = join(tmp, 'day');
  writeSyntheticRun(dir, { name: 'soak-24h', seconds: 86_400, spikeAt: 30_001, spike: 5000 });
  const started = Date.now();
  const file = await writeReport(dir);
  const ms = Date.now() - started;
  const bytes = statSync(file).size;
  console.log(`# 24 h report: ${(bytes / 1024).toFixed(0)} KB in ${ms} ms`);
  assert.ok(bytes < 2 * 1024 * 1024, `${bytes} bytes`);
  const { page, errors, blocked } = await open(file);
  try {
    const charts = await page.$$eval('figure.chart-card', (els) => els.map((e) => e.getAttribute('data-chart') ?? ''));
    // Drops by reason: a day of seconds summed into at most 120 stacked bars.
    const bars = await page.locator('[data-chart="disconnect-reasons"] svg g.bar').count();
    assert.ok(bars >= 1 && bars <= 120, `disconnect-reasons: ${bars} bars`);
    for (const chart of charts.filter((c) => c !== 'disconnect-reasons')) {
      const total = (await seriesPoints(page, chart)).reduce((n, [, p]) => n + p, 0);
      assert.ok(total <= 1500, `${chart}: ${total} points`);
      if (!chart.startsWith('latency-')) assert.ok(total >= 300, `${chart}: ${total} points`);
    }
    // Evenly thinning to 1,500 points would step over it; the low/high of each stretch keeps it.
    assert.match((await page.locator('[data-chart="connects"] .legend').textContent()) ?? '', /disconnects\/s\s*max 5,000/);
    const tops = await page.$$eval('[data-chart="connects"] path.series[data-series="disconnects/s"]', ([p]) => (p.getAttribute('d') ?? '').match(/L[\d.]+ [\d.]+/g)!.map((s) => Number(s.split(' ')[1])));
    // The axis runs to 6k: 5,000 drops sit 5/6 of the way up the plot (y 22 to 196), above the storms' 3,000.
    assert.ok(Math.abs(Math.min(...tops) - 51) < 1.5, `the spike is drawn to its height (${Math.min(...tops)})`);
    assert.equal(await page.locator('[data-chart="devices"] .marker-storm').count(), 3);
    await page.screenshot({ path: join(RESULTS, 'report-24h.png'), fullPage: false });
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, []);
  } finally {
    await page.close();
  }
});

/** Runs the command in this process, its FLEETSIM_HOME a temporary one (never the real ~/.fleetsim). */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const env = { FLEETSIM_HOME: home };
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await reportCommand(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('fleetsim report: by path, by id, latest; bad input exits 2 naming what was wrong', async () => {
  const runs = join(home, 'runs');
  mkdirSync(runs, { recursive: true });
  writeSyntheticRun(join(runs, '2026-01-01T00-00-00-000Z-older'), { name: 'older', seconds: 20, startedAt: Date.parse('2026-01-01T00:00:00Z') });
  writeSyntheticRun(join(runs, '2026-01-02T00-00-00-000Z-newer'), { name: 'newer', seconds: 20, startedAt: Date.parse('2026-01-02T00:00:00Z') });

  const byPath = await cli([runDir]);
  assert.equal(byPath.code, 0, byPath.err);
  assert.equal(byPath.out.trim(), join(runDir, 'report.html'));

  const byId = await cli(['2026-01-01T00-00-00-000Z-older']);
  assert.equal(byId.code, 0, byId.err);
  assert.equal(byId.out.trim(), join(runs, '2026-01-01T00-00-00-000Z-older', 'report.html'));
  assert.match(readFileSync(byId.out.trim(), 'utf8'), /<h1 data-testid="run-name">older<\/h1>/);

  const latest = await cli(['latest', '--dir', runs]);
  assert.equal(latest.code, 0, latest.err);
  assert.equal(latest.out.trim(), join(runs, '2026-01-02T00-00-00-000Z-newer', 'report.html'));

  const missing = await cli([join(tmp, 'no-such-dir')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no run ".*no-such-dir"/);
  assert.ok(!existsSync(join(tmp, 'no-such-dir')));
  const notRun = join(tmp, 'not-a-run');
  mkdirSync(notRun);
  const plain = await cli([notRun]);
  assert.equal(plain.code, 2);
  assert.match(plain.err, /not-a-run is not a run directory \(it has no run\.json\)/);
  assert.ok(!existsSync(join(notRun, 'report.html')));
  const unknownId = await cli(['2026-09-09T00-00-00-000Z-nope']);
  assert.equal(unknownId.code, 2);
  assert.match(unknownId.err, /no run "2026-09-09T00-00-00-000Z-nope"/);
  const empty = await cli(['latest', '--dir', join(tmp, 'empty-runs')]);
  assert.equal(empty.code, 2);
  assert.match(empty.err, /no recorded runs in/);
  assert.equal((await cli([])).code, 2);
  assert.equal((await cli(['a', 'b'])).code, 2);
  assert.equal((await cli(['--bogus'])).code, 2);
});
