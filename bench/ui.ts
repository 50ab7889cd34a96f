// The renderer under a 250k-device stream, measured in Debian's Chromium, with no fleet running:
// the built renderer (dist/renderer) is served by the real bridge over a replayed synthetic run
// (ui-replay.ts: 4 snapshots/s, a timeline point and the events every second, an hour of
// timeline behind it), so the only work on the page is the UI's own.
//
//   npm run bench:ui -- [--minutes 10] [--json]
//
// It times the store applies (through the renderer's perf hook), long tasks and frames while
// streaming, the heap before and after (after a full collection), then a sweep of the devices
// table through every row, the device drawer, and opening the recorded hour-long run.
// Exit code: 0 once it has its figures, goals met or not (read `goals` in --json); 1 when it
// could not measure.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import { startBridge } from '../src/cli/bridge/bridge-server.ts';
import { launchChromium } from './chromium.ts';
import { PAGE_PROBE } from './ui-page.ts';
import { RECORDED_RUN_ID, ReplayApi } from './ui-replay.ts';
import { DEFAULT_SHAPE, SyntheticRun } from './ui-stream.ts';
import { fps, formatFigures, longTasks, round, stat, verdict, type ScriptShare, type UiFigures } from './ui-verdict.ts';

const ROOT = join(import.meta.dirname, '..');
const RENDERER = join(ROOT, 'dist', 'renderer');

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    devices: { type: 'string', default: String(DEFAULT_SHAPE.devices) },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const devices = Number(values.devices);
if (!(Number.isFinite(minutes) && minutes > 0 && minutes <= 120)) fail(`--minutes: expected minutes of streaming, more than 0 and at most 120 (got "${values.minutes}")`);
if (!(Number.isSafeInteger(devices) && devices >= 1000 && devices <= 1_000_000)) fail(`--devices: expected a whole number from 1000 to 1000000 (got "${values.devices}")`);
if (!existsSync(join(RENDERER, 'index.html'))) fail(`${RENDERER}/index.html is missing: build first (npm run build; npm run bench:ui does)`);

function fail(message: string): never {
  console.error(`bench:ui: ${message}`);
  process.exit(1);
}

const log = (line: string) => {
  if (!values.json) console.error(line);
};

interface Taken {
  samples: Record<string, number[]>;
  longTasks: Array<{ start: number; duration: number }>;
  loafs: Array<{ duration: number; scripts: Array<{ invoker: string; sourceURL: string; sourceFunctionName: string; duration: number }> }>;
  frames: number[];
}

const take = (page: Page) => page.evaluate('window.__fleetsimBench.take()') as Promise<Taken>;

/** The scripts that ran in long animation frames, by total time (the page loads only Fleetsim's bundle). */
function topScripts(t: Taken, origin: string): ScriptShare[] {
  const by = new Map<string, number>();
  for (const f of t.loafs) {
    if (f.duration <= 50) continue;
    for (const sc of f.scripts) {
      const where = sc.sourceURL.startsWith(origin) ? sc.sourceURL.slice(origin.length).replace(/\?.*$/, '') : sc.sourceURL || 'browser';
      const key = `${sc.invoker}${sc.sourceFunctionName ? ` → ${sc.sourceFunctionName}` : ''} (${where})`;
      by.set(key, (by.get(key) ?? 0) + sc.duration);
    }
  }
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([script, ms]) => ({ script, ms: round(ms, 0) }));
}

/** JS heap in use (MB); after a full collection when `collect`. */
async function heapMB(cdp: CDPSession, collect: boolean): Promise<number> {
  if (collect) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  return round(usedSize / 2 ** 20, 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<UiFigures> {
  const run = new SyntheticRun({ ...DEFAULT_SHAPE, devices });
  const api = new ReplayApi(run);
  const bridge = await startBridge({ api, rendererRoot: RENDERER, port: 0 });
  const origin = new URL(bridge.url).origin;
  const browser = await launchChromium();
  const streamMs = minutes * 60_000;
  // Bounded: the stream stops by itself well after the benchmark should have ended.
  api.startStream(streamMs + 10 * 60_000);
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (err) => console.error(`bench:ui: page error: ${err.message}`));
    await page.addInitScript(PAGE_PROBE);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');

    log(`loading the renderer from ${origin} …`);
    const loadStarted = performance.now();
    await page.goto(bridge.url);
    await page.waitForSelector('[data-testid="connection-state"][data-phase="connected"]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="timeline-chart"][data-points]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="device-row"]', { timeout: 30_000 });
    const loadMs = round(performance.now() - loadStarted, 0);

    log('warming up (10 s) …');
    await sleep(10_000);
    // What the probe gathered so far is dropped first: the heap is measured without it.
    await take(page);
    const startMB = await heapMB(cdp, true);
    // The forced collection is a long task of its own: not the UI's, so not in the window.
    await sleep(1000);
    await take(page);
    const pushedBefore = { ...api.counts };

    log(`streaming for ${minutes} min …`);
    const samples: UiFigures['heap']['samples'] = [];
    const streamStarted = performance.now();
    for (let next = 30_000; ; next += 30_000) {
      const left = streamStarted + Math.min(next, streamMs) - performance.now();
      if (left > 0) await sleep(left);
      const elapsed = performance.now() - streamStarted;
      samples.push({ minute: round(elapsed / 60_000, 1), usedMB: await heapMB(cdp, false) });
      if (elapsed >= streamMs - 50) break;
    }
    const live = await take(page);
    const endMB = await heapMB(cdp, true);
    const pushed = { snapshots: api.counts.snapshots - pushedBefore.snapshots, points: api.counts.points - pushedBefore.points, events: api.counts.events - pushedBefore.events };

    log('sweeping the devices table …');
    await sleep(1000);
    await take(page);
    const sweepSteps = 240;
    const sc = (await page.evaluate(`window.__fleetsimBench.scroll(${sweepSteps}, 10)`)) as { rows: number; sweepMs: number; bottomFilledMs: number; jumpMs: number[]; reachedBottom: boolean };
    const scrolled = await take(page);

    log('opening the device drawer …');
    const drawers: Array<{ renderedMs: number; paintedMs: number; lines: number }> = [];
    for (let k = 0; k < 10; k++) drawers.push((await page.evaluate(`window.__fleetsimBench.openDrawer(${k * 3})`)) as { renderedMs: number; paintedMs: number; lines: number });
    const drawn = await take(page);

    log('opening the recorded hour-long run …');
    const runs: Array<{ listMs: number; paintedMs: number; charts: number }> = [];
    for (let k = 0; k < 3; k++) runs.push((await page.evaluate(`window.__fleetsimBench.openRun(${JSON.stringify(RECORDED_RUN_ID)})`)) as { listMs: number; paintedMs: number; charts: number });
    const opened = await take(page);

    const lt = (t: Taken) => longTasks(t.longTasks.map((x) => x.duration));
    return {
      devices,
      groups: run.shape.groups,
      hosts: run.shape.hosts,
      minutes,
      snapshotBytes: JSON.stringify({ push: { type: 'snapshot', snapshot: run.snapshot(Date.now()) } }).length,
      pushed,
      loadMs,
      snapshotApplyMs: stat(live.samples['apply:snapshot'] ?? []),
      snapshotRenderMs: stat(live.samples['settled:snapshot'] ?? []),
      chartUpdateMs: stat(live.samples.chart ?? []),
      timelineApplyMs: stat(live.samples['settled:timeline'] ?? []),
      eventApplyMs: stat(live.samples['apply:event'] ?? []),
      live: { longTasks: lt(live), fps: fps(live.frames), frameMs: stat(live.frames), topScripts: topScripts(live, origin) },
      scroll: {
        rows: sc.rows,
        reachedBottom: sc.reachedBottom,
        sweepSteps,
        fps: fps(scrolled.frames),
        frameMs: stat(scrolled.frames),
        bottomFilledMs: round(sc.bottomFilledMs, 1),
        jumpToRowsMs: stat(sc.jumpMs),
        longTasks: lt(scrolled),
      },
      drawer: { opens: drawers.length, logLines: drawers[0]?.lines ?? 0, renderedMs: stat(drawers.map((d) => d.renderedMs)), paintedMs: stat(drawers.map((d) => d.paintedMs)), longTasks: lt(drawn) },
      runsView: { opens: runs.length, charts: runs[0]?.charts ?? 0, listMs: stat(runs.map((r) => r.listMs)), openMs: stat(runs.map((r) => r.paintedMs)), longTasks: lt(opened), topScripts: topScripts(opened, origin) },
      heap: { startMB, endMB, growthMB: round(endMB - startMB, 1), samples },
    };
  } finally {
    api.stopStream();
    await browser.close();
    await bridge.close();
  }
}

// A benchmark that hangs is a failure, not a wait: the whole run is bounded.
const watchdog = setTimeout(() => fail(`did not finish within ${minutes + 8} min`), (minutes + 8) * 60_000);
try {
  const figures = await main();
  const goals = verdict(figures);
  if (values.json) console.log(JSON.stringify({ ...figures, goals }));
  else console.log(formatFigures(figures, goals));
} catch (err) {
  fail((err as Error)?.stack ?? String(err));
} finally {
  clearTimeout(watchdog);
}
