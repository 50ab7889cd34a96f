// The embedded target facing clients that send too much: a WebSocket message over the target's cap
// closes that client (1009) and nothing else; joins past the per-client room cap are refused
// with an error frame, so one client cannot grow the room registry without end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { MAX_ROOMS_PER_CLIENT, MAX_ROOM_NAME_CHARS, TARGET_MAX_MESSAGE_BYTES, type TargetOptions } from '../../src/contract/target.ts';
import { startEmbeddedTarget, type EmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { waitFor } from '../helpers/ports.ts';
import { WsInbox } from './helpers.ts';

const ANY_PORTS: TargetOptions = { host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } };
const BOUND = { timeout: 30_000 };

async function started(t: { after(fn: () => unknown): void }): Promise<EmbeddedTarget> {
  const target = await startEmbeddedTarget(ANY_PORTS);
  t.after(() => target.stop());
  return target;
}

/** Sends one frame of `bytes` bytes and resolves with the close code the server ends with. */
function closeCodeAfterSending(url: string, bytes: number, protocol?: string): Promise<number> {
  const ws = new WebSocket(url, protocol ? [protocol] : [], { perMessageDeflate: false, maxPayload: 0 });
  ws.on('error', () => {});
  return new Promise((resolve) => {
    ws.once('open', () => ws.send(Buffer.alloc(bytes, 0x61)));
    ws.once('close', (code) => resolve(code));
  });
}

async function echoes(url: string): Promise<void> {
  const inbox = await WsInbox.open(url);
  try {
    inbox.send('{"type":"echo","id":"x","seq":1}');
    assert.equal(await inbox.next(), '{"type":"echo","id":"x","seq":1}');
  } finally {
    inbox.close();
  }
}

test('rooms: a message over the cap closes that client with 1009; the server goes on', BOUND, async (t) => {
  const target = await started(t);
  const url = `ws://127.0.0.1:${target.ports.rooms}/`;
  const bystander = await WsInbox.open(url);
  t.after(() => bystander.close());
  assert.equal(await closeCodeAfterSending(url, TARGET_MAX_MESSAGE_BYTES + 1), 1009);
  await echoes(url);
  bystander.send('{"type":"echo","id":"b"}');
  assert.equal(await bystander.next(), '{"type":"echo","id":"b"}', 'a client connected meanwhile is untouched');
});

test('rooms: a message of exactly the cap still goes through', BOUND, async (t) => {
  const target = await started(t);
  const inbox = await WsInbox.open(`ws://127.0.0.1:${target.ports.rooms}/`);
  t.after(() => inbox.close());
  const frame = `{"type":"echo","p":"${'x'.repeat(TARGET_MAX_MESSAGE_BYTES - 22)}"}`;
  assert.equal(Buffer.byteLength(frame), TARGET_MAX_MESSAGE_BYTES);
  inbox.send(frame);
  assert.equal((await inbox.next()).length, frame.length);
});

test('MQTT over WebSocket: a message over the cap closes that client with 1009', BOUND, async (t) => {
  const target = await started(t);
  assert.equal(await closeCodeAfterSending(`ws://127.0.0.1:${target.ports.mqttWs}/mqtt`, TARGET_MAX_MESSAGE_BYTES + 1, 'mqtt'), 1009);
});

test('rooms: a client joining 20,000 rooms gets at most the per-client cap; the rest are refused', BOUND, async (t) => {
  const target = await started(t);
  const inbox = await WsInbox.open(`ws://127.0.0.1:${target.ports.rooms}/`);
  t.after(() => inbox.close());
  const joins = 20_000;
  for (let i = 0; i < joins; i++) inbox.send(`{"type":"join","room":"r-${i}"}`);
  let joined = 0;
  let refused = 0;
  for (let i = 0; i < joins; i++) {
    const reply = JSON.parse(await inbox.next()) as { type: string; message?: string };
    if (reply.type === 'joined') joined++;
    else if (reply.type === 'error' && reply.message?.includes(`${MAX_ROOMS_PER_CLIENT} rooms`)) refused++;
  }
  console.log(`# joins sent ${joins}: joined ${joined}, refused ${refused}`);
  assert.equal(joined, MAX_ROOMS_PER_CLIENT);
  assert.equal(refused, joins - MAX_ROOMS_PER_CLIENT);
  assert.equal(target.stats().rooms, MAX_ROOMS_PER_CLIENT);
  // Joining a room it is already in is no new room.
  inbox.send('{"type":"join","room":"r-0"}');
  assert.equal(JSON.parse(await inbox.next()).type, 'joined');
  inbox.close();
  await waitFor('the rooms to be left', () => target.stats().rooms === 0);
});

test('rooms: a room name longer than the cap is refused', BOUND, async (t) => {
  const target = await started(t);
  const inbox = await WsInbox.open(`ws://127.0.0.1:${target.ports.rooms}/`);
  t.after(() => inbox.close());
  inbox.send(JSON.stringify({ type: 'join', room: 'r'.repeat(MAX_ROOM_NAME_CHARS + 1) }));
  const reply = JSON.parse(await inbox.next()) as { type: string; message: string };
  assert.equal(reply.type, 'error');
  assert.match(reply.message, new RegExp(`1 to ${MAX_ROOM_NAME_CHARS} characters`));
  inbox.send(JSON.stringify({ type: 'join', room: 'r'.repeat(MAX_ROOM_NAME_CHARS) }));
  assert.equal(JSON.parse(await inbox.next()).type, 'joined');
  assert.equal(target.stats().rooms, 1);
});
