// Backpressure (field notes, case A): a slow reader makes the target hold what it cannot send yet;
// the target reports it (bufferedBytes, maxClientBufferedBytes, slowClients) and, with
// maxClientBuffer, drops the slow client instead (droppedSlowClients). Real sockets throughout:
// the slow reader stops reading at its socket's handle, so the kernel buffers fill first and the
// server's own buffers after them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { DEFAULT_SLOW_CLIENT_BYTES } from '../../src/contract/target.ts';
import type { TargetOptions, TargetStats } from '../../src/contract/target.ts';
import { launchEmbeddedTarget } from '../../src/fleet/embedded-target-process.ts';
import { ChildProcessLauncher } from '../../src/fleet/launcher.ts';
import { startEmbeddedTarget } from '../../src/targets/embedded-target.ts';
import type { EmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { sleep, socketOf, startReading, stopReading } from './helpers.ts';

const ANY_PORTS: TargetOptions = { host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } };
const BOUND = { timeout: 30_000 };
const KIB = 1024;
const FRAME_BYTES = 16 * KIB;
/** Frames the sender has in flight at most: it waits for its own copies (broadcast includes the sender). */
const BATCH = 8;
/** What one frame costs on the wire: the payload and a 4-byte WebSocket header (server frames are unmasked). */
const FRAME_WIRE = FRAME_BYTES + 4;
/** "Several hundred KiB": what a stalled reader must make the target hold once the kernel buffers are full. */
const PILED_UP = 512 * KIB;
const CAP = 256 * KIB;

type Cleanup = { after(fn: () => unknown): void };

async function started(t: Cleanup, options: Partial<TargetOptions> = {}): Promise<EmbeddedTarget> {
  const target = await startEmbeddedTarget({ ...ANY_PORTS, ...options });
  t.after(() => target.stop());
  return target;
}

/** Waits for state reached asynchronously (bounded by the test timeout). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

/** A broadcast frame of exactly FRAME_BYTES. */
function frame(seq: number): string {
  const head = JSON.stringify({ type: 'broadcast', id: 'sender', k: 'bp', seq, ts: 0, p: '' });
  return head.replace('"p":""', `"p":"${'x'.repeat(FRAME_BYTES - head.length)}"`);
}

/** A raw room client in `room`, counting the broadcast frames it receives, and its close. */
async function roomMember(t: Cleanup, url: string, room = 'room-a') {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  t.after(() => ws.terminate());
  ws.on('error', () => {}); // a dropped client may see a reset
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const member = { ws, received: 0, closed: false, joined: false };
  ws.on('message', (data) => {
    if (data.toString('utf8', 0, 20).startsWith('{"type":"broadcast"')) member.received++;
    else if (data.toString().startsWith('{"type":"joined"')) member.joined = true;
  });
  ws.once('close', () => (member.closed = true));
  ws.send(JSON.stringify({ type: 'join', room }));
  await until(() => member.joined);
  return member;
}

type Member = Awaited<ReturnType<typeof roomMember>>;

/**
 * Broadcasts FRAME_BYTES frames from `sender` in batches of BATCH, waiting for the sender's own
 * copies of each batch so that only the slow reader falls behind. Sends at least `frames`, then
 * more (up to `limit`) until `enough()`; calls `each` after every batch. Returns the frames sent.
 */
async function broadcast(
  sender: Member,
  { frames, limit = frames, enough = () => true, each = () => {} }: { frames: number; limit?: number; enough?: () => boolean; each?: () => void },
): Promise<number> {
  let sent = 0;
  const start = sender.received;
  while (sent < frames || (!enough() && sent < limit)) {
    for (let i = 0; i < BATCH; i++) sender.ws.send(frame(sent++));
    await until(() => sender.received - start === sent);
    each();
  }
  return sent;
}

/** Tracks the highest value a figure reaches while stats are taken every few milliseconds. */
function watchPeak(read: () => TargetStats) {
  const peak = { bufferedBytes: 0, maxClientBufferedBytes: 0 };
  const look = (): void => {
    const s = read();
    peak.bufferedBytes = Math.max(peak.bufferedBytes, s.bufferedBytes);
    peak.maxClientBufferedBytes = Math.max(peak.maxClientBufferedBytes, s.maxClientBufferedBytes);
  };
  const timer = setInterval(look, 2);
  return { peak, look, stop: () => clearInterval(timer) };
}

// --- rooms -------------------------------------------------------------------------------------

test('rooms: a reader that stops reading piles up buffered bytes, counted as a slow client; it drains when it reads again', BOUND, async (t) => {
  const target = await started(t);
  const url = `ws://127.0.0.1:${target.ports.rooms}/`;
  const slow = await roomMember(t, url);
  const sender = await roomMember(t, url);
  const idle = target.stats();
  assert.equal(idle.bufferedBytes, 0);
  assert.equal(idle.slowClients, 0);
  assert.equal(idle.droppedSlowClients, 0);

  stopReading(socketOf(slow.ws));
  const sent = await broadcast(sender, {
    frames: 400,
    // More if this machine's TCP buffers swallow 400 frames (6.4 MB) whole.
    limit: 1600,
    enough: () => target.stats().bufferedBytes > PILED_UP,
  });
  const piled = target.stats();
  assert.ok(piled.bufferedBytes > PILED_UP, JSON.stringify(piled));
  assert.ok(piled.maxClientBufferedBytes > PILED_UP, JSON.stringify(piled));
  assert.ok(piled.bufferedBytes >= piled.maxClientBufferedBytes);
  // Only the slow reader is behind: the sender has its copies.
  assert.ok(piled.bufferedBytes - piled.maxClientBufferedBytes < BATCH * FRAME_WIRE, JSON.stringify(piled));
  assert.equal(piled.slowClients, 1);
  assert.equal(piled.droppedSlowClients, 0, 'no cap, nobody dropped');
  assert.equal(slow.received < sent, true);

  // Reading again, it gets every frame (nothing is lost without a cap) and the buffers empty.
  startReading(socketOf(slow.ws));
  await until(() => slow.received === sent);
  await until(() => target.stats().bufferedBytes === 0);
  assert.equal(target.stats().slowClients, 0);
  assert.equal(slow.closed, false);
});

test('rooms: maxClientBuffer 256 KiB drops the slow reader and keeps the buffered bytes near the cap; others are served', BOUND, async (t) => {
  const target = await started(t, { maxClientBuffer: CAP });
  const url = `ws://127.0.0.1:${target.ports.rooms}/`;
  const slow = await roomMember(t, url);
  const sender = await roomMember(t, url);
  stopReading(socketOf(slow.ws));

  const watch = watchPeak(() => target.stats());
  t.after(watch.stop);
  let sent = await broadcast(sender, { frames: 0, limit: 1600, enough: () => target.stats().droppedSlowClients >= 1, each: watch.look });
  assert.equal(target.stats().droppedSlowClients, 1);
  // The room keeps working for the sender, and nothing piles up any more.
  sent += await broadcast(sender, { frames: 10 * BATCH, each: watch.look });
  watch.stop();
  const after = target.stats();
  assert.equal(after.droppedSlowClients, 1, 'only the slow reader is dropped');
  assert.equal(sender.closed, false);
  assert.ok(after.bufferedBytes < BATCH * FRAME_WIRE, JSON.stringify(after));
  // The room server checks the cap before each send: the slow reader never holds more than the
  // cap and one frame, the sender at most one batch.
  assert.ok(watch.peak.bufferedBytes <= CAP + (BATCH + 1) * FRAME_WIRE, JSON.stringify(watch.peak));
  assert.ok(watch.peak.maxClientBufferedBytes <= CAP + FRAME_WIRE, JSON.stringify(watch.peak));
  await until(() => target.stats().wsClients === 1);

  // The slow reader learns it was dropped once it reads again, having missed frames.
  startReading(socketOf(slow.ws));
  await until(() => slow.closed);
  assert.ok(slow.received < sent, `${slow.received} of ${sent}`);
});

test('rooms: setMaxClientBuffer caps a target already holding a slow reader; bad caps are rejected', BOUND, async (t) => {
  const target = await started(t);
  const url = `ws://127.0.0.1:${target.ports.rooms}/`;
  const slow = await roomMember(t, url);
  const sender = await roomMember(t, url);
  stopReading(socketOf(slow.ws));
  await broadcast(sender, { frames: 400, limit: 1600, enough: () => target.stats().bufferedBytes > PILED_UP });
  assert.equal(target.stats().slowClients, 1);

  target.setMaxClientBuffer(CAP); // applied at once, not at the next sample
  const capped = target.stats();
  assert.equal(capped.droppedSlowClients, 1);
  assert.equal(capped.slowClients, 0);
  assert.ok(capped.bufferedBytes < CAP, JSON.stringify(capped));
  await until(() => target.stats().wsClients === 1);

  target.setMaxClientBuffer(0);
  assert.throws(() => target.setMaxClientBuffer(-1), /maxClientBuffer: expected bytes >= 0 \(0 = no cap\), got -1/);
  assert.throws(() => target.setMaxClientBuffer(Number.NaN), RangeError);
  await assert.rejects(startEmbeddedTarget({ ...ANY_PORTS, maxClientBuffer: -5 }), /maxClientBuffer/);
  await assert.rejects(startEmbeddedTarget({ ...ANY_PORTS, slowClientBytes: -1 }), /slowClientBytes/);
});

test('rooms: slowClientBytes sets what counts as slow', BOUND, async (t) => {
  const target = await started(t, { slowClientBytes: 4 * 1024 * 1024 * 1024 });
  const url = `ws://127.0.0.1:${target.ports.rooms}/`;
  const slow = await roomMember(t, url);
  const sender = await roomMember(t, url);
  stopReading(socketOf(slow.ws));
  await broadcast(sender, { frames: 400, limit: 1600, enough: () => target.stats().bufferedBytes > PILED_UP });
  const s = target.stats();
  assert.ok(s.bufferedBytes > DEFAULT_SLOW_CLIENT_BYTES);
  assert.equal(s.slowClients, 0, 'below the 4 GiB threshold');
});

// --- MQTT --------------------------------------------------------------------------------------

const MESSAGES = 300;
const PAYLOAD = Buffer.alloc(16 * KIB, 0x61);
/** A QoS 0 PUBLISH of PAYLOAD to 'bp/slow' on the wire: fixed header (1 + 3 length bytes), topic (2 + 7). */
const PACKET_WIRE = PAYLOAD.length + 1 + 3 + 2 + 'bp/slow'.length;
const MQTT_CAP = 64 * KIB;

/**
 * An mqtt.js subscriber to 'bp/slow' that has stopped reading, over TCP or WebSocket, with the
 * socket underneath so it can read again.
 */
async function slowSubscriber(t: Cleanup, url: string): Promise<{ client: MqttClient; socket: unknown; closed: () => boolean }> {
  let ws: WebSocket | undefined;
  const options: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5000 };
  if (url.startsWith('ws:')) {
    // Keeps the WebSocket mqtt.js makes, to reach its socket.
    (options as { createWebsocket?: unknown }).createWebsocket = (u: string, protocols: string[]) => (ws = new WebSocket(u, protocols));
  }
  const client = await mqtt.connectAsync(url, options);
  t.after(() => client.end(true));
  client.on('error', () => {});
  let closed = false;
  client.once('close', () => (closed = true));
  await client.subscribeAsync('bp/slow', { qos: 0 });
  const socket = ws ? socketOf(ws) : (client as unknown as { stream: unknown }).stream;
  stopReading(socket);
  return { client, socket, closed: () => closed };
}

async function publisher(t: Cleanup, url: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  t.after(() => client.end(true));
  client.on('error', () => {});
  for (let i = 0; i < MESSAGES; i++) client.publish('bp/slow', PAYLOAD, { qos: 0 });
  return client;
}

for (const transport of ['tcp', 'ws'] as const) {
  const urlOf = (target: EmbeddedTarget): string =>
    transport === 'tcp' ? `mqtt://127.0.0.1:${target.ports.mqtt}` : `ws://127.0.0.1:${target.ports.mqttWs}/mqtt`;

  test(`MQTT over ${transport}: a subscriber that stops reading piles up buffered bytes (aedes writes into its stream)`, BOUND, async (t) => {
    const target = await started(t);
    const sub = await slowSubscriber(t, urlOf(target));
    await publisher(t, urlOf(target));
    await until(() => target.stats().slowClients >= 1);
    const s = target.stats();
    assert.ok(s.bufferedBytes > DEFAULT_SLOW_CLIENT_BYTES, JSON.stringify(s));
    assert.ok(s.maxClientBufferedBytes > DEFAULT_SLOW_CLIENT_BYTES, JSON.stringify(s));
    assert.equal(s.droppedSlowClients, 0);

    startReading(sub.socket);
    await until(() => target.stats().bufferedBytes === 0 && target.stats().mqttPublishesIn === MESSAGES);
    assert.equal(target.stats().slowClients, 0);
    assert.equal(sub.closed(), false);
  });

  test(`MQTT over ${transport}: maxClientBuffer drops the slow subscriber, near the cap; the publisher gets through`, BOUND, async (t) => {
    const target = await started(t, { maxClientBuffer: MQTT_CAP });
    const sub = await slowSubscriber(t, urlOf(target));
    const watch = watchPeak(() => target.stats());
    t.after(watch.stop);
    await publisher(t, urlOf(target));
    await until(() => target.stats().droppedSlowClients >= 1);
    // aedes had held the publisher back while the subscriber did not drain; dropped, it no longer does.
    await until(() => target.stats().mqttPublishesIn === MESSAGES && target.stats().mqttClients === 1);
    watch.stop();
    const s = target.stats();
    assert.equal(s.droppedSlowClients, 1);
    assert.equal(s.slowClients, 0);
    // Checked on every write the stream could not take at once: the cap and one message at most.
    assert.ok(watch.peak.bufferedBytes <= MQTT_CAP + PACKET_WIRE, JSON.stringify(watch.peak));

    startReading(sub.socket);
    await until(sub.closed);
  });
}

// --- the child process ---------------------------------------------------------------------------

test('child process: stats events carry the backpressure figures; maxClientBuffer at launch and setMaxClientBuffer', BOUND, async (t) => {
  await assert.rejects(launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', undefined, undefined, -1), RangeError);

  const target = await launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', undefined, undefined, CAP);
  t.after(() => target.stop());
  const url = `ws://127.0.0.1:${target.ports.rooms}/`;
  const latest = (): TargetStats | null => target.lastStats;
  await until(() => latest()?.wsClients === 0);
  const first = latest()!;
  for (const field of ['bufferedBytes', 'maxClientBufferedBytes', 'slowClients', 'droppedSlowClients'] as const) {
    assert.equal(first[field], 0, field);
  }

  // The cap given at launch drops a slow reader.
  const slow = await roomMember(t, url);
  const sender = await roomMember(t, url);
  stopReading(socketOf(slow.ws));
  await broadcast(sender, { frames: 0, limit: 1600, enough: () => (latest()?.droppedSlowClients ?? 0) >= 1 });
  assert.equal(latest()!.droppedSlowClients, 1);
  await until(() => latest()!.wsClients === 1);

  // Without a cap, the next slow reader piles up, as stats events show; the cap set again drops it.
  target.setMaxClientBuffer(0);
  const slow2 = await roomMember(t, url);
  stopReading(socketOf(slow2.ws));
  await broadcast(sender, { frames: 400, limit: 1600, enough: () => (latest()?.bufferedBytes ?? 0) > PILED_UP });
  await until(() => (latest()?.slowClients ?? 0) >= 1 && latest()!.maxClientBufferedBytes > PILED_UP);
  assert.equal(latest()!.droppedSlowClients, 1);

  target.setMaxClientBuffer(CAP);
  await until(() => latest()!.droppedSlowClients === 2);
  await until(() => latest()!.slowClients === 0 && latest()!.bufferedBytes < CAP && latest()!.wsClients === 1);
  assert.throws(() => target.setMaxClientBuffer(-1), RangeError);
});
