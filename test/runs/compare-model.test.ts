// The comparison model on real recorded runs: two tiny fleets against the embedded target (the
// second with a drop storm and twice the devices), compared figure by figure against what each
// run's own summary and timeline say; a run without a summary; and the differences' arithmetic.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunComparison } from '../../src/contract/run-comparison.ts';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { RunRecorder } from '../../src/fleet/run-recorder.ts';
import { figureDiff } from '../../src/runs/compare/compare-model.ts';
import { CompareError, compareRunDirs } from '../../src/runs/compare/compare-runs.ts';
import { comparisonTable } from '../../src/runs/compare/compare-format.ts';

const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-compare-model-'));
const runs: Array<{ dir: string; summary: RunSummary }> = [];

async function record(name: string, count: number, storm: boolean): Promise<{ dir: string; summary: RunSummary }> {
  const v = validateScenario({
    name,
    duration: '3s',
    ramp: 0,
    hosts: 1,
    groups: [{ name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count, mqtt: { qos: 1 }, timers: { heartbeat: { every: '300ms' } }, reconnect: { policy: 'fixed', base: '500ms', jitter: 'none' } }],
    ...(storm ? { storms: [{ at: '1s', action: 'drop', percent: 50, mode: 'destroy' }] } : {}),
  });
  assert.ok(v.ok, v.ok ? '' : v.problems.join('; '));
  const recorder = new RunRecorder(join(tmp, 'runs'), v.scenario);
  const controller = new FleetController(v.scenario, { record: recorder.hostRecord });
  recorder.attach(controller);
  await controller.start();
  const summary = await controller.done;
  await recorder.finished;
  return { dir: recorder.dir, summary };
}

const fig = (c: RunComparison, key: string) => {
  const f = c.figures.find((x) => x.key === key);
  assert.ok(f, `figure ${key} is in the comparison (${c.figures.map((x) => x.key).join(', ')})`);
  return f;
};

before(async () => {
  runs.push(await record('calm', 10, false));
  runs.push(await record('stormy', 20, true));
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('two recorded runs: headline figures as their summaries say, differences against the first', async () => {
  const [a, b] = runs;
  const c = await compareRunDirs([a.dir, b.dir]);
  assert.deepEqual(c.runs.map((r) => r.name), ['calm', 'stormy']);
  assert.deepEqual(c.runs.map((r) => r.status), ['complete', 'complete']);
  assert.equal(fig(c, 'devices').values.join(), '10,20');
  assert.deepEqual(fig(c, 'devices').diffs, [{ abs: 0, pct: 0 }, { abs: 10, pct: 100 }]);
  assert.deepEqual(fig(c, 'peakOnline').values, [a.summary.peakOnline, b.summary.peakOnline]);
  assert.deepEqual(fig(c, 'connects').values, [a.summary.connects, b.summary.connects]);
  assert.deepEqual(fig(c, 'disconnects').values, [a.summary.disconnects, b.summary.disconnects]);
  assert.ok(b.summary.disconnects >= 10, `the storm dropped half of 20 devices (${b.summary.disconnects})`);
  // Every drop reason of either run has its row; the calm run dropped none of them.
  for (const [reason, n] of Object.entries(b.summary.disconnectReasons).filter(([, n]) => n > 0)) {
    const f = fig(c, `drops.${reason}`);
    assert.deepEqual(f.values, [a.summary.disconnectReasons[reason] ?? 0, n]);
  }
  assert.equal(fig(c, 'p99.connack').values[0], a.summary.latencyMs.connack.p99);
  assert.equal(fig(c, 'p50.connack').values[1], b.summary.latencyMs.connack.p50);
  const cpu = fig(c, 'cpuPctPerDevice').values;
  const rss = fig(c, 'rssKbPerDevice').values;
  assert.ok(cpu.every((v) => v !== null && v >= 0), `CPU per device from host health: ${cpu}`);
  // A host's RSS is tens of MB: per device that is hundreds of KB or more, never zero.
  assert.ok(rss.every((v) => v !== null && v > 100), `RSS per device: ${rss}`);
  assert.equal(rss[0], (a.summary.hosts.reduce((n, h) => n + h.peakRssMB, 0) * 1024) / 10);
  const rate = fig(c, 'connectRate').values;
  assert.ok(rate.every((v) => v !== null && v > 0), `a connect rate per run: ${rate}`);
  // Overlaid timelines: one series per run, aligned on seconds since each start.
  const online = c.charts.find((ch) => ch.id === 'online')!;
  assert.deepEqual(online.series.map((s) => s.run), [0, 1]);
  assert.equal(Math.max(...online.series[1].points.map((p) => p.v ?? 0)), b.summary.peakOnline);
  assert.ok(online.series.every((s) => s.points[0].t <= 1), 'each run starts at its own second 0');
  assert.ok(c.charts.some((ch) => ch.id === 'p99-connack'));
  assert.ok(c.charts.some((ch) => ch.id === 'messages' && ch.series.every((s) => s.points.some((p) => (p.v ?? 0) > 0))));
  assert.ok(c.span >= 3);
  const table = comparisonTable(c);
  assert.match(table, /devices\s+10\s+20 {2}\+10 \(\+100%\)/);
});

test('a run without a summary is compared from its timeline, and says so', async () => {
  const copy = join(tmp, 'no-summary');
  cpSync(runs[1].dir, copy, { recursive: true });
  unlinkSync(join(copy, 'summary.json'));
  const c = await compareRunDirs([runs[0].dir, copy]);
  assert.deepEqual(c.runs.map((r) => r.fromTimeline), [false, true]);
  assert.equal(fig(c, 'peakOnline').values[1], runs[1].summary.peakOnline);
  assert.equal(fig(c, 'connectFailures').values[1], null);
  assert.deepEqual(fig(c, 'connectFailures').diffs[1], { abs: null, pct: null });
  assert.ok((fig(c, 'p99.connack').values[1] ?? 0) > 0, 'p99 from the seconds of the timeline');
});

test('fewer than two runs, or a directory that is not a run, is refused saying which', async () => {
  await assert.rejects(compareRunDirs([runs[0].dir]), (err: Error) => err instanceof CompareError && /two runs or more, got 1/.test(err.message));
  const notRun = join(tmp, 'runs');
  await assert.rejects(compareRunDirs([runs[0].dir, notRun]), (err: Error) => err instanceof CompareError && err.message.startsWith(notRun));
});

test('differences: absolute and % against the base; none when either side is unknown or the base is 0', () => {
  assert.deepEqual(figureDiff(150, 100), { abs: 50, pct: 50 });
  assert.deepEqual(figureDiff(75, 100), { abs: -25, pct: -25 });
  assert.deepEqual(figureDiff(5, 0), { abs: 5, pct: null });
  assert.deepEqual(figureDiff(0, 0), { abs: 0, pct: 0 });
  assert.deepEqual(figureDiff(null, 3), { abs: null, pct: null });
  assert.deepEqual(figureDiff(3, null), { abs: null, pct: null });
});
