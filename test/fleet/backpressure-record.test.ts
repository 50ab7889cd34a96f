/// <reference lib="dom" />
// Backpressure in the record: both slow-reader presets recorded, and what the target counted is
// what timeline.csv, summary.json, devices.csv and report.html say. The capped run's report is
// opened in Debian's Chromium and left as a screenshot in test-results/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import type { TargetStats } from '../../src/contract/target.ts';
import { PRESETS } from '../../src/contract/presets.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import type { FleetController } from '../../src/fleet/controller.ts';
import { createRun } from '../../src/fleet/recorded-run.ts';
import { parseDeviceRow } from '../../src/runs/devices-csv.ts';
import { parseTimeline } from '../../src/runs/timeline-csv.ts';
import type { RunSummary, TimelinePoint } from '../../src/contract/snapshot.ts';
import type { DeviceRow } from '../../src/contract/fleet-api.ts';
import { launchChromium } from '../helpers/browser.ts';
import { waitFor } from '../helpers/ports.ts';

const MB = 1024 * 1024;
const RESULTS = join(import.meta.dirname, '../../test-results');
const SLOW_READERS = ['slow-0', 'slow-1', 'slow-2', 'slow-3'];
const runsDirs: string[] = [];
after(() => runsDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Recorded {
  dir: string;
  summary: RunSummary;
  /** The target's stats as the controller held them when each timeline second closed. */
  targetAtSecond: Array<TargetStats | null>;
  /** The target's last stats (after it stopped). */
  targetAtEnd: TargetStats;
  timeline: TimelinePoint[];
}

/**
 * Records `preset` until `enough` holds of the target's stats at a closed second (or 60 s), runs
 * `whileRunning` against the live fleet, then stops it.
 */
async function record(
  preset: 'slow-readers' | 'slow-readers-capped',
  enough: (t: TargetStats) => boolean,
  what: string,
  whileRunning: (c: FleetController) => Promise<void> = async () => {},
): Promise<Recorded> {
  const v = validateScenario({ ...structuredClone(PRESETS[preset]), duration: '90s' });
  if (!v.ok) throw new Error(v.problems.join('; '));
  const runsDir = mkdtempSync(join(tmpdir(), 'fleetsim-bp-'));
  runsDirs.push(runsDir);
  const { controller: c, recorder } = createRun(v.scenario, { record: { runsDir } });
  assert.ok(recorder);
  const targetAtSecond: Array<TargetStats | null> = [];
  c.on('timeline', () => targetAtSecond.push(c.snapshot().target));
  await c.start();
  try {
    await waitFor('24 online', () => c.snapshot().gauges.online === 24, 20_000);
    await waitFor(what, () => {
      const t = targetAtSecond.at(-1);
      return !!t && enough(t);
    }, 60_000, () => JSON.stringify(targetAtSecond.at(-1)));
    await whileRunning(c);
  } finally {
    await c.stop();
  }
  const summary = await c.done;
  await recorder.finished;
  const targetAtEnd = c.snapshot().target;
  assert.ok(targetAtEnd);
  const { points, skipped } = parseTimeline(readFileSync(join(recorder.dir, 'timeline.csv'), 'utf8'));
  assert.equal(skipped, 0);
  return { dir: recorder.dir, summary, targetAtSecond, targetAtEnd, timeline: points };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

function devicesCsv(dir: string) {
  const [header, ...lines] = readFileSync(join(dir, 'devices.csv'), 'utf8').trim().split('\n');
  assert.match(header, /,bytesReceived,targetDropped$/);
  return lines.map((l) => parseDeviceRow(l)!);
}

/** Every recorded second carries the target's figures as the controller held them when it closed. */
function assertSecondsMatchTarget(r: Recorded): void {
  assert.equal(r.timeline.length, r.targetAtSecond.length);
  r.timeline.forEach((p, i) => {
    const t = r.targetAtSecond[i];
    assert.ok(t, `second ${p.t} has target stats`);
    assert.equal(p.targetBufferedBytes, t.bufferedBytes, `buffered at ${p.t}s`);
    assert.equal(p.targetMaxClientBufferedBytes, t.maxClientBufferedBytes, `largest client at ${p.t}s`);
    assert.equal(p.targetSlowClients, t.slowClients, `slow clients at ${p.t}s`);
  });
  // The per-second counts add up to the target's own totals.
  assert.equal(sum(r.timeline.map((p) => p.targetDropped ?? NaN)), r.targetAtEnd.droppedSlowClients);
  assert.equal(sum(r.timeline.map((p) => p.targetRefused ?? NaN)), r.targetAtEnd.refusedByRate ?? 0);
  assert.equal(sum(r.timeline.map((p) => p.targetShed ?? NaN)), r.targetAtEnd.shedByOverload ?? 0);
}

test('slow readers recorded: the target held more and more, and the record says so in its figures', async () => {
  const r = await record('slow-readers', (t) => t.bufferedBytes > 8 * MB, 'the target holding 8 MB');
  assertSecondsMatchTarget(r);
  const bp = r.summary.backpressure;
  assert.ok(bp?.target, JSON.stringify(bp));
  assert.deepEqual(JSON.parse(readFileSync(join(r.dir, 'summary.json'), 'utf8')).backpressure, JSON.parse(JSON.stringify(bp)));
  // Peaks are the timeline's, which are the target's.
  assert.equal(bp.target.peakBufferedBytes, max(r.targetAtSecond.map((t) => t?.bufferedBytes ?? 0)));
  assert.ok(bp.target.peakBufferedBytes > 8 * MB, `${bp.target.peakBufferedBytes}`);
  assert.equal(bp.target.peakMaxClientBufferedBytes, max(r.targetAtSecond.map((t) => t?.maxClientBufferedBytes ?? 0)));
  assert.equal(bp.target.peakSlowClients, max(r.targetAtSecond.map((t) => t?.slowClients ?? 0)));
  assert.equal(bp.target.droppedSlowClients, 0);
  assert.equal(bp.target.droppedDevicesCount, 0);
  assert.equal(bp.target.capBytes, 0);
  assert.equal(bp.fleet.peakSlowReaders, 4);
  assert.ok(bp.target.stillGrowing, 'stopped while still growing');
  assert.match(bp.outcome, /^The target held \d+(\.\d)? MB for 4 readers that stopped reading and kept growing at [\d.]+ (KB|MB)\/s\./);
  assert.ok(devicesCsv(r.dir).every((d) => d.targetDropped === undefined));
  assert.ok(readFileSync(join(r.dir, 'report.html'), 'utf8').includes('kept growing at'), 'the report states the outcome');
});

test('slow readers with a cap recorded: the drops the target counted are in every file, and in the report', async () => {
  let live: DeviceRow[] = [];
  const r = await record('slow-readers-capped', (t) => t.droppedSlowClients >= 4, 'the target dropping the 4 slow readers', async (c) => {
    live = (await c.devices({ group: 'slow', offset: 0, limit: 10 })).rows;
  });
  // The live devices table: online in the fleet's eyes, dropped in the target's.
  assert.deepEqual(live.map((d) => [d.id, d.state, d.targetDropped]), SLOW_READERS.map((id) => [id, 'online', 'cap']));
  assertSecondsMatchTarget(r);
  const bp = r.summary.backpressure;
  assert.ok(bp?.target, JSON.stringify(bp));
  assert.equal(bp.target.droppedSlowClients, r.targetAtEnd.droppedSlowClients);
  assert.equal(bp.target.droppedSlowClients, 4);
  assert.equal(bp.target.capBytes, MB);
  assert.deepEqual(bp.target.droppedDevices.map((d) => d.id).sort(), SLOW_READERS);
  assert.ok(bp.target.droppedDevices.every((d) => d.cause === 'cap'));
  // They read nothing, so they never saw the close: online to the fleet, dropped to the target.
  assert.equal(bp.target.droppedButOnline, 4);
  assert.equal(r.summary.online, 24);
  assert.match(bp.outcome, /^The target dropped 4 slow readers at its 1 MB cap; its buffers peaked at [\d.]+ [KM]?B \(largest client [\d.]+ [KM]?B\)\./);
  assert.match(bp.outcome, /4 of them still count themselves online: they read nothing, so never saw the close\./);

  const devices = devicesCsv(r.dir);
  const dropped = devices.filter((d) => d.targetDropped);
  assert.deepEqual(dropped.map((d) => d.id).sort(), SLOW_READERS);
  // The run stopped them like every device; they never saw a disconnect before that.
  assert.ok(dropped.every((d) => d.state === 'stopped' && d.disconnects === 0 && d.targetDropped === 'cap'), JSON.stringify(dropped));

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(pathToFileURL(join(r.dir, 'report.html')).href);
    const section = page.locator('#backpressure');
    assert.match((await section.locator('[data-testid="bp-outcome"]').textContent()) ?? '', /The target dropped 4 slow readers at its 1 MB cap/);
    assert.equal(await section.locator('[data-figure="dropped"]').getAttribute('data-value'), '4');
    assert.match((await page.locator('[data-banner="target-dropped"]').textContent()) ?? '', /4 devices/);
    for (const chart of ['bp-target-buffers', 'bp-target-clients']) assert.equal(await section.locator(`[data-chart="${chart}"] path`).count() > 0, true, chart);
    mkdirSync(RESULTS, { recursive: true });
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(RESULTS, 'report-backpressure-capped.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});
