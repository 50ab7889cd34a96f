// The embedded target over real sockets: MQTT (TCP and WebSocket), the room protocol, stats, stop.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { TargetOptions } from '../../src/contract/target.ts';
import { startEmbeddedTarget } from '../../src/targets/embedded-target.ts';
import type { EmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { WsInbox, tcpConnectOutcome } from './helpers.ts';

const ANY_PORTS: TargetOptions = { host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } };
const BOUND = { timeout: 10_000 };

type Cleanup = { after(fn: () => unknown): void };

async function started(t: Cleanup): Promise<EmbeddedTarget> {
  const target = await startEmbeddedTarget(ANY_PORTS);
  t.after(() => target.stop());
  return target;
}

async function mqttClient(t: Cleanup, url: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  t.after(() => client.end(true));
  return client;
}

async function rooms(t: Cleanup, target: EmbeddedTarget): Promise<WsInbox> {
  const inbox = await WsInbox.open(`ws://127.0.0.1:${target.ports.rooms}/`);
  t.after(() => inbox.close());
  return inbox;
}

function nextMessage(client: MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) => client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
}

/** Waits for state the server reaches asynchronously (e.g. after a client closes). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('binds free ports when asked for 0', BOUND, async (t) => {
  const target = await started(t);
  const { mqtt: tcp, mqttWs, rooms: roomPort } = target.ports;
  for (const p of [tcp, mqttWs, roomPort]) assert.ok(p > 0 && p <= 65535);
  assert.equal(new Set([tcp, mqttWs, roomPort]).size, 3);
});

test('MQTT over TCP: a subscriber receives another client\'s publish', BOUND, async (t) => {
  const target = await started(t);
  const url = `mqtt://127.0.0.1:${target.ports.mqtt}`;
  const sub = await mqttClient(t, url);
  const pub = await mqttClient(t, url);
  await sub.subscribeAsync('fleet/dev-1/telemetry');
  const received = nextMessage(sub);
  await pub.publishAsync('fleet/dev-1/telemetry', 'hello tcp');
  assert.deepEqual(await received, { topic: 'fleet/dev-1/telemetry', payload: 'hello tcp' });
  assert.equal(target.stats().mqttClients, 2);
  assert.equal(target.stats().mqttPublishesIn, 1);
});

test('MQTT over WebSocket (/mqtt) shares topics with TCP clients', BOUND, async (t) => {
  const target = await started(t);
  const sub = await mqttClient(t, `ws://127.0.0.1:${target.ports.mqttWs}/mqtt`);
  const wsPub = await mqttClient(t, `ws://127.0.0.1:${target.ports.mqttWs}/mqtt`);
  const tcpPub = await mqttClient(t, `mqtt://127.0.0.1:${target.ports.mqtt}`);
  await sub.subscribeAsync('fleet/#');
  let received = nextMessage(sub);
  await wsPub.publishAsync('fleet/a', 'over ws');
  assert.deepEqual(await received, { topic: 'fleet/a', payload: 'over ws' });
  received = nextMessage(sub);
  await tcpPub.publishAsync('fleet/b', 'over tcp');
  assert.deepEqual(await received, { topic: 'fleet/b', payload: 'over tcp' });
  assert.equal(target.stats().mqttClients, 3);
  assert.equal(target.stats().mqttPublishesIn, 2);
});

test('rooms: join, broadcast to the sender\'s room only, echo to the sender only, plain echo', BOUND, async (t) => {
  const target = await started(t);
  const [a1, a2, b1] = [await rooms(t, target), await rooms(t, target), await rooms(t, target)];

  a1.send('{"type":"join","room":"room-a"}');
  assert.deepEqual(JSON.parse(await a1.next()), { type: 'joined', room: 'room-a', members: 1 });
  a2.send('{"type":"join","room":"room-a"}');
  assert.deepEqual(JSON.parse(await a2.next()), { type: 'joined', room: 'room-a', members: 2 });
  b1.send('{"type":"join","room":"room-b"}');
  assert.deepEqual(JSON.parse(await b1.next()), { type: 'joined', room: 'room-b', members: 1 });

  const broadcast = '{"type":"broadcast","id":"a1","k":"k1","seq":1,"ts":1700000000000,"p":"xyz"}';
  a1.send(broadcast);
  assert.equal(await a1.next(), broadcast, 'the sender gets its own broadcast, byte for byte');
  assert.equal(await a2.next(), broadcast);

  // Frames on one connection arrive in order, so b1's next frame being its own echo proves the
  // broadcast (sent before it) never reached b1.
  const bEcho = '{"type":"echo","id":"b1","k":"k2","seq":1,"ts":1}';
  b1.send(bEcho);
  assert.equal(await b1.next(), bEcho);

  const aEcho = '{"type":"echo","id":"a1","k":"k3","seq":2,"ts":2}';
  a1.send(aEcho);
  assert.equal(await a1.next(), aEcho);
  const a2Echo = '{"type":"echo","id":"a2","k":"k4","seq":1,"ts":3}';
  a2.send(a2Echo);
  assert.equal(await a2.next(), a2Echo, 'a1\'s echo did not reach a2');

  b1.send('not json at all');
  assert.equal(await b1.next(), 'not json at all');

  assert.deepEqual(target.stats(), {
    mqttClients: 0,
    mqttPublishesIn: 0,
    wsClients: 3,
    rooms: 2,
    refusedByRate: 0,
    roomFramesIn: 8, // 3 joins, 1 broadcast, 3 echoes, 1 non-JSON
    roomFramesOut: 9, // 3 joined, 2 broadcast deliveries, 3 echoes, 1 non-JSON echo
    // Readers keeping up: the kernel took every frame at once.
    bufferedBytes: 0,
    maxClientBufferedBytes: 0,
    slowClients: 0,
    droppedSlowClients: 0,
    shedByOverload: 0,
    overloadedSeconds: 0,
  });
});

test('rooms: broadcast before joining is an error; non-prefix JSON still routes by type', BOUND, async (t) => {
  const target = await started(t);
  const [a1, a2] = [await rooms(t, target), await rooms(t, target)];

  a1.send('{"type":"broadcast","id":"a1","seq":1}');
  assert.deepEqual(JSON.parse(await a1.next()), { type: 'error', message: 'join a room first' });

  a1.send('{"type":"join","room":"r"}');
  await a1.next();
  a2.send('{ "room": "r", "type": "join" }');
  assert.deepEqual(JSON.parse(await a2.next()), { type: 'joined', room: 'r', members: 2 });

  const spaced = '{ "type": "broadcast", "id": "a2", "seq": 7 }';
  a2.send(spaced);
  assert.equal(await a1.next(), spaced);
  assert.equal(await a2.next(), spaced);

  a1.send('{"type":"join"}');
  assert.equal(JSON.parse(await a1.next()).type, 'error');
  a1.send('{"type":"other","x":1}');
  assert.equal(await a1.next(), '{"type":"other","x":1}');
});

test('rooms: a closed client leaves its rooms', BOUND, async (t) => {
  const target = await started(t);
  const [a1, a2, a3] = [await rooms(t, target), await rooms(t, target), await rooms(t, target)];
  a1.send('{"type":"join","room":"r"}');
  await a1.next();
  a2.send('{"type":"join","room":"r"}');
  await a2.next();
  a2.close();
  await until(() => target.stats().wsClients === 2);
  a3.send('{"type":"join","room":"r"}');
  assert.deepEqual(JSON.parse(await a3.next()), { type: 'joined', room: 'r', members: 2 });
  a1.close();
  a3.close();
  await until(() => target.stats().wsClients === 0);
  assert.equal(target.stats().rooms, 0);
});

test('stop closes connected clients and every listener', BOUND, async () => {
  const target = await startEmbeddedTarget(ANY_PORTS);
  const tcpClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${target.ports.mqtt}`, { reconnectPeriod: 0 });
  const wsClient = await mqtt.connectAsync(`ws://127.0.0.1:${target.ports.mqttWs}/mqtt`, { reconnectPeriod: 0 });
  const roomClient = await WsInbox.open(`ws://127.0.0.1:${target.ports.rooms}/`);
  // A socket that never sends CONNECT is invisible to aedes; stop must still close it.
  const silent = await tcpConnectOutcome(target.ports.mqtt);
  assert.equal(silent, 'connected');

  const mqttClosed = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()));
  const closed = Promise.all([mqttClosed(tcpClient), mqttClosed(wsClient), roomClient.closed]);
  await target.stop();
  await closed;
  await target.stop(); // idempotent

  for (const port of Object.values(target.ports)) assert.equal(await tcpConnectOutcome(port), 'ECONNREFUSED');
  tcpClient.end(true);
  wsClient.end(true);
});

test('a port in use fails start with a message naming the listener and port', BOUND, async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const taken = (blocker.address() as AddressInfo).port;

  await assert.rejects(
    startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: taken } }),
    new RegExp(`^Error: WebSocket room listener: port ${taken} is already in use on 127\\.0\\.0\\.1`),
  );
  await assert.rejects(
    startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: taken, mqttWs: 0, rooms: 0 } }),
    new RegExp(`MQTT/TCP listener: port ${taken} is already in use`),
  );
});
