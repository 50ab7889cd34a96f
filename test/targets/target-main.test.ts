// The target as a child process, driven through the fleet launcher like the controller does.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { constants, getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import type { Scenario } from '../../src/contract/scenario.ts';
import type { TargetCommand, TargetEvent, TargetOptions } from '../../src/contract/target.ts';
import { launchEmbeddedTarget, resolveEmbeddedUrls } from '../../src/fleet/embedded-target-process.ts';
import { ChildProcessLauncher, entryPath } from '../../src/fleet/launcher.ts';
import type { ChildHandle } from '../../src/fleet/launcher.ts';
import { DeviceCertStore } from '../../src/pki/device-certs.ts';
import { initTestPki } from '../../src/pki/test-pki.ts';
import { mqttOutcome, sleep, tally, tcpConnectOutcome, wsOutcome } from './helpers.ts';

const ANY_PORTS: TargetOptions = { host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } };
const BOUND = { timeout: 20_000 };

/** Launches the target child and records its events and exit, for awaiting in order. */
function launch(t: { after(fn: () => unknown): void }) {
  const child: ChildHandle<TargetCommand, TargetEvent> = new ChildProcessLauncher().launch('target', 't');
  t.after(() => child.kill()); // no-op once it exited
  const events: TargetEvent[] = [];
  const waiters: Array<() => void> = [];
  child.onMessage((e) => {
    events.push(e);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.onExit((code, signal) => resolve({ code, signal })),
  );
  /** The first event of this type (and satisfying `match`), whenever it arrived; bounded by the test timeout. */
  const event = async <T extends TargetEvent['type']>(
    type: T,
    match: (e: Extract<TargetEvent, { type: T }>) => boolean = () => true,
  ): Promise<Extract<TargetEvent, { type: T }>> => {
    for (;;) {
      const found = events.find((e): e is Extract<TargetEvent, { type: T }> => e.type === type && match(e as never));
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { child, event, exited };
}

test('start, ready with bound ports, stats, stop, stopped, exit 0', BOUND, async (t) => {
  const { child, event, exited } = launch(t);
  child.send({ type: 'start', options: ANY_PORTS });
  const ready = await event('ready');
  assert.equal(ready.pid, child.pid);
  for (const port of Object.values(ready.ports)) assert.ok(port > 0);
  // Below normal priority, so a generator on the same box keeps its schedule.
  assert.equal(getPriority(ready.pid), constants.priority.PRIORITY_BELOW_NORMAL);

  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ready.ports.mqtt}`, { reconnectPeriod: 0 });
  t.after(() => client.end(true));
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  const stats = await event('stats', (e) => e.stats.mqttClients === 1);
  assert.equal(stats.stats.wsClients, 0);

  child.send({ type: 'stop' });
  await event('stopped');
  assert.deepEqual(await exited, { code: 0, signal: null });
  await closed;
  assert.equal(await tcpConnectOutcome(ready.ports.mqtt), 'ECONNREFUSED');
});

test('a start that cannot listen reports fatal and exits 1', BOUND, async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const taken = (blocker.address() as AddressInfo).port;

  const { child, event, exited } = launch(t);
  child.send({ type: 'start', options: { host: '127.0.0.1', ports: { mqtt: 0, mqttWs: taken, rooms: 0 } } });
  const fatal = await event('fatal');
  assert.match(fatal.message, new RegExp(`MQTT/WebSocket listener: port ${taken} is already in use`));
  assert.deepEqual(await exited, { code: 1, signal: null });
});

test('the target exits when its parent disconnects (no orphan)', BOUND, async (t) => {
  // Forked directly: the launcher's handle does not expose disconnect.
  const child = fork(entryPath('target'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.after(() => child.kill('SIGKILL'));
  const exited = once(child, 'exit');
  child.send({ type: 'start', options: ANY_PORTS } satisfies TargetCommand);
  const [ready] = (await once(child, 'message')) as [TargetEvent];
  assert.equal(ready.type, 'ready');
  child.disconnect();
  const [code, signal] = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0);
});

// --- through the parent-side handle (launchEmbeddedTarget), as the fleet controller drives it ---

test('launchEmbeddedTarget handle: kick fault, fault errors, set-accept-rate, restart', BOUND, async (t) => {
  const target = await launchEmbeddedTarget(new ChildProcessLauncher());
  t.after(() => target.stop());
  const url = `mqtt://127.0.0.1:${target.ports.mqtt}`;
  const clients = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
      t.after(() => client.end(true));
      client.on('error', () => {});
      return client;
    }),
  );
  let closed = 0;
  for (const c of clients) c.once('close', () => closed++);

  assert.deepEqual(await target.fault({ kind: 'kick', percent: 50 }), { affected: 3 });
  while (closed < 3) await sleep(10);
  assert.equal(clients.filter((c) => c.connected).length, 3);

  await assert.rejects(target.fault({ kind: 'pause-reading', ms: 700_000 }), {
    message: 'pause-reading: ms must be 0-600000, got 700000',
  });

  target.setAcceptRate(1);
  const counts = tally(await Promise.all(Array.from({ length: 6 }, () => mqttOutcome(url))));
  assert.ok((counts.refused ?? 0) >= 1, JSON.stringify(counts));
  // Stats arrive twice a second.
  while ((target.lastStats?.refusedByRate ?? 0) < (counts.refused ?? 0)) await sleep(50);
  assert.throws(() => target.setAcceptRate(-1), RangeError);
  target.setAcceptRate(0);

  const ports = { ...target.ports };
  // The probe clients above have closed; once the target has seen that, the 3 survivors are all it has.
  while (target.lastStats?.mqttClients !== 3) await sleep(50);
  assert.deepEqual(await target.fault({ kind: 'restart' }), { affected: 3 });
  while (clients.some((c) => c.connected)) await sleep(10);
  assert.deepEqual(target.ports, ports);
  assert.equal(await mqttOutcome(url), 'accepted');
});

test('launchEmbeddedTarget passes acceptRate at start; a fault on an exited target rejects', BOUND, async (t) => {
  const target = await launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', { mqtt: 0, mqttWs: 0, rooms: 0 }, 2);
  t.after(() => target.stop());
  const began = performance.now();
  const counts = tally(await Promise.all(Array.from({ length: 10 }, () => wsOutcome(`ws://127.0.0.1:${target.ports.rooms}/`))));
  const accepted = counts.accepted ?? 0;
  assert.ok(accepted >= 1 && accepted <= (2 * (performance.now() - began)) / 1000 + 2, JSON.stringify(counts));
  assert.equal(counts['Unexpected server response: 503'], 10 - accepted);

  await target.stop();
  await assert.rejects(target.fault({ kind: 'kick', percent: 1 }), /not running/);
  await assert.rejects(launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', undefined, -1), RangeError);
});

test('fault before start and an unknown fault are answered with errors', BOUND, async (t) => {
  const { child, event } = launch(t);
  child.send({ type: 'fault', reqId: 1, fault: { kind: 'kick', percent: 10 } });
  assert.deepEqual(await event('fault-done', (e) => e.reqId === 1), { type: 'fault-done', reqId: 1, affected: 0, error: 'the target has not been started' });
  child.send({ type: 'start', options: ANY_PORTS });
  child.send({ type: 'fault', reqId: 2, fault: { kind: 'boom' } as never });
  assert.deepEqual(await event('fault-done', (e) => e.reqId === 2), { type: 'fault-done', reqId: 2, affected: 0, error: 'unknown fault "boom"' });
  child.send({ type: 'fault', reqId: 3, fault: { kind: 'pause-reading', ms: 10 } });
  assert.deepEqual(await event('fault-done', (e) => e.reqId === 3), { type: 'fault-done', reqId: 3, affected: 0 });
  child.send({ type: 'stop' });
  await event('stopped');
});

// --- TLS through the process ---------------------------------------------------------------------

test('a start with a directory that is not a test PKI reports the PKI error as fatal', BOUND, async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'fleetsim-nopki-'));
  t.after(() => rm(empty, { recursive: true, force: true }));
  const { child, event, exited } = launch(t);
  child.send({ type: 'start', options: { ...ANY_PORTS, tls: { pki: empty, clientCerts: 'require' } } });
  assert.match((await event('fatal')).message, /is not a test PKI \(missing ca\.pem.*\): create one with "fleetsim certs init/);
  assert.deepEqual(await exited, { code: 1, signal: null });
  await assert.rejects(launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', undefined, undefined, undefined, undefined, { pki: empty, clientCerts: 'require' }), /^Error: embedded target: .* is not a test PKI/);
});

test('launchEmbeddedTarget with tls: TLS ports in ready, embedded TLS URLs resolve to them', BOUND, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fleetsim-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pki = await initTestPki(dir);
  await assert.rejects(launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', undefined, undefined, undefined, undefined, { pki: dir, clientCerts: 'all' as never }), RangeError);
  const target = await launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', undefined, undefined, undefined, undefined, { pki: dir, clientCerts: 'require' });
  t.after(() => target.stop());
  const { mqtts, mqttWss, roomsWss } = target.ports;
  for (const port of [mqtts, mqttWss, roomsWss]) assert.ok(port !== undefined && port > 0);

  const groups = ['embedded:mqtts', 'embedded:mqtt-wss', 'embedded:wss', 'embedded:mqtt'].map((url, i) => ({ name: `g${i}`, url }));
  const scenario = { groups } as unknown as Scenario;
  assert.deepEqual(
    resolveEmbeddedUrls(scenario, target.ports).groups.map((g) => g.url),
    [`mqtts://127.0.0.1:${mqtts}`, `wss://127.0.0.1:${mqttWss}/mqtt`, `wss://127.0.0.1:${roomsWss}/?device={id}`, `mqtt://127.0.0.1:${target.ports.mqtt}`],
  );
  assert.throws(() => resolveEmbeddedUrls(scenario, { mqtt: 1, mqttWs: 2, rooms: 3 }), /group g0 uses embedded:mqtts, but the embedded target was started without TLS/);

  const pem = await readFile(await new DeviceCertStore(pki, 'valid').ensure('dev-1'));
  const ca = await readFile(pki.files.ca);
  const client = await mqtt.connectAsync(resolveEmbeddedUrls(scenario, target.ports).groups[0].url, { reconnectPeriod: 0, clientId: 'dev-1', ca, cert: pem, key: pem });
  t.after(() => client.end(true));
  while (target.lastStats?.mqttClients !== 1) await sleep(50);
});
