// The embedded target as several processes: how many (sized by the open-file limit), a real fleet
// spread over three of them (stats summed, rooms kept whole, faults on every shard, a lost shard
// named), and no target process left behind.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Scenario, ScenarioInput } from '../../src/contract/scenario.ts';
import type { FleetEvent } from '../../src/contract/snapshot.ts';
import type { TargetStats } from '../../src/contract/target.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { planEmbeddedShards, spreadOver } from '../../src/fleet/embedded-shard-plan.ts';
import { launchEmbeddedTarget } from '../../src/fleet/embedded-target-process.ts';
import { launchShards, mergeTargetStats } from '../../src/fleet/embedded-target-shards.ts';
import { ChildProcessLauncher } from '../../src/fleet/launcher.ts';
import { waitFor } from '../helpers/ports.ts';
import { alive } from '../helpers/processes.ts';

function scenario(input: ScenarioInput): Scenario {
  const v = validateScenario(input);
  if (!v.ok) throw new Error(v.problems.join('; '));
  return v.scenario;
}

const mqttGroup = (count: number) => ({ protocol: 'mqtt' as const, count, ws: { roomSize: 50 } }) as Parameters<typeof spreadOver>[0];
const wsGroup = (count: number, roomSize: number) => ({ protocol: 'ws' as const, count, ws: { roomSize } }) as Parameters<typeof spreadOver>[0];

/** This test process's children that are embedded target processes (from /proc: parent pid and command line). */
function targetProcesses(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--fleetsim-name=target');
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

test('sizing: one process while its open-file limit holds every connection, then as few as hold them', () => {
  assert.equal(planEmbeddedShards([mqttGroup(100)], 20_000).shards, 1);
  assert.equal(planEmbeddedShards([mqttGroup(19_936)], 20_000).shards, 1, '20,000 less the 64 a process keeps for itself');
  assert.equal(planEmbeddedShards([mqttGroup(19_937)], 20_000).shards, 2);
  const big = planEmbeddedShards([mqttGroup(250_000)], 20_000);
  assert.deepEqual({ shards: big.shards, capacity: big.capacity, maxLoad: big.maxLoad }, { shards: 13, capacity: 19_936, maxLoad: 19_231 });
  assert.equal(planEmbeddedShards([mqttGroup(250_000)], null).shards, 1, 'no known limit: one process');
  // Rooms are not split: 3 rooms of 10,000 fit 2 processes by count, but one of them would hold two rooms (20,000).
  assert.equal(planEmbeddedShards([wsGroup(30_000, 10_000)], 20_000).shards, 3);
  assert.equal(planEmbeddedShards([wsGroup(30_000, 15_000)], 20_000).shards, 2);
  // Forced: that many, with the fullest one's load (preflight refuses it when over capacity).
  const forced = planEmbeddedShards([mqttGroup(50_000)], 20_000, 2);
  assert.deepEqual({ shards: forced.shards, maxLoad: forced.maxLoad, autoShards: forced.autoShards }, { shards: 2, maxLoad: 25_000, autoShards: 3 });
  // The spread devices connect by: MQTT by index, WebSocket by room.
  assert.deepEqual(spreadOver(mqttGroup(10), 3), [4, 3, 3]);
  assert.deepEqual(spreadOver(wsGroup(65, 10), 3), [25, 20, 20], 'rooms 0, 3 and the half room 6 on the first');
});

test('merged stats: counts and bytes summed, the largest buffer and overloaded seconds the most of any shard', () => {
  const stats = (n: number, over: Partial<TargetStats> = {}): TargetStats => ({
    mqttClients: n,
    wsClients: 2 * n,
    rooms: 1,
    mqttPublishesIn: 10 * n,
    roomFramesIn: 5,
    roomFramesOut: 50,
    bufferedBytes: 100 * n,
    maxClientBufferedBytes: 7 * n,
    slowClients: n,
    droppedSlowClients: 1,
    overloadedSeconds: n,
    ...over,
  });
  assert.equal(mergeTargetStats([null, null]), null);
  const merged = mergeTargetStats([stats(1), null, stats(3, { refusedByRate: 4 })])!;
  const { shards, ...sum } = merged;
  assert.deepEqual(sum, { mqttClients: 4, wsClients: 8, rooms: 2, mqttPublishesIn: 40, roomFramesIn: 10, roomFramesOut: 100, bufferedBytes: 400, maxClientBufferedBytes: 21, slowClients: 4, droppedSlowClients: 2, overloadedSeconds: 3, refusedByRate: 4 });
  assert.deepEqual(shards?.map((s) => s?.mqttClients ?? null), [1, null, 3]);
});

test('a shard that fails to start: the others are stopped and the start rejects, naming it', async () => {
  const notAPki = mkdtempSync(join(tmpdir(), 'fleetsim-not-pki-'));
  const pids: number[] = [];
  const launcher = new ChildProcessLauncher();
  await assert.rejects(
    launchShards(3, async (i) => {
      const t = await launchEmbeddedTarget(launcher, '127.0.0.1', undefined, undefined, undefined, undefined, i === 1 ? { pki: notAPki, clientCerts: 'require' } : undefined);
      pids.push(t.pid!);
      return t;
    }),
    /^Error: embedded target: .* is not a test PKI.* \(shard 1 of 3\)$/,
  );
  assert.equal(pids.length, 2, 'the two good shards had started');
  assert.ok(pids.every((pid) => !alive(pid)), 'and were stopped');
});

test('a fleet over three target processes: all online, stats summed, rooms whole, faults everywhere, nothing left', async () => {
  const s = scenario({
    name: 'shards',
    duration: '2m',
    ramp: 0,
    hosts: 2,
    groups: [
      { name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 90, timers: { heartbeat: 'off', status: 'off', ping: { every: '30s' } }, reconnect: { policy: 'fixed', base: '200ms', jitter: 'none' } },
      {
        name: 'w',
        protocol: 'ws',
        url: 'embedded:ws',
        count: 60,
        clientId: 'ws-{index}',
        ws: { send: 'broadcast', roomSize: 10 },
        timers: { heartbeat: { every: '200ms', bytes: 50 }, status: 'off', ping: 'off' },
        reconnect: { policy: 'fixed', base: '200ms', jitter: 'none' },
      },
    ],
  });
  // embedded.shards: 3 (set after validation, so this test does not depend on the schema having it yet).
  (s.embedded as { shards?: number }).shards = 3;
  const c = new FleetController(s);
  const events: FleetEvent[] = [];
  c.on('event', (e) => events.push(e));
  await c.start();
  try {
    assert.ok(
      events.some((e) => e.type === 'note' && /the embedded target runs as 3 processes of ≤ 50 connections each/.test(e.message)),
      JSON.stringify(events.filter((e) => e.type === 'note')),
    );
    assert.equal(targetProcesses().length, 3);
    const target = () => c.snapshot().target;
    const shardStats = () => target()!.shards!.map((t) => t!);
    // Rooms too: a WebSocket device is online at open, and joins its room just after.
    await waitFor('150 online, every shard reporting them', () => c.snapshot().gauges.online === 150 && target()?.mqttClients === 90 && target()?.wsClients === 60 && target()?.rooms === 6, 20_000, () => JSON.stringify(target()));
    // A third each: MQTT devices by index, WebSocket devices two whole rooms of 10 per process.
    assert.deepEqual(
      shardStats().map((t) => ({ mqtt: t.mqttClients, ws: t.wsClients, rooms: t.rooms })),
      [0, 1, 2].map(() => ({ mqtt: 30, ws: 20, rooms: 2 })),
    );

    // Every broadcast reaches all 10 members of its room: per shard, frames out grow 10 × frames in
    // (once every member has joined; a window with a late join in it would deliver to fewer, and
    // a room split over shards never reaches 10).
    let before = shardStats();
    await waitFor(
      'a window in which every shard delivered each broadcast to 10 members',
      () => {
        const now = shardStats();
        if (!now.every((t, i) => t.roomFramesIn > before[i].roomFramesIn + 20)) return false;
        const whole = now.every((t, i) => t.roomFramesOut - before[i].roomFramesOut === 10 * (t.roomFramesIn - before[i].roomFramesIn));
        before = now;
        return whole;
      },
      15_000,
      () => JSON.stringify(shardStats().map((t) => [t.roomFramesIn, t.roomFramesOut])),
    );

    // A kick storm reaches every shard: each closes all 50 of its clients.
    const kick = await c.storm({ action: 'target-kick', percent: 100 });
    assert.equal(kick.affected, 150);
    await waitFor('all back online', () => c.snapshot().gauges.online === 150 && target()?.mqttClients === 90 && target()?.wsClients === 60, 20_000, () => JSON.stringify(c.snapshot().gauges));

    // One shard dies: the run is told which; faults go on to the live ones.
    const [victim] = targetProcesses().sort((a, b) => a - b).slice(-1);
    process.kill(victim, 'SIGKILL');
    await waitFor('the lost shard reported', () => events.some((e) => e.type === 'target-lost'));
    const lost = events.find((e) => e.type === 'target-lost');
    assert.match(lost?.type === 'target-lost' ? lost.reason : '', /^embedded target shard [0-2] exited \(SIGKILL\)$/);
    await waitFor('the other shards hold 100', () => c.snapshot().gauges.online === 100, 20_000, () => JSON.stringify(c.snapshot().gauges));
    const second = await c.storm({ action: 'target-kick', percent: 100 });
    assert.equal(second.affected, 100);
  } finally {
    await c.stop();
  }
  assert.deepEqual(targetProcesses(), [], 'no target process left');
});
