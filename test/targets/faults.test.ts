// The embedded target's fault knobs (kick, pause-reading, restart) and admission control
// (accept rate), over real sockets with real mqtt.js and ws clients.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { test } from 'node:test';
import type { TargetOptions } from '../../src/contract/target.ts';
import { startEmbeddedTarget } from '../../src/targets/embedded-target.ts';
import type { EmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { listen } from '../../src/targets/listen.ts';
import { type Cleanup, WsInbox, mqttClient, mqttOutcome, sleep, tally, wsOutcome } from './helpers.ts';

const ANY_PORTS: TargetOptions = { host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } };
const BOUND = { timeout: 15_000 };


async function started(t: Cleanup, options: Partial<TargetOptions> = {}): Promise<EmbeddedTarget> {
  const target = await startEmbeddedTarget({ ...ANY_PORTS, ...options });
  t.after(() => target.stop());
  return target;
}

const urls = (target: EmbeddedTarget) => ({
  tcp: `mqtt://127.0.0.1:${target.ports.mqtt}`,
  mqttWs: `ws://127.0.0.1:${target.ports.mqttWs}/mqtt`,
  rooms: `ws://127.0.0.1:${target.ports.rooms}/`,
});

async function roomClient(t: Cleanup, url: string): Promise<WsInbox> {
  const inbox = await WsInbox.open(url);
  t.after(() => inbox.close());
  return inbox;
}

/** Waits for state the server reaches asynchronously (bounded by the test timeout). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

const seconds = (since: number): number => (performance.now() - since) / 1000;

// --- accept rate -------------------------------------------------------------------------------

test('accept rate 5/s: a burst of 30 MQTT connects is mostly refused; over ~2 s only the rate gets in', BOUND, async (t) => {
  const target = await started(t, { acceptRate: 5 });
  const { tcp } = urls(target);

  const began = performance.now();
  const burst = await Promise.all(Array.from({ length: 30 }, () => mqttOutcome(tcp)));
  const burstCounts = tally(burst);
  assert.ok((burstCounts.accepted ?? 0) <= 5 * seconds(began) + 5, `burst: ${JSON.stringify(burstCounts)}`);
  assert.ok((burstCounts.refused ?? 0) > (burstCounts.accepted ?? 0), `most of the burst is refused: ${JSON.stringify(burstCounts)}`);

  // Keep knocking for about two seconds: the bucket refills at 5/s, no faster.
  const trickle: Array<'accepted' | 'refused'> = [];
  while (seconds(began) < 2) {
    trickle.push(await mqttOutcome(tcp));
    await sleep(50);
  }
  const elapsed = seconds(began);
  const counts = tally([...burst, ...trickle]);
  const accepted = counts.accepted ?? 0;
  assert.ok(accepted <= 5 * elapsed + 5, `accepted ${accepted} in ${elapsed.toFixed(2)} s`);
  assert.ok(accepted >= 5, 'the first second\'s worth (a full bucket) gets in');
  assert.ok(accepted > (burstCounts.accepted ?? 0), 'the bucket refills');
  assert.equal(target.stats().refusedByRate, counts.refused);
});

test('accept rate on WebSockets: refused upgrades get HTTP 503; set-accept-rate 0 lifts the limit', BOUND, async (t) => {
  const target = await started(t, { acceptRate: 1 });
  const { mqttWs, rooms } = urls(target);

  // Another path than /mqtt is still a 400, and does not use up the rate.
  assert.equal(await wsOutcome(`ws://127.0.0.1:${target.ports.mqttWs}/elsewhere`), 'Unexpected server response: 400');

  const began = performance.now();
  const roomOutcomes = await Promise.all(Array.from({ length: 8 }, () => wsOutcome(rooms)));
  const mqttWsOutcomes = await Promise.all(Array.from({ length: 8 }, () => wsOutcome(mqttWs)));
  const elapsed = seconds(began);
  for (const outcomes of [roomOutcomes, mqttWsOutcomes]) {
    const counts = tally(outcomes);
    assert.deepEqual(Object.keys(counts).sort(), ['Unexpected server response: 503', 'accepted'], JSON.stringify(counts));
    assert.ok(counts.accepted <= elapsed + 1, JSON.stringify(counts));
  }
  // mqtt.js over WebSocket is refused the same way, and a refused upgrade is never an MQTT client.
  const viaMqttJs = tally(await Promise.all(Array.from({ length: 5 }, () => mqttOutcome(mqttWs))));
  assert.ok((viaMqttJs.refused ?? 0) >= 1, JSON.stringify(viaMqttJs));
  const refused = [...roomOutcomes, ...mqttWsOutcomes].filter((o) => o !== 'accepted').length + (viaMqttJs.refused ?? 0);
  assert.equal(target.stats().refusedByRate, refused);

  target.setAcceptRate(0);
  assert.deepEqual(tally(await Promise.all(Array.from({ length: 10 }, () => wsOutcome(rooms)))), { accepted: 10 });
  assert.deepEqual(tally(await Promise.all(Array.from({ length: 10 }, () => mqttOutcome(urls(target).tcp)))), { accepted: 10 });
  assert.equal(target.stats().refusedByRate, refused, 'nothing refused without a limit');
});

test('set-accept-rate applies a limit at run time; bad rates are rejected', BOUND, async (t) => {
  const target = await started(t);
  const { tcp } = urls(target);
  assert.deepEqual(tally(await Promise.all(Array.from({ length: 12 }, () => mqttOutcome(tcp)))), { accepted: 12 });
  assert.equal(target.stats().refusedByRate, 0);

  target.setAcceptRate(2);
  const began = performance.now();
  const counts = tally(await Promise.all(Array.from({ length: 12 }, () => mqttOutcome(tcp))));
  assert.ok((counts.accepted ?? 0) <= 2 * seconds(began) + 2, JSON.stringify(counts));
  assert.ok((counts.refused ?? 0) >= 1);
  assert.equal(target.stats().refusedByRate, counts.refused);

  assert.throws(() => target.setAcceptRate(-1), /acceptRate: expected connections per second >= 0/);
  assert.throws(() => target.setAcceptRate(Number.NaN), RangeError);
  await assert.rejects(startEmbeddedTarget({ ...ANY_PORTS, acceptRate: -5 }), /acceptRate/);
});

// --- kick --------------------------------------------------------------------------------------

test('kick 50% of 20 MQTT clients closes 10 of them, chosen at random', BOUND, async (t) => {
  const target = await started(t);
  const clients = await Promise.all(Array.from({ length: 20 }, () => mqttClient(t, urls(target).tcp)));
  let closedCount = 0;
  for (const c of clients) void c.closed.then(() => closedCount++);

  assert.deepEqual(await target.fault({ kind: 'kick', percent: 50 }), { affected: 10 });
  await until(() => closedCount === 10);
  await until(() => target.stats().mqttClients === 10);
  assert.equal(clients.filter((c) => c.client.connected).length, 10, 'the other half stays connected');
  assert.equal(closedCount, 10);
});

test('kick covers MQTT over TCP and WebSocket and rooms; 0% kicks nobody; bad percents are rejected', BOUND, async (t) => {
  const target = await started(t);
  const u = urls(target);
  const mqttClients = [await mqttClient(t, u.tcp), await mqttClient(t, u.tcp), await mqttClient(t, u.mqttWs), await mqttClient(t, u.mqttWs)];
  const rooms = [await roomClient(t, u.rooms), await roomClient(t, u.rooms)];

  assert.deepEqual(await target.fault({ kind: 'kick', percent: 0 }), { affected: 0 });
  await assert.rejects(target.fault({ kind: 'kick', percent: 101 }), /kick: percent must be 0-100, got 101/);
  await assert.rejects(target.fault({ kind: 'kick', percent: Number.NaN }), /kick: percent/);

  assert.deepEqual(await target.fault({ kind: 'kick', percent: 100 }), { affected: 6 });
  await Promise.all([...mqttClients.map((c) => c.closed), ...rooms.map((r) => r.closed)]);
  await until(() => target.stats().mqttClients === 0 && target.stats().wsClients === 0);
});

// --- pause-reading -----------------------------------------------------------------------------

test('pause-reading 1500 ms: a keepalive-1s client gets no PINGRESP and times out; a newcomer works', BOUND, async (t) => {
  const target = await started(t);
  const u = urls(target);
  const paused = await mqttClient(t, u.tcp, { keepalive: 1 });
  const room = await roomClient(t, u.rooms);
  // Half a keepalive period after the CONNACK, so the client's 1.5 s deadline falls inside the pause.
  await sleep(500);

  let pingrespDuringPause = 0;
  let keepaliveError: Error | undefined;
  paused.client.on('packetreceive', (packet) => {
    if (packet.cmd === 'pingresp') pingrespDuringPause++;
  });
  paused.client.on('error', (err) => (keepaliveError ??= err));

  const began = performance.now();
  assert.deepEqual(await target.fault({ kind: 'pause-reading', ms: 1500 }), { affected: 2 });
  const echo = '{"type":"echo","id":"r1","k":"k","seq":1,"ts":1}';
  room.send(echo);

  // Connected after the pause began: not paused.
  const newcomer = await mqttClient(t, u.tcp);
  await newcomer.client.subscribeAsync('during/pause');
  const delivered = new Promise<string>((resolve) => newcomer.client.once('message', (_topic, payload) => resolve(payload.toString())));
  await newcomer.client.publishAsync('during/pause', 'still served');
  assert.equal(await delivered, 'still served');

  await paused.closed;
  assert.equal(pingrespDuringPause, 0);
  assert.equal(keepaliveError?.message, 'Keepalive timeout', 'the device gave up, not the broker');

  // The room socket was not read during the pause: its echo comes back only after it.
  assert.equal(await room.next(), echo);
  assert.ok(seconds(began) >= 1.4, `echo after ${seconds(began).toFixed(2)} s`);
  assert.ok(newcomer.client.connected);
});

test('pause-reading covers MQTT over WebSocket; overlapping pauses resume at the last one\'s end', BOUND, async (t) => {
  const target = await started(t);
  const u = urls(target);
  const wsClient = await mqttClient(t, u.mqttWs);
  await wsClient.client.subscribeAsync('ws/echo');

  const began = performance.now();
  assert.deepEqual(await target.fault({ kind: 'pause-reading', ms: 300 }), { affected: 1 });
  assert.deepEqual(await target.fault({ kind: 'pause-reading', ms: 900 }), { affected: 1 });
  const delivered = new Promise<void>((resolve) => wsClient.client.once('message', () => resolve()));
  wsClient.client.publish('ws/echo', 'x');
  await delivered;
  assert.ok(seconds(began) >= 0.85, `delivered after ${seconds(began).toFixed(2)} s`);
  assert.ok(wsClient.client.connected);
});

test('pause-reading is bounded; stop ends a pause in progress', BOUND, async (t) => {
  const target = await startEmbeddedTarget(ANY_PORTS);
  const client = await mqttClient(t, urls(target).tcp);
  await assert.rejects(target.fault({ kind: 'pause-reading', ms: 600_001 }), /pause-reading: ms must be 0-600000, got 600001/);
  await assert.rejects(target.fault({ kind: 'pause-reading', ms: -1 }), /pause-reading: ms must be 0-600000/);
  assert.deepEqual(await target.fault({ kind: 'pause-reading', ms: 600_000 }), { affected: 1 });
  // A pause left running would keep this test process alive (its timers) long past the bound.
  await target.stop();
  await client.closed;
  await assert.rejects(target.fault({ kind: 'kick', percent: 10 }), /the target is stopped/);
});

// --- restart -----------------------------------------------------------------------------------

test('restart drops every client and serves again on the same ports', BOUND, async (t) => {
  const target = await started(t);
  const u = urls(target);
  const ports = { ...target.ports };
  const tcp = await mqttClient(t, u.tcp);
  const ws = await mqttClient(t, u.mqttWs);
  const room = await roomClient(t, u.rooms);
  await tcp.client.publishAsync('before/restart', 'x', { qos: 1 }); // PUBACK: counted

  assert.deepEqual(await target.fault({ kind: 'restart' }), { affected: 3 });
  await Promise.all([tcp.closed, ws.closed, room.closed]);
  assert.deepEqual(target.ports, ports);
  assert.equal(target.failure, undefined);

  const again = await mqttClient(t, u.tcp);
  await again.client.publishAsync('after/restart', 'y', { qos: 1 });
  await mqttClient(t, u.mqttWs);
  const room2 = await roomClient(t, u.rooms);
  room2.send('plain');
  assert.equal(await room2.next(), 'plain');
  const stats = target.stats();
  assert.equal(stats.mqttClients, 2);
  assert.equal(stats.wsClients, 1);
  assert.equal(stats.mqttPublishesIn, 2, 'counters run on across a restart');
});

test('listen retries a busy port when asked to (what restart relies on)', BOUND, async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const port = (blocker.address() as AddressInfo).port;

  const once1 = createServer();
  await assert.rejects(listen(once1, port, '127.0.0.1', 'Test listener'), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'EADDRINUSE');
    assert.match(err.message, new RegExp(`Test listener: port ${port} is already in use`));
    return true;
  });

  const retrying = createServer();
  t.after(() => retrying.close());
  setTimeout(() => blocker.close(), 150);
  assert.equal(await listen(retrying, port, '127.0.0.1', 'Test listener', { attempts: 50, delayMs: 20 }), port);
});

/** Takes `port` as soon as it is free (polling), e.g. in the gap while a restart rebinds. */
async function grabPort(port: number, t: Cleanup): Promise<Server> {
  const began = performance.now();
  for (;;) {
    const server = createServer();
    try {
      await listen(server, port, '127.0.0.1', 'blocker');
      t.after(() => server.close());
      return server;
    } catch {
      if (seconds(began) > 5) throw new Error(`port ${port} never came free`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

test('restart waits out a port that is briefly taken, and fails cleanly when it stays taken', BOUND, async (t) => {
  const target = await started(t);
  const { mqtt: port } = target.ports;

  // Taken in the gap between stop and start, released a little later: the retry gets it back.
  const restarted = target.fault({ kind: 'restart' });
  const blocker = await grabPort(port, t);
  await sleep(300);
  blocker.close();
  assert.deepEqual(await restarted, { affected: 0 });
  assert.equal(await mqttOutcome(urls(target).tcp), 'accepted');

  // Taken for good: the restart gives up, and the target says so.
  const failed = target.fault({ kind: 'restart' });
  await grabPort(port, t);
  await assert.rejects(failed, new RegExp(`^Error: restart failed: MQTT/TCP listener: port ${port} is already in use`));
  assert.match(String(target.failure), /restart failed/);
  await assert.rejects(target.fault({ kind: 'kick', percent: 1 }), /restart failed/);
  assert.equal(target.stats().mqttClients, 0);
  await target.stop();
});
