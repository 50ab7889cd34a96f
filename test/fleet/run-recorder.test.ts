// A recorded run: every file there, and totals that agree with each other.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { RunRecorder, TIMELINE_COLUMNS } from '../../src/fleet/run-recorder.ts';

test('a recorded run leaves scenario.json, timeline.csv, fleet events and summary.json that agree', async () => {
  const v = validateScenario({
    name: 'recorded',
    duration: '3s',
    ramp: 0,
    hosts: 2,
    groups: [{ name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 20, mqtt: { qos: 1 }, timers: { heartbeat: { every: '300ms' } } }],
  });
  assert.ok(v.ok);
  const runs = mkdtempSync(join(tmpdir(), 'fleetsim-runs-'));
  const controller = new FleetController(v.scenario);
  const recorder = new RunRecorder(runs, v.scenario).attach(controller);
  assert.match(readFileSync(join(recorder.dir, 'run.json'), 'utf8'), /"status": "incomplete"/, 'incomplete while running');
  await controller.start();
  const summary = await controller.done;

  assert.deepEqual(readdirSync(runs), [recorder.dir.slice(runs.length + 1)]);
  assert.match(recorder.dir, /\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-recorded$/);
  assert.deepEqual(JSON.parse(readFileSync(join(recorder.dir, 'scenario.json'), 'utf8')), JSON.parse(JSON.stringify(v.scenario)));
  assert.deepEqual(JSON.parse(readFileSync(join(recorder.dir, 'summary.json'), 'utf8')), JSON.parse(JSON.stringify(summary)));
  const run = JSON.parse(readFileSync(join(recorder.dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'complete');

  const [header, ...rows] = readFileSync(join(recorder.dir, 'timeline.csv'), 'utf8').trim().split('\n');
  const cols = header.split(',');
  assert.deepEqual(cols.slice(0, TIMELINE_COLUMNS.length), [...TIMELINE_COLUMNS]);
  assert.deepEqual(cols.slice(TIMELINE_COLUMNS.length), ['host0_cpuPct', 'host0_rssMB', 'host0_loopLagP99Ms', 'host1_cpuPct', 'host1_rssMB', 'host1_loopLagP99Ms']);
  assert.deepEqual(rows.length, controller.timeline().length);
  const column = (name: string) => rows.map((r) => Number(r.split(',')[cols.indexOf(name)]));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.equal(Math.max(...column('online')), summary.peakOnline);
  assert.equal(sum(column('connectsPerSec')), summary.connects, 'connects per second add up to the total');
  assert.equal(sum(column('sentPerSec')), summary.sent.heartbeat + summary.sent.status);

  const events = readFileSync(join(recorder.dir, 'fleet-events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.type === 'run-state' && e.state === 'running'));
});
