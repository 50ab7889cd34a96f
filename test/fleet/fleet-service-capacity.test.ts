// A capacity search started through the app's API (FleetService, as IPC and the bridge serve
// it), against Debian's mosquitto refusing clients past max_connections: the search stops at the
// right step and says the target gave out; every phase, step and the result are pushed as they
// happen and status() has them; the record holds capacity.json and the report section. Stop ends
// a search cleanly; bad settings are refused naming their field.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CapacityProgress, CapacityResult } from '../../src/contract/capacity.ts';
import type { FleetUpdate } from '../../src/contract/fleet-api.ts';
import { FleetService } from '../../src/fleet/fleet-service.ts';
import { SettingsStore } from '../../src/runs/settings-store.ts';
import { startCappedMosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/ports.ts';

const home = mkdtempSync(join(tmpdir(), 'fleetsim-service-capacity-'));
let broker: Awaited<ReturnType<typeof startCappedMosquitto>>;

before(async () => {
  broker = await startCappedMosquitto(25);
});

after(async () => {
  await broker?.stop();
});

function serviceWithRuns(name: string): { service: FleetService; updates: FleetUpdate[] } {
  const settings = new SettingsStore(join(home, `${name}-settings.json`));
  assert.ok(settings.update({ runsDir: join(home, name) }).ok);
  const service = new FleetService({ settings });
  const updates: FleetUpdate[] = [];
  service.onUpdate((u) => updates.push(u));
  return { service, updates };
}

const fleet = (count: number, capacity?: Record<string, string | number>) => ({
  name: 'svc-capacity',
  target: 'external',
  ramp: 0,
  hosts: 1,
  ...(capacity ? { capacity } : {}),
  groups: [{ name: 'm', protocol: 'mqtt', url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'cap-{index}', count, timers: { heartbeat: { every: '500ms' } } }],
});

test('bad settings are refused, each naming its field; nothing starts', async () => {
  const { service, updates } = serviceWithRuns('bad');
  const r = await service.startCapacity(fleet(40), { step: 'lots', hold: '1', maxCpu: '0%' });
  assert.deepEqual(r.ok ? [] : r.problems.map((p) => p.split(':')[0]), ['capacity.step', 'capacity.hold', 'capacity.maxCpu']);
  assert.ok(!r.ok && /capacity\.step: expected a device count such as 100 or a share such as 10%/.test(r.problems[0]), JSON.stringify(r));

  const unknown = await service.startCapacity(fleet(40), { stepp: 10 });
  assert.ok(!unknown.ok && unknown.problems.some((p) => p.startsWith('capacity: unknown field "stepp"')), JSON.stringify(unknown));
  // The scenario's own block is checked as the scenario is.
  const inBlock = await service.startCapacity(fleet(40, { until: 'soon' }));
  assert.ok(!inBlock.ok && inBlock.problems.some((p) => p.startsWith('capacity.until: expected a device count')), JSON.stringify(inBlock));
  const tooMany = await service.startCapacity(fleet(2000), { step: 1 });
  assert.ok(!tooMany.ok && /^capacity\.step: a step of 1 device\(s\) makes 2000 steps/.test(tooMany.problems[0]), JSON.stringify(tooMany));
  const badScenario = await service.startCapacity({ groups: [{ protocol: 'mqtt', url: 'mqtt://127.0.0.1:1', count: -1 }] }, { step: 10 });
  assert.ok(!badScenario.ok && badScenario.problems.some((p) => p.startsWith('groups[0].count:')), JSON.stringify(badScenario));
  assert.deepEqual(updates, [], 'nothing was started');
  assert.equal((await service.status()).state, 'idle');
});

test('mosquitto refusing past 25 clients, steps of 10: the knee at 30, 20 held, the target gave out; pushed as it went; recorded', async () => {
  const { service, updates } = serviceWithRuns('knee');
  try {
    const ended = new Promise<void>((resolve) => service.onUpdate((u) => u.type === 'ended' && resolve()));
    // The request's settings win over the scenario's block (the hold of 30s there would take too long).
    assert.deepEqual(await service.startCapacity(fleet(40, { hold: '30s', step: 5 }), { step: 10, hold: '1s', maxConnackP99: '5s' }), { ok: true });
    const early = await service.status();
    assert.deepEqual(early.capacity?.plan, { stepDevices: [10, 20, 30, 40], holdMs: 1000, totalDevices: 40 });
    assert.equal(early.capacity?.criteria.maxConnackP99Ms, 5000);
    await ended;
    await service.recordFinished;

    const progress = updates.filter((u): u is Extract<FleetUpdate, { type: 'capacity' }> => u.type === 'capacity').map((u) => u.capacity);
    assert.deepEqual(progress[0].steps, [], 'the plan goes out before any step');
    assert.equal(progress[0].phase, null);
    // Every step was admitted, held and judged, in order, and each finished step went out once.
    const phases = progress.map((p) => p.phase).filter((p) => p !== null).map((p) => `${p.step}:${p.stage}`);
    assert.deepEqual([...new Set(phases)], ['1:admitting', '1:holding', '1:judging', '2:admitting', '2:holding', '2:judging', '3:admitting', '3:holding', '3:judging']);
    const stepCounts = progress.map((p) => p.steps.length);
    assert.deepEqual([...new Set(stepCounts)], [0, 1, 2, 3]);
    assert.deepEqual(stepCounts, [...stepCounts].sort((a, b) => a - b), 'steps only ever grow');

    const last: CapacityProgress = progress.at(-1)!;
    const result = last.result as CapacityResult;
    assert.ok(result, 'the result was pushed');
    assert.equal(last.phase, null);
    assert.deepEqual(result.steps.map((s) => [s.devices, s.held]), [[10, true], [20, true], [30, false]], JSON.stringify(result.steps.map((s) => s.failures)));
    assert.deepEqual(last.steps, result.steps);
    assert.equal(result.knee, 30);
    assert.equal(result.largestHeld, 20);
    assert.equal(result.who, 'target');
    assert.equal(result.ended, 'knee');
    assert.equal(result.firstFailure?.check, 'connect-failures');
    assert.deepEqual(result.steps.slice(0, 2).map((s) => s.attempts), [10, 10], 'each step admitted its own devices only');
    assert.equal(result.steps[1].online, 20);
    // The verdict went out before the run showed as ended.
    const resultAt = updates.findIndex((u) => u.type === 'capacity' && u.capacity.result !== null);
    const endedAt = updates.findIndex((u) => u.type === 'ended');
    assert.ok(resultAt >= 0 && resultAt < endedAt, `result at ${resultAt}, ended at ${endedAt}`);

    const status = await service.status();
    assert.equal(status.state, 'stopped');
    assert.deepEqual(status.capacity, last);
    assert.equal(status.summary?.capacity?.knee, 30);
    assert.equal(status.summary?.endReason, 'stopped');

    const runDir = status.recordDir!;
    const recorded = JSON.parse(readFileSync(join(runDir, 'capacity.json'), 'utf8')) as CapacityResult;
    assert.deepEqual(recorded, result);
    assert.ok(existsSync(join(runDir, 'report.html')));
    const report = readFileSync(join(runDir, 'report.html'), 'utf8');
    assert.match(report, /<section id="capacity">/);
    assert.match(report, /data-knee="30"/);
    const [run] = await service.listRuns();
    assert.equal(run.status, 'complete', run.reason);
  } finally {
    await service.shutdown();
  }
});

test('Stop during a hold ends the search cleanly: the result says stopped, the run ended by the user, recorded', async () => {
  const { service, updates } = serviceWithRuns('stop');
  try {
    assert.deepEqual(await service.startCapacity(fleet(20), { step: 10, hold: '60s' }), { ok: true });
    await waitFor('the first hold', () => updates.some((u) => u.type === 'capacity' && u.capacity.phase?.stage === 'holding'), 20_000);
    const summary = await service.stop();
    assert.equal(summary?.endReason, 'stopped');
    assert.equal(summary?.capacity?.ended, 'stopped');
    assert.equal(summary?.capacity?.steps.length, 0);
    assert.match(summary?.capacity?.verdict ?? '', /stopped before a knee/);
    assert.equal(summary?.connectAttempts, 10, 'the second step never started');
    const status = await service.status();
    assert.equal(status.capacity?.result?.ended, 'stopped');
    assert.equal(status.capacity?.phase, null);
    await service.recordFinished;
    const recorded = JSON.parse(readFileSync(join(status.recordDir!, 'capacity.json'), 'utf8')) as CapacityResult;
    assert.equal(recorded.ended, 'stopped');

    // A plain run afterwards carries no search.
    const ended = new Promise<void>((resolve) => service.onUpdate((u) => u.type === 'ended' && resolve()));
    assert.deepEqual(await service.start({ ...fleet(5), duration: '1s' }), { ok: true });
    assert.equal((await service.status()).capacity, null);
    await ended;
  } finally {
    await service.shutdown();
  }
});
