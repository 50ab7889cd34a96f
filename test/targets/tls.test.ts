// The embedded target's TLS listeners (MQTT over TLS, MQTT over WSS, WSS rooms) with a test PKI:
// shared broker and rooms across plain and TLS clients, mutual TLS and its refusals, and the
// fault knobs, admission and stop on TLS clients. Real sockets, real TLS, mqtt.js and ws clients.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { TargetOptions, TargetTls } from '../../src/contract/target.ts';
import { DeviceCertStore } from '../../src/pki/device-certs.ts';
import type { CertVariant } from '../../src/pki/device-certs.ts';
import { initTestPki } from '../../src/pki/test-pki.ts';
import type { PkiInfo } from '../../src/pki/test-pki.ts';
import { startEmbeddedTarget } from '../../src/targets/embedded-target.ts';
import type { EmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { waitFor } from '../helpers/ports.ts';
import { type Cleanup, WsInbox, mqttClient, socketOf, stopReading, tally, tcpConnectOutcome } from './helpers.ts';

const BOUND = { timeout: 20_000 };


let pkiDir: string;
let pki: PkiInfo;
let ca: Buffer;

before(async () => {
  pkiDir = await mkdtemp(join(tmpdir(), 'fleetsim-tls-'));
  pki = await initTestPki(pkiDir);
  ca = await readFile(pki.files.ca);
});
after(() => rm(pkiDir, { recursive: true, force: true }));

async function started(t: Cleanup, clientCerts: TargetTls['clientCerts'] = 'require', options: Partial<TargetOptions> = {}): Promise<EmbeddedTarget> {
  const target = await startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 }, tls: { pki: pkiDir, clientCerts }, ...options });
  t.after(() => target.stop());
  return target;
}

const urls = (target: EmbeddedTarget) => ({
  tcp: `mqtt://127.0.0.1:${target.ports.mqtt}`,
  rooms: `ws://127.0.0.1:${target.ports.rooms}/`,
  mqtts: `mqtts://127.0.0.1:${target.ports.mqtts}`,
  mqttWss: `wss://127.0.0.1:${target.ports.mqttWss}/mqtt`,
  roomsWss: `wss://127.0.0.1:${target.ports.roomsWss}/`,
});

/** Client TLS options: trust the PKI's CA and present device `id`'s certificate (none without an id). */
async function tlsAs(id?: string, variant: CertVariant = 'valid'): Promise<{ ca: Buffer; cert?: Buffer; key?: Buffer }> {
  if (id === undefined) return { ca };
  // One PEM file holds the key and the certificate.
  const pem = await readFile(await new DeviceCertStore(pki, variant).ensure(id));
  return { ca, cert: pem, key: pem };
}

/** Device `id` over MQTT with its own certificate (client id = CN). */
async function device(t: Cleanup, url: string, id: string): Promise<{ client: MqttClient; closed: Promise<void> }> {
  return mqttClient(t, url, { clientId: id, ...(await tlsAs(id)) });
}

/** How an MQTT connect ends: 'connected', the first error's code, or 'closed' (closed with neither). */
function mqttAttempt(url: string, options: IClientOptions): Promise<string | number> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    let settled = false;
    // mqtt.js has listeners of its own: add, never remove.
    const settle = (outcome: string | number): void => {
      if (settled) return;
      settled = true;
      client.end(true);
      resolve(outcome);
    };
    client.on('connect', () => settle('connected'));
    client.on('error', (err: Error & { code?: string | number }) => settle(err.code ?? err.message));
    client.on('close', () => settle('closed'));
  });
}

function nextMessage(client: MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) => client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
}

async function roomMember(t: Cleanup, url: string, room: string, options: object = {}): Promise<WsInbox> {
  const inbox = await WsInbox.open(url, options);
  t.after(() => inbox.close());
  inbox.send(JSON.stringify({ type: 'join', room }));
  assert.match(await inbox.next(), /"type":"joined"/);
  return inbox;
}

// --- serving ---------------------------------------------------------------------------------

test('binds the three TLS listeners on free ports besides the plain ones', BOUND, async (t) => {
  const target = await started(t);
  const { mqtt: tcp, mqttWs, rooms, mqtts, mqttWss, roomsWss } = target.ports;
  for (const p of [mqtts, mqttWss, roomsWss]) assert.ok(p !== undefined && p > 0 && p <= 65535);
  assert.equal(new Set([tcp, mqttWs, rooms, mqtts, mqttWss, roomsWss]).size, 6);
});

test('mTLS: MQTT over TLS and MQTT over WSS share topics with plain TCP; stats count TLS clients', BOUND, async (t) => {
  const target = await started(t);
  const u = urls(target);
  const tlsDevice = await device(t, u.mqtts, 'dev-1');
  const wssDevice = await device(t, u.mqttWss, 'dev-2');
  const plain = await mqttClient(t, u.tcp);
  await tlsDevice.client.subscribeAsync('fleet/#');
  await plain.client.subscribeAsync('cmd/#');

  let received = nextMessage(tlsDevice.client);
  await plain.client.publishAsync('fleet/a', 'tcp to tls');
  assert.deepEqual(await received, { topic: 'fleet/a', payload: 'tcp to tls' });
  received = nextMessage(tlsDevice.client);
  await wssDevice.client.publishAsync('fleet/b', 'wss to tls');
  assert.deepEqual(await received, { topic: 'fleet/b', payload: 'wss to tls' });
  received = nextMessage(plain.client);
  await tlsDevice.client.publishAsync('cmd/c', 'tls to tcp');
  assert.deepEqual(await received, { topic: 'cmd/c', payload: 'tls to tcp' });

  const stats = target.stats();
  assert.equal(stats.mqttClients, 3);
  assert.equal(stats.mqttPublishesIn, 3);
});

test('WSS rooms share the room registry with plain WS: a broadcast reaches members on both', BOUND, async (t) => {
  const target = await started(t);
  const u = urls(target);
  const secure = await roomMember(t, u.roomsWss, 'room-1', await tlsAs('dev-3'));
  const plain = await roomMember(t, u.rooms, 'room-1');
  const frame = JSON.stringify({ type: 'broadcast', id: 'dev-3', k: 'k', seq: 1, ts: 0 });
  secure.send(frame);
  assert.equal(await plain.next(), frame);
  assert.equal(await secure.next(), frame); // the sender is a member too
  assert.deepEqual([target.stats().wsClients, target.stats().rooms], [2, 1]);
});

// --- mutual TLS refusals ---------------------------------------------------------------------

test('mTLS refusals: no certificate, expired, unknown CA, wrong CN each fail their own way', BOUND, async (t) => {
  const target = await started(t);
  const { mqtts } = urls(target);
  const as = async (variant: CertVariant) => ({ clientId: 'dev-9', ...(await tlsAs('dev-9', variant)) });
  // No certificate: OpenSSL refuses in the handshake with the TLS 1.3 certificate_required alert.
  assert.equal(await mqttAttempt(mqtts, { clientId: 'dev-9', ca }), 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  // Expired / unknown CA / wrong CN: the handshake completes (Node's TLS server cannot send
  // those alerts), and the broker refuses the CONNECT with a code of its own for each.
  for (const url of [mqtts, urls(target).mqttWss]) {
    assert.equal(await mqttAttempt(url, await as('unknown-ca')), 4, `${url}: unknown CA → bad user name or password`);
    assert.equal(await mqttAttempt(url, await as('expired')), 5, `${url}: expired → not authorized`);
    assert.equal(await mqttAttempt(url, await as('wrong-cn')), 2, `${url}: CN not the client id → identifier rejected`);
  }
  // The same certificate with the client id it names is accepted.
  assert.equal(await mqttAttempt(mqtts, { clientId: 'not-dev-9', ...(await tlsAs('dev-9', 'wrong-cn')) }), 'connected');
  await waitFor('the accepted client gone', () => target.stats().mqttClients === 0);
});

test('mTLS on WSS: a room client without a certificate is refused in the handshake', BOUND, async (t) => {
  const target = await started(t);
  const refused = await WsInbox.open(urls(target).roomsWss, { ca }).then(
    () => 'accepted',
    (err: NodeJS.ErrnoException) => err.code,
  );
  assert.equal(refused, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  // Rooms have no client id: a certificate from an unknown CA or an expired one is refused at the upgrade.
  const status = (variant: CertVariant) =>
    tlsAs('dev-9', variant).then((opts) => WsInbox.open(urls(target).roomsWss, opts).then(() => 'accepted', (err: Error) => err.message));
  assert.match(await status('unknown-ca'), /Unexpected server response: 401/);
  assert.match(await status('expired'), /Unexpected server response: 403/);
});

test('clientCerts none: server-authenticated TLS, clients without certificates connect; no CN check', BOUND, async (t) => {
  const target = await started(t, 'none');
  const u = urls(target);
  assert.equal(await mqttAttempt(u.mqtts, { clientId: 'anon', ca }), 'connected');
  assert.equal(await mqttAttempt(u.mqttWss, { clientId: 'anon', ca }), 'connected');
  assert.equal(await mqttAttempt(u.mqtts, { clientId: 'dev-9', ...(await tlsAs('dev-9', 'wrong-cn')) }), 'connected');
  await roomMember(t, u.roomsWss, 'room-2', { ca });
  assert.equal(target.stats().wsClients, 1);
});

test('a directory that is not a test PKI fails the start with the PKI error', BOUND, async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'fleetsim-nopki-'));
  t.after(() => rm(empty, { recursive: true, force: true }));
  await assert.rejects(
    startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 }, tls: { pki: empty, clientCerts: 'require' } }),
    /is not a test PKI \(missing ca\.pem, ca-key\.pem, server\.pem, server-key\.pem, pki\.json\): create one with "fleetsim certs init/,
  );
  await assert.rejects(
    startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 }, tls: { pki: pkiDir, clientCerts: 'maybe' as never } }),
    /tls\.clientCerts: expected require or none, got "maybe"/,
  );
});

// --- knobs on TLS clients ----------------------------------------------------------------------

test('kick and pause-reading reach TLS clients; restart drops them and serves TLS again on the same ports', BOUND, async (t) => {
  const target = await started(t);
  const u = urls(target);
  const before = { ...target.ports };
  const a = await device(t, u.mqtts, 'dev-1');
  const b = await device(t, u.mqttWss, 'dev-2');
  const room = await roomMember(t, u.roomsWss, 'room-1', await tlsAs('dev-3'));
  assert.deepEqual(await target.fault({ kind: 'pause-reading', ms: 50 }), { affected: 3 });
  assert.deepEqual(await target.fault({ kind: 'kick', percent: 100 }), { affected: 3 });
  await Promise.all([a.closed, b.closed, room.closed]);
  await waitFor('kicked clients gone', () => target.stats().mqttClients === 0 && target.stats().wsClients === 0);

  const c = await device(t, u.mqtts, 'dev-1');
  const d = await device(t, u.mqttWss, 'dev-2');
  assert.deepEqual(await target.fault({ kind: 'restart' }), { affected: 2 });
  await Promise.all([c.closed, d.closed]);
  assert.deepEqual(target.ports, before);
  const e = await device(t, u.mqtts, 'dev-1');
  const plain = await mqttClient(t, u.tcp);
  await e.client.subscribeAsync('after/restart');
  const received = nextMessage(e.client);
  await plain.client.publishAsync('after/restart', 'shared still');
  assert.deepEqual(await received, { topic: 'after/restart', payload: 'shared still' });
  await roomMember(t, u.roomsWss, 'room-1', await tlsAs('dev-3'));
  assert.deepEqual([target.stats().mqttClients, target.stats().wsClients], [2, 1]);
});

test('accept rate on TLS listeners: MQTT/TLS refused before the handshake, WSS upgrades get 503', BOUND, async (t) => {
  const target = await started(t, 'none', { acceptRate: 1 });
  const u = urls(target);
  const counts = tally((await Promise.all(Array.from({ length: 6 }, () => mqttAttempt(u.mqtts, { ca })))).map(String));
  assert.ok((counts.connected ?? 0) >= 1 && (counts.connected ?? 0) < 6, JSON.stringify(counts));
  // Refused at accept: the TCP connection is closed before any TLS byte, which the client reports as a reset.
  const refused = Object.entries(counts).filter(([outcome]) => outcome !== 'connected');
  for (const [outcome] of refused) assert.equal(outcome, 'ECONNRESET');
  const wss = await Promise.all(Array.from({ length: 4 }, () => WsInbox.open(u.roomsWss, { ca }).then((r) => (r.close(), 'accepted'), (err: Error) => err.message)));
  assert.ok(wss.includes('Unexpected server response: 503'), JSON.stringify(wss));
  assert.ok((target.stats().refusedByRate ?? 0) >= 6 - (counts.connected ?? 0));
});

test('overload counts attempts on a TLS listener and sheds its clients', BOUND, async (t) => {
  const target = await started(t, 'require', { overload: { attemptsPerSec: 3, shedPercent: 100 } });
  const u = urls(target);
  const victim = await device(t, u.mqtts, 'dev-1');
  const bystander = await mqttClient(t, u.tcp);
  // Attempts alone count, TLS or not: bare TCP connects to the MQTT/TLS port.
  await Promise.all(Array.from({ length: 10 }, () => tcpConnectOutcome(target.ports.mqtts!)));
  await victim.closed;
  assert.ok((target.stats().shedByOverload ?? 0) >= 1);
  assert.equal(bystander.client.connected, true);
});

test('the backpressure cap drops a WSS room member that stopped reading', BOUND, async (t) => {
  const target = await started(t, 'require', { maxClientBuffer: 256 * 1024 });
  const u = urls(target);
  const slow = await roomMember(t, u.roomsWss, 'room-bp', await tlsAs('dev-4'));
  let dropped = false;
  void slow.closed.then(() => (dropped = true));
  stopReading(socketOf(slow.ws)); // the TLS socket's handle: nothing more is read from the kernel
  const sender = await roomMember(t, u.rooms, 'room-bp');
  const frame = JSON.stringify({ type: 'broadcast', id: 's', k: 'k', seq: 0, ts: 0, p: 'x'.repeat(64 * 1024) });
  // One frame at a time, each awaited on the sender's own copy: only the slow member falls behind.
  for (let sent = 0; !dropped && sent < 1000; sent++) {
    sender.send(frame);
    await sender.next();
  }
  await waitFor('the slow member dropped', () => target.stats().droppedSlowClients === 1);
  assert.equal(target.stats().wsClients, 1);
});

test('stop closes the TLS clients and every TLS listener', BOUND, async (t) => {
  const target = await started(t);
  const u = urls(target);
  const client = await device(t, u.mqtts, 'dev-1');
  await target.stop();
  await client.closed;
  for (const port of [target.ports.mqtts!, target.ports.mqttWss!, target.ports.roomsWss!]) {
    assert.equal(await tcpConnectOutcome(port), 'ECONNREFUSED');
  }
});
