// The overload model (TargetOptions.overload): a listener swamped by connection attempts sheds
// some of its established clients at the end of the second, over real sockets.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { TargetOptions } from '../../src/contract/target.ts';
import { launchEmbeddedTarget } from '../../src/fleet/embedded-target-process.ts';
import { ChildProcessLauncher } from '../../src/fleet/launcher.ts';
import { OVERLOAD_WINDOW_MS, startEmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { WsInbox, sleep } from './helpers.ts';

const ANY_PORTS: TargetOptions = { host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } };
const BOUND = { timeout: 20_000 };

interface Tracked {
  client: MqttClient;
  closed: boolean;
}

async function mqttClient(t: { after(fn: () => unknown): void }, url: string): Promise<Tracked> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, keepalive: 60 });
  t.after(() => client.end(true));
  client.on('error', () => {}); // a shed client may see a reset
  const tracked: Tracked = { client, closed: false };
  client.once('close', () => (tracked.closed = true));
  return tracked;
}

function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('overload 20/s, shed 50%: a burst of attempts on MQTT/TCP sheds about half its clients, not the WS listener\'s', BOUND, async (t) => {
  const target = await startEmbeddedTarget({ ...ANY_PORTS, overload: { attemptsPerSec: 20, shedPercent: 50 } });
  const startedAt = performance.now(); // the overload windows are counted from about here
  t.after(() => target.stop());
  const tcpUrl = `mqtt://127.0.0.1:${target.ports.mqtt}`;
  const wsUrl = `ws://127.0.0.1:${target.ports.mqttWs}/mqtt`;

  const wsClients: Tracked[] = [];
  for (let i = 0; i < 4; i++) wsClients.push(await mqttClient(t, wsUrl));
  const room = await WsInbox.open(`ws://127.0.0.1:${target.ports.rooms}/`);
  t.after(() => room.close());
  let roomClosed = false;
  void room.closed.then(() => (roomClosed = true));

  // Slowly (about 8 a second, under the threshold): nobody is shed.
  const tcpClients: Tracked[] = [];
  for (let i = 0; i < 10; i++) {
    tcpClients.push(await mqttClient(t, tcpUrl));
    await sleep(120);
  }
  await sleep(OVERLOAD_WINDOW_MS + 100);
  assert.equal(tcpClients.filter((c) => c.closed).length, 0);
  assert.equal(target.stats().shedByOverload, 0);
  assert.equal(target.stats().overloadedSeconds, 0);
  assert.equal(target.stats().mqttClients, 14);

  // Burst in the middle of a window, so all 60 attempts land in the same second.
  const phase = (performance.now() - startedAt) % OVERLOAD_WINDOW_MS;
  await sleep((OVERLOAD_WINDOW_MS * 1.4 - phase) % OVERLOAD_WINDOW_MS);
  const raw = await Promise.all(Array.from({ length: 60 }, () => rawConnect(target.ports.mqtt)));
  t.after(() => raw.forEach((s) => s.destroy()));
  for (const s of raw) s.on('error', () => {});

  await until(() => (target.stats().overloadedSeconds ?? 0) >= 1, 'an overloaded second', 2500);
  const shed = target.stats().shedByOverload ?? 0;
  await until(() => tcpClients.filter((c) => c.closed).length >= shed, 'the shed clients to see their close');
  await sleep(OVERLOAD_WINDOW_MS + 100); // one more (quiet) window: nothing more is shed

  const closed = tcpClients.filter((c) => c.closed).length;
  assert.ok(closed >= 3 && closed <= 7, `about half of the 10 TCP clients closed, got ${closed}`);
  assert.equal(target.stats().shedByOverload, closed);
  assert.equal(target.stats().overloadedSeconds, 1);
  assert.equal(wsClients.filter((c) => c.closed).length, 0, 'the MQTT/WS listener was not overloaded');
  assert.equal(roomClosed, false, 'the room listener was not overloaded');
  assert.equal(target.stats().mqttClients, 14 - closed);
});

test('overload is validated; without it nothing is shed and the stats read 0', BOUND, async (t) => {
  for (const overload of [
    { attemptsPerSec: 0, shedPercent: 50 },
    { attemptsPerSec: -1, shedPercent: 50 },
    { attemptsPerSec: 10, shedPercent: 101 },
    { attemptsPerSec: 10, shedPercent: -1 },
    { attemptsPerSec: Number.NaN, shedPercent: 10 },
  ]) {
    await assert.rejects(startEmbeddedTarget({ ...ANY_PORTS, overload }), RangeError, JSON.stringify(overload));
    await assert.rejects(launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', undefined, undefined, undefined, overload), RangeError);
  }
  const target = await startEmbeddedTarget(ANY_PORTS);
  t.after(() => target.stop());
  await Promise.all(Array.from({ length: 30 }, () => rawConnect(target.ports.mqtt).then((s) => s.destroy())));
  await sleep(OVERLOAD_WINDOW_MS + 100);
  assert.equal(target.stats().shedByOverload, 0);
  assert.equal(target.stats().overloadedSeconds, 0);
});

test('launchEmbeddedTarget passes overload through: a burst on the rooms listener sheds its clients', BOUND, async (t) => {
  const target = await launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', undefined, undefined, undefined, { attemptsPerSec: 5, shedPercent: 100 });
  t.after(() => target.stop());
  const url = `ws://127.0.0.1:${target.ports.rooms}/`;
  const rooms = await Promise.all(Array.from({ length: 3 }, () => WsInbox.open(url)));
  t.after(() => rooms.forEach((r) => r.close()));
  await sleep(OVERLOAD_WINDOW_MS + 100);
  assert.equal(rooms.filter((r) => r.ws.readyState !== r.ws.OPEN).length, 0);
  const burst = await Promise.all(Array.from({ length: 20 }, () => WsInbox.open(url)));
  for (const b of burst) b.close();
  await Promise.all(rooms.map((r) => r.closed)); // bounded by the test timeout
  await until(() => (target.lastStats?.shedByOverload ?? 0) >= 3, 'the stats to show the shed clients', 3000);
  assert.ok((target.lastStats?.overloadedSeconds ?? 0) >= 1);
});
