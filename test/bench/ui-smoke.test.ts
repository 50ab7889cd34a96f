// The UI benchmark, short (20 s of streaming instead of 10 min), against the built renderer in
// Debian's Chromium: every figure is there and has the shape it should. Timing values belong to
// the benchmark (npm run bench:ui), not to a pass/fail test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { GOALS, type GoalResult, type Stat, type UiFigures } from '../../bench/ui-verdict.ts';

const ROOT = join(import.meta.dirname, '../..');

function assertStat(s: Stat, what: string, minCount: number): void {
  assert.ok(s.count >= minCount, `${what}: ${s.count} samples, expected at least ${minCount}`);
  assert.ok(s.p50 >= 0 && s.p50 <= s.p99 && s.p99 <= s.max && Number.isFinite(s.max), `${what}: ${JSON.stringify(s)}`);
}

test('npm run bench:ui -- --minutes 0.33 --json prints every figure and a verdict on each goal', { timeout: 300_000 }, () => {
  assert.ok(existsSync(join(ROOT, 'dist/renderer/index.html')), 'build the renderer first (npm run build)');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/ui.ts', '--minutes', '0.33', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 280_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON line on stdout');
  const f = JSON.parse(lines[0]) as UiFigures & { goals: GoalResult[] };
  assert.equal(f.devices, 250_000);
  assert.equal(f.minutes, 0.33);
  assert.ok(f.snapshotBytes > 10_000, `a 250k-device snapshot is not small: ${f.snapshotBytes} B`);
  // About 20 s at 4 snapshots and 1 point a second.
  assert.ok(f.pushed.snapshots >= 60 && f.pushed.points >= 15 && f.pushed.events > 0, JSON.stringify(f.pushed));
  assertStat(f.snapshotApplyMs, 'snapshot apply', 60);
  assertStat(f.snapshotRenderMs, 'snapshot rendered', 60);
  assert.ok(f.snapshotRenderMs.p50 >= f.snapshotApplyMs.p50, 'rendering comes on top of the apply');
  // Seven charts redraw for every point.
  assertStat(f.chartUpdateMs, 'chart update', 15 * 7);
  assertStat(f.timelineApplyMs, 'timeline point', 15);
  assertStat(f.eventApplyMs, 'event apply', 1);
  assertStat(f.live.frameMs, 'live frames', 100);
  assert.ok(f.live.fps > 0 && f.live.longTasks.count >= 0 && f.loadMs > 0);
  // The table sweeps through every row to the bottom; each jump is filled with rows.
  assert.equal(f.scroll.rows, 250_000);
  assert.equal(f.scroll.reachedBottom, true);
  assertStat(f.scroll.frameMs, 'scroll frames', f.scroll.sweepSteps - 1);
  assertStat(f.scroll.jumpToRowsMs, 'jumps', 10);
  // The drawer shows the device's log; the recorded run opens with its charts.
  assert.equal(f.drawer.opens, 10);
  assert.equal(f.drawer.logLines, 200);
  assertStat(f.drawer.paintedMs, 'drawer', 10);
  assert.ok(f.drawer.paintedMs.p50 >= f.drawer.renderedMs.p50);
  assert.equal(f.runsView.opens, 3);
  assert.ok(f.runsView.charts >= 4, `charts of the recorded run: ${f.runsView.charts}`);
  assertStat(f.runsView.openMs, 'runs view', 3);
  // The heap is measured after a full collection at both ends, and sampled in between.
  assert.ok(f.heap.startMB > 1 && f.heap.endMB > 1 && f.heap.samples.length >= 1, JSON.stringify(f.heap));
  assert.equal(f.heap.growthMB, Math.round((f.heap.endMB - f.heap.startMB) * 10) / 10);
  assert.deepEqual(f.goals.map((g) => typeof g.met), ['boolean', 'boolean', 'boolean', 'boolean', 'boolean']);
  assert.match(f.goals[0].goal, new RegExp(`< ${GOALS.snapshotApplyP99Ms} ms`));
});
