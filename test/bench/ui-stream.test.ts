// The UI benchmark's replayed run and its verdict: the stream has the shape the benchmark
// promises (every reason kind, storms, groups, hosts), the device pages honour the filters as
// the fleet's devices() does, and the verdict judges by the goals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetUpdate } from '../../src/contract/fleet-api.ts';
import { ReplayApi, RECORDED_RUN_ID } from '../../bench/ui-replay.ts';
import { DEFAULT_SHAPE, DISCONNECT_REASONS, SyntheticRun } from '../../bench/ui-stream.ts';
import { fps, stat, verdict, type UiFigures } from '../../bench/ui-verdict.ts';
import { waitFor } from '../helpers/ports.ts';

const NOW = 1_800_000_000_000;

test('a snapshot of the synthetic run: 250k devices in many groups, every reason kind, storms, 10 hosts', () => {
  const run = new SyntheticRun(DEFAULT_SHAPE, NOW);
  const s = run.snapshot(NOW);
  assert.equal(s.devices, 250_000);
  assert.equal(Object.keys(s.groups).length, 25);
  assert.equal(Object.keys(s.groupStats ?? {}).length, 25);
  assert.equal(Object.values(s.groups).reduce((a, g) => a + g.online + g.connecting + g.backoff + g.idle + g.failed, 0) > 240_000, true);
  assert.deepEqual(Object.keys(s.disconnectReasons), DISCONNECT_REASONS);
  assert.equal(s.hosts.length, 10);
  assert.equal(s.storms.length, 3600 / 60, 'a storm a minute over the hour behind');
  assert.ok(s.disconnectCauses && s.disconnectCauses.length >= 6);
  assert.equal(run.scenario.groups.reduce((a, g) => a + g.count, 0), 250_000);
  const p = run.point(3600);
  assert.equal(p.at, NOW);
  assert.ok(Object.keys(run.point(3600).disconnectsByReason).length >= 4, 'a storm second drops by many reasons');
});

test('device pages honour the group, state and search filters, and logs are found by id', () => {
  const run = new SyntheticRun(DEFAULT_SHAPE, NOW);
  const all = run.devicePage({ offset: 249_990, limit: 50 }, NOW);
  assert.equal(all.total, 250_000);
  assert.equal(all.rows.length, 10);
  const group = run.groupNames[3];
  const inGroup = run.devicePage({ group, offset: 0, limit: 5 }, NOW);
  assert.equal(inGroup.total, 10_000);
  assert.ok(inGroup.rows.every((r) => r.group === group));
  const online = run.devicePage({ group, state: 'online', offset: 0, limit: 1 }, NOW).total;
  const backoff = run.devicePage({ group, state: 'backoff', offset: 0, limit: 1 }, NOW).total;
  const connecting = run.devicePage({ group, state: 'connecting', offset: 0, limit: 1 }, NOW).total;
  const failed = run.devicePage({ group, state: 'failed', offset: 0, limit: 1 }, NOW).total;
  assert.equal(online + backoff + connecting + failed, 10_000);
  assert.ok(online > 9000);
  const found = run.devicePage({ search: '-000042', offset: 0, limit: 100 }, NOW);
  assert.equal(found.total, 25, 'one device 42 in each group');
  const log = run.deviceLog(found.rows[0].id, NOW);
  assert.equal(log?.device.id, found.rows[0].id);
  assert.equal(log?.events.length, 200);
  assert.equal(run.deviceLog('no-such-device', NOW), null);
});

test('the replay pushes four snapshots a second and a point per second, and stops by itself', async () => {
  const run = new SyntheticRun({ ...DEFAULT_SHAPE, devices: 5000, groups: 5 });
  const api = new ReplayApi(run);
  const status = await api.status();
  assert.equal(status.state, 'running');
  assert.equal(status.timeline.length, 3600);
  const updates: FleetUpdate[] = [];
  api.onUpdate((u) => updates.push(u));
  api.startStream(1300);
  await waitFor('a point and five snapshots', () => updates.filter((u) => u.type === 'timeline').length >= 1 && updates.filter((u) => u.type === 'snapshot').length >= 5, 5000);
  await new Promise((r) => setTimeout(r, 600));
  const count = updates.length;
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(updates.length, count, 'nothing is pushed after the stream stops');
  const points = updates.flatMap((u) => (u.type === 'timeline' ? [u.point.t] : []));
  assert.deepEqual(points, points.map((_, i) => points[0] + i), 'one point per second, in order, none skipped');
  assert.equal(points[0], status.timeline.at(-1)!.t + 1, 'the stream goes on from the timeline status() gave');
  const detail = await api.openRun(RECORDED_RUN_ID);
  assert.equal(detail?.timeline.length, 3600);
  assert.equal((await api.start()).ok, false);
});

function figures(over: Partial<UiFigures> = {}): UiFigures {
  const ok = stat([1, 1, 1]);
  const none = { count: 0, maxMs: 0, totalMs: 0 };
  return {
    devices: 250_000, groups: 25, hosts: 10, minutes: 10, snapshotBytes: 50_000, pushed: { snapshots: 2400, points: 600, events: 300 }, loadMs: 900,
    snapshotApplyMs: ok, snapshotRenderMs: ok, chartUpdateMs: ok, timelineApplyMs: ok, eventApplyMs: ok,
    live: { longTasks: none, fps: 60, frameMs: stat([16.7]), topScripts: [] },
    scroll: { rows: 250_000, reachedBottom: true, sweepSteps: 240, fps: 60, frameMs: ok, bottomFilledMs: 30, jumpToRowsMs: ok, longTasks: none },
    drawer: { opens: 10, logLines: 200, renderedMs: ok, paintedMs: stat([40, 60]), longTasks: none },
    runsView: { opens: 3, charts: 6, listMs: ok, openMs: ok, longTasks: none, topScripts: [] },
    heap: { startMB: 40, endMB: 41, growthMB: 1, samples: [] },
    ...over,
  };
}

test('percentiles, frames per second, and a verdict by the goals', () => {
  assert.deepEqual(stat([5, 1, 3, 2, 4]), { count: 5, p50: 3, p99: 5, max: 5 });
  assert.deepEqual(stat([]), { count: 0, p50: 0, p99: 0, max: 0 });
  assert.equal(stat(Array.from({ length: 100 }, (_, i) => i + 1)).p99, 99);
  assert.equal(fps([16, 17, 17]), 60);
  assert.ok(verdict(figures()).every((g) => g.met));
  const missed = verdict(figures({ snapshotApplyMs: stat([1, 3]), live: { longTasks: { count: 1, maxMs: 51, totalMs: 51 }, fps: 54.9, frameMs: stat([18]), topScripts: [] }, drawer: { ...figures().drawer, paintedMs: stat([40, 100]) }, heap: { startMB: 40, endMB: 43, growthMB: 3, samples: [] } }));
  assert.deepEqual(missed.map((g) => g.met), [false, false, false, false, false]);
  assert.equal(verdict(figures({ snapshotApplyMs: stat([]) }))[0].met, false, 'no applies measured is not a goal met');
});
