// The fleet controller with real host processes and the embedded target in its own process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import type { FleetEvent } from '../../src/contract/snapshot.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController, StartError } from '../../src/fleet/controller.ts';
import { waitFor } from '../helpers/ports.ts';
import { alive } from '../helpers/processes.ts';

function scenario(input: ScenarioInput) {
  const v = validateScenario(input);
  if (!v.ok) throw new Error(v.problems.join('; '));
  return v.scenario;
}

const mixedFleet = (over: Partial<ScenarioInput> = {}): ScenarioInput => ({
  name: 'ctl',
  duration: '60s',
  ramp: 0,
  hosts: 2,
  groups: [
    { name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 100, mqtt: { qos: 1 }, timers: { heartbeat: { every: '500ms' } } },
    { name: 'w', protocol: 'ws', url: 'embedded:ws', count: 40, clientId: 'ws-{index}', ws: { send: 'broadcast', roomSize: 10 }, timers: { heartbeat: { every: '500ms', bytes: 100 } } },
  ],
  ...over,
});

test('a mixed fleet over two hosts comes online, answers device logs and stops cleanly', async () => {
  const c = new FleetController(scenario(mixedFleet()));
  await c.start();
  try {
    await waitFor('140 devices online', () => c.snapshot().gauges.online === 140, 20_000, () => JSON.stringify(c.snapshot().gauges));
    const snap = c.snapshot();
    assert.equal(snap.hosts.length, 2);
    assert.deepEqual(snap.hosts.map((h) => h.devices), [70, 70]);
    assert.equal(snap.groups.m.online, 100);
    assert.equal(snap.groups.w.online, 40);

    const log = await c.deviceLog('dev-77'); // group m, second half: owned by host 1
    assert.ok(log);
    assert.equal(log.device.hostId, 1);
    assert.equal(log.device.state, 'online');
    assert.ok(log.events.some((e) => e.kind === 'online'));
    const wsLog = await c.deviceLog('ws-3');
    assert.equal(wsLog?.device.group, 'w');
    assert.equal(await c.deviceLog('nobody-1'), null);
    await waitFor('messages flowing', () => c.snapshot().totals.sentHeartbeat > 140 && c.snapshot().totals.received > 0);
    await waitFor('a timeline point', () => c.timeline().length >= 1);
  } finally {
    const summary = await c.stop();
    assert.equal(summary.endReason, 'stopped');
    assert.equal(summary.online, 140);
    assert.equal(summary.peakOnline, 140);
    assert.equal(summary.disconnects, 0, JSON.stringify(summary.disconnectReasons));
    assert.ok(summary.latencyMs.puback.count > 0);
    assert.ok(summary.latencyMs.delivery.count > 0);
    for (const h of summary.hosts) {
      assert.equal(h.state, 'stopped');
      assert.equal(alive(h.pid), false, `host ${h.hostId} (pid ${h.pid}) was reaped`);
    }
    assert.equal(c.snapshot().gauges.stopped, 140);
  }
});

test('a killed host: its devices are reported lost and the run goes on', async () => {
  const c = new FleetController(scenario(mixedFleet({ groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 60 }] })));
  const events: FleetEvent[] = [];
  c.on('event', (e) => events.push(e));
  await c.start();
  await waitFor('60 online', () => c.snapshot().gauges.online === 60, 20_000);
  const victim = c.snapshot().hosts[1];
  process.kill(victim.pid!, 'SIGKILL');
  await waitFor('host 1 reported lost', () => events.some((e) => e.type === 'host-lost'));
  const snap = c.snapshot();
  assert.equal(snap.state, 'running');
  assert.equal(snap.hosts[1].state, 'lost');
  assert.match(snap.hosts[1].lostReason ?? '', /SIGKILL/);
  assert.equal(snap.gauges.lost, 30);
  assert.equal(snap.gauges.online, 30);
  const lostEvent = events.find((e) => e.type === 'host-lost');
  assert.equal(lostEvent?.type === 'host-lost' && lostEvent.devices, 30);
  assert.equal(await c.deviceLog('dev-45'), null, 'a lost host answers no logs');
  assert.ok(await c.deviceLog('dev-5'), 'the surviving host still answers');
  const summary = await c.stop();
  assert.equal(summary.lost, 30);
  assert.equal(summary.disconnectReasons['host-lost'], 30);
  assert.equal(summary.hosts[0].state, 'stopped');
  assert.equal(summary.hosts[1].state, 'lost');
});

test('the run ends by itself when its duration is up', async () => {
  const c = new FleetController(scenario(mixedFleet({ duration: '2s', hosts: 1, groups: [{ protocol: 'ws', url: 'embedded:ws', count: 10 }] })));
  await c.start();
  const summary = await c.done;
  assert.equal(summary.endReason, 'duration');
  assert.equal(summary.devices, 10);
  assert.ok(summary.hosts.every((h) => !alive(h.pid)));
});

test('a run that cannot start says why and leaves no process behind', async () => {
  const c = new FleetController(
    scenario(mixedFleet({ hosts: 1, groups: [{ name: 'secure', protocol: 'mqtt', url: 'mqtts://127.0.0.1:1', count: 2, tls: { ca: '/nonexistent/ca.pem' } }] })),
  );
  await assert.rejects(c.start(), (err: Error) => err instanceof StartError && /groups\[0\]\.tls\.ca: cannot read "\/nonexistent\/ca\.pem": ENOENT/.test(err.message));
  assert.equal(c.snapshot().state, 'failed');
  assert.ok(c.snapshot().hosts.every((h) => !alive(h.pid)));
});

test('a group with a ramp of its own connects at its own pace, the others at the fleet ramp', async () => {
  const c = new FleetController(
    scenario({
      ramp: 0,
      hosts: 2,
      groups: [
        { name: 'fast', protocol: 'ws', url: 'embedded:ws', count: 40, clientId: 'fast-{index}' },
        { name: 'slow', protocol: 'ws', url: 'embedded:ws', count: 40, clientId: 'slow-{index}', ramp: 20 },
      ],
    }),
  );
  await c.start();
  try {
    await waitFor('all 80 online', () => c.snapshot().gauges.online === 80, 20_000);
    const startsOf = async (prefix: string) => {
      const times: number[] = [];
      for (let i = 0; i < 40; i++) times.push((await c.deviceLog(`${prefix}-${i}`))!.events.find((e) => e.kind === 'connecting')!.t);
      return Math.max(...times) - Math.min(...times);
    };
    const fastSpan = await startsOf('fast');
    const slowSpan = await startsOf('slow');
    // 40 connects at 20/s (over two hosts) cannot start in less than ~1.8 s; the unlimited group starts at once.
    assert.ok(slowSpan >= 1500, `the ramped group started within ${slowSpan} ms`);
    assert.ok(fastSpan < slowSpan, `unlimited ${fastSpan} ms vs ramped ${slowSpan} ms`);
  } finally {
    await c.stop();
  }
});
