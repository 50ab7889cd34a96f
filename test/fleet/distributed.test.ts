// Three shards of one fleet against one mosquitto, started together: every device online once,
// ids exactly the single-machine fleet's, timelines on the same seconds, each record naming its shard.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DeviceRow } from '../../src/contract/fleet-api.ts';
import type { RunRecord } from '../../src/contract/runs.ts';
import type { TimelinePoint } from '../../src/contract/snapshot.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { render } from '../../src/shared/templates.ts';
import { createRun } from '../../src/fleet/recorded-run.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/ports.ts';

test('three shards started together run exactly the fleet, once, on one clock', async () => {
  const broker = await startMosquitto();
  const runsDir = mkdtempSync(join(tmpdir(), 'fleetsim-shards-'));
  const input = {
    name: 'sharded',
    duration: '60s',
    ramp: 300,
    hosts: 2,
    groups: [
      { name: 'sensors', protocol: 'mqtt', url: `mqtt://127.0.0.1:${broker.port}`, count: 31, clientId: 'sensor-{index}', mqtt: { qos: 1 }, timers: { heartbeat: { every: '500ms' } } },
      { name: 'meters', protocol: 'mqtt', url: `ws://127.0.0.1:${broker.wsPort}`, count: 10, clientId: 'meter-{index}', ramp: 50 },
    ],
  };
  const startAt = Date.now() + 2500;
  const runs = [0, 1, 2].map((index) => {
    const v = validateScenario(structuredClone(input));
    assert.ok(v.ok);
    return createRun(v.scenario, { record: { runsDir }, distributed: { runId: 'fleet-1', shard: { index, count: 3 }, startAt } });
  });
  const timelines: TimelinePoint[][] = runs.map(() => []);
  runs.forEach((r, i) => r.controller.on('timeline', (p) => timelines[i].push(p)));
  try {
    await Promise.all(runs.map((r) => r.controller.start()));
    assert.ok(Date.now() >= startAt, 'start() resolves once the shared start time has come');
    assert.deepEqual(runs.map((r) => r.controller.deviceCount), [11 + 4, 10 + 3, 10 + 3]);
    const online = () => runs.reduce((n, r) => n + r.controller.snapshot().gauges.online, 0);
    await waitFor('41 online over 3 shards', () => online() === 41, 20_000);
    await waitFor('two closed seconds each', () => timelines.every((t) => t.length >= 2), 10_000);

    const rows: DeviceRow[] = [];
    for (const r of runs) rows.push(...(await r.controller.devices({ offset: 0, limit: 100 })).rows);
    const ids = rows.map((d) => d.id).sort();
    const fleet = [...Array.from({ length: 31 }, (_, i) => render('sensor-{index}', { index: i, group: 'sensors' })), ...Array.from({ length: 10 }, (_, i) => `meter-${i}`)].sort();
    assert.deepEqual(ids, fleet, 'the union of the shards is the single-machine fleet, no id twice');
    assert.ok(rows.every((d) => d.connects === 1 && d.disconnects === 0), 'every device connected once: no takeovers');

    // Timelines: every shard closes the same wall-clock seconds, counted from the shared start.
    for (const t of timelines) {
      assert.equal(Math.round((t[0].at - startAt) / 1000), t[0].t);
      assert.ok(Math.abs(t[0].at - (startAt + t[0].t * 1000)) < 250, `second closed ${t[0].at - startAt - t[0].t * 1000} ms off the grid`);
    }
  } finally {
    await Promise.all(runs.map((r) => r.controller.stop()));
    await Promise.all(runs.map((r) => r.recorder?.finished));
    await broker.stop();
  }
  const summaries = await Promise.all(runs.map((r) => r.controller.done));
  assert.deepEqual(summaries.map((s) => s.startedAt), summaries.map(() => new Date(startAt).toISOString()));
  assert.deepEqual(summaries.map((s) => [s.runId, s.shard?.index, s.devices]), [['fleet-1', 0, 15], ['fleet-1', 1, 13], ['fleet-1', 2, 13]]);
  runs.forEach((r, index) => {
    assert.equal(r.recorder?.dir, join(runsDir, `fleet-1-shard${index}`));
    const record = JSON.parse(readFileSync(join(r.recorder!.dir, 'run.json'), 'utf8')) as RunRecord;
    assert.equal(record.runId, 'fleet-1');
    assert.deepEqual(record.shard, { index, count: 3 });
    assert.equal(record.startAt, new Date(startAt).toISOString());
  });
});

test('a stop while waiting for the shared start time ends the run without starting devices', async () => {
  const v = validateScenario({ duration: '30s', groups: [{ name: 'g', protocol: 'mqtt', url: 'mqtt://127.0.0.1:9', count: 3 }] });
  assert.ok(v.ok);
  const { controller } = createRun(v.scenario, { distributed: { runId: 'later', shard: { index: 0, count: 2 }, startAt: Date.now() + 60_000 } });
  const starting = controller.start();
  await waitFor('hosts up, waiting', () => controller.snapshot().hosts.length === 1 && controller.snapshot().hosts[0].pid !== null);
  const summary = await controller.stop();
  await starting;
  assert.equal(summary.connectAttempts, 0);
  assert.equal(controller.snapshot().state, 'stopped');
});
