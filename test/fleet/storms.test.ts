// Storms through the controller, with real host processes and the embedded target: each
// action changes the online count as expected, and the fleet's recovery is measured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import type { FleetEvent } from '../../src/contract/snapshot.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { waitFor } from '../helpers/ports.ts';

function controller(over: Partial<ScenarioInput> = {}, count = 200): FleetController {
  const v = validateScenario({
    name: 'storm',
    duration: '60s',
    ramp: 400,
    hosts: 2,
    groups: [
      {
        name: 'fleet',
        protocol: 'mqtt',
        url: 'embedded:mqtt',
        count,
        timers: { heartbeat: { every: '1s' }, status: 'off', ping: { every: '2s' } },
        reconnect: { policy: 'exponential', base: '200ms', cap: '2s', jitter: 'full' },
      },
    ],
    ...over,
  });
  if (!v.ok) throw new Error(v.problems.join('; '));
  return new FleetController(v.scenario);
}

test('drop 40% with resets: the dip, the recovery and its figures are recorded', async () => {
  // Devices stay down 1 s before retrying, so the dip is wide enough to be sampled.
  const c = controller({});
  const group = c.scenario.groups[0];
  group.reconnect = { ...group.reconnect, policy: 'fixed', base: 1000, jitter: 'none' };
  await c.start();
  try {
    await waitFor('200 online', () => c.snapshot().gauges.online === 200, 20_000);
    const record = await c.storm({ action: 'drop', percent: 40, mode: 'destroy' });
    assert.equal(record.affected, 80);
    assert.equal(record.onlineBefore, 200);
    await waitFor('recovered', () => c.snapshot().storms[0].outcome === 'recovered', 20_000, () => JSON.stringify(c.snapshot().storms[0]));
    const r = c.snapshot().storms[0];
    assert.ok(r.minOnline <= 130, `the low point ${r.minOnline} shows the drop of 80`);
    assert.ok(r.recoveredAfterMs! >= 1000, 'back only after the 1 s reconnect delay');
    assert.ok(r.recoveredAfterMs! > 0);
    assert.ok(r.reconnectAttempts >= 80, `${r.reconnectAttempts} attempts`);
    assert.equal(r.disconnects['storm-reset'], 80);
    assert.ok(r.peakConnectsPerSec > 0);
    assert.ok(r.connackP99Ms > 0, 'CONNACK latency measured during recovery');
    assert.equal(r.label, 'drop 40% (destroy)');
  } finally {
    const summary = await c.stop();
    assert.equal(summary.storms.length, 1);
    assert.equal(summary.storms[0].outcome, 'recovered');
  }
});

test('kill a host and restart it: its devices are lost, then the new host brings them back', async () => {
  const c = controller({}, 100);
  const events: FleetEvent[] = [];
  c.on('event', (e) => events.push(e));
  await c.start();
  try {
    await waitFor('100 online', () => c.snapshot().gauges.online === 100, 20_000);
    const oldPid = c.snapshot().hosts[1].pid;
    const record = await c.storm({ action: 'kill-host', host: 1, restart: true });
    assert.equal(record.affected, 50);
    assert.ok(events.some((e) => e.type === 'host-lost' && e.hostId === 1));
    await waitFor('the fleet back at 100', () => c.snapshot().gauges.online === 100 && c.snapshot().storms[0].outcome === 'recovered', 20_000, () => JSON.stringify(c.snapshot().gauges));
    const snap = c.snapshot();
    assert.equal(snap.state, 'running');
    assert.equal(snap.hosts[1].state, 'running');
    assert.notEqual(snap.hosts[1].pid, oldPid, 'a new process took over');
    assert.equal(snap.gauges.lost, 0);
    assert.ok(await c.deviceLog('dev-77'), 'the new host answers for its devices');
  } finally {
    await c.stop();
  }
});

test('storms scheduled in the scenario run at their time and land in the summary', async () => {
  const c = controller({ duration: '8s', storms: [{ at: '3s', action: 'drop', percent: 50, mode: 'close' }, { at: '4s', action: 'kill-host', host: 7 }] }, 60);
  await c.start();
  const summary = await c.done;
  assert.equal(summary.storms.length, 2);
  const [drop, kill] = summary.storms;
  assert.equal(drop.t, 3);
  assert.equal(drop.affected, 30);
  assert.equal(drop.outcome, 'recovered');
  assert.equal(kill.outcome, 'not-recovered');
  assert.match(kill.error ?? '', /no host 7/);
});

test('the embedded target kicks half its clients: the fleet notices the server closes and recovers', async () => {
  const c = controller({}, 60);
  await c.start();
  try {
    await waitFor('60 online', () => c.snapshot().gauges.online === 60, 20_000);
    const record = await c.storm({ action: 'target-kick', percent: 50 });
    assert.equal(record.affected, 30);
    await waitFor('recovered', () => c.snapshot().storms[0].outcome === 'recovered', 20_000, () => JSON.stringify(c.snapshot().storms[0]));
    const drops = Object.entries(c.snapshot().storms[0].disconnects);
    assert.equal(drops.reduce((n, [, v]) => n + v, 0), 30, JSON.stringify(drops));
  } finally {
    await c.stop();
  }
});
