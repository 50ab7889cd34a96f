// Connect attempts a device gives up (no CONNACK in time, or a stop while connecting) leave
// nothing behind at the broker. A frozen mosquitto (SIGSTOP) still completes TCP handshakes in
// the kernel and queues the CONNECTs; when it runs again it must not register an abandoned
// CONNECT, which the device's retry with the same client id would then take over (or which
// would kick the retry that already got in).
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { test } from 'node:test';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { loadMqttJs } from '../../src/engine/adapters/mqtt-adapter.ts';
import { encodePacket } from '../../src/engine/adapters/mqtt-frames.ts';
import { connectTlsOverTcp, resetSocket } from '../../src/engine/adapters/socket-reset.ts';
import { startHost } from '../helpers/host-harness.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/ports.ts';

const DEVICES = 20;
/** However a test ends, mosquitto runs again after this long. */
const FREEZE_LIMIT_MS = 20_000;

/** Stops mosquitto until thaw() (called at the latest after FREEZE_LIMIT_MS). */
function freeze(broker: Mosquitto): { thaw: () => void } {
  process.kill(broker.pid, 'SIGSTOP');
  const thaw = () => {
    clearTimeout(limit);
    try {
      process.kill(broker.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  };
  const limit = setTimeout(thaw, FREEZE_LIMIT_MS);
  return { thaw };
}

/**
 * Connects a client of our own and resolves on its CONNACK. mosquitto accepts in order, so
 * once it answers this one it has taken every connection queued before it.
 */
async function sentinel(broker: Mosquitto): Promise<void> {
  const socket = net.createConnection({ host: '127.0.0.1', port: broker.port });
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('no CONNACK for the sentinel client')), 10_000);
      socket.once('connect', () => socket.write(encodePacket({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'sentinel', keepalive: 0 }, 4)));
      socket.on('data', (data) => {
        if (data[0] >> 4 !== 2) return;
        clearTimeout(deadline);
        resolve();
      });
      socket.once('error', reject);
    });
  } finally {
    socket.destroy();
  }
}

const takeovers = (broker: Mosquitto) => broker.log.filter((line) => line.includes('already connected, closing old connection'));
/** Client ids mosquitto registered (a CONNECT it took), one entry per registration. */
const registered = (broker: Mosquitto) => broker.log.flatMap((line) => / as (dev-\d+) \(/.exec(line)?.[1] ?? []);

function scenario(broker: Mosquitto, mqtt: Record<string, unknown>): ScenarioInput {
  return {
    target: 'external',
    ramp: 0,
    groups: [
      {
        protocol: 'mqtt',
        url: `mqtt://127.0.0.1:${broker.port}`,
        count: DEVICES,
        mqtt: { connectTimeout: '400ms', ...mqtt },
        timers: { heartbeat: 'off', status: 'off', ping: { every: '30s' } },
        reconnect: { policy: 'fixed', base: '200ms', jitter: 'none' },
      },
    ],
  };
}

const variants = [
  { name: 'lean client, MQTT 3.1.1', mqtt: {} },
  { name: 'lean client, MQTT 5', mqtt: { version: 5 } },
  { name: 'mqtt.js client, MQTT 3.1.1', mqtt: { client: 'mqtt.js' } },
];

for (const variant of variants) {
  test(`timed-out attempts against a frozen broker are never taken over (${variant.name})`, async () => {
    if (variant.mqtt.client === 'mqtt.js') await loadMqttJs();
    const broker = await startMosquitto('log_type all', undefined, { captureLog: true });
    const { thaw } = freeze(broker);
    const h = startHost(scenario(broker, variant.mqtt));
    const state = () => JSON.stringify({ totals: h.merger.totals, gauges: h.merger.gauges(), failures: h.merger.failureReasons, drops: h.merger.disconnectReasons });
    try {
      // Two timed-out attempts per device queue up behind the frozen broker.
      await waitFor('two timed-out attempts per device', () => (h.merger.failureReasons['connect-timeout'] ?? 0) >= 2 * DEVICES, 15_000, state);
      thaw();
      await waitFor('every device online', () => h.merger.gauges().online === DEVICES, 15_000, state);
      await sentinel(broker);
      assert.deepEqual(takeovers(broker), [], 'mosquitto took an abandoned CONNECT and then closed it as a takeover');
      const ids = registered(broker);
      assert.equal(ids.length, DEVICES, `mosquitto registered ${ids.length} connections for ${DEVICES} devices: ${ids.join(' ')}`);
      assert.equal(new Set(ids).size, DEVICES, 'each device registered once');
      assert.equal(h.merger.totals.connects, DEVICES, state());
      assert.equal(h.merger.totals.disconnects, 0, state());
      assert.deepEqual(Object.keys(h.merger.failureReasons), ['connect-timeout'], state());
      assert.ok(h.merger.totals.connectAttempts >= 3 * DEVICES, state());
    } finally {
      thaw();
      await h.stop();
      await broker.stop();
    }
  });
}

test('a run stopped while its devices wait for CONNACK leaves no session at the broker', async () => {
  const broker = await startMosquitto('log_type all', undefined, { captureLog: true });
  const { thaw } = freeze(broker);
  const h = startHost(scenario(broker, { connectTimeout: '10s' }));
  try {
    // The transport is up for every device (the kernel accepts for the frozen broker), the CONNECT sent.
    await waitFor('every device connecting', () => h.merger.gauges().connecting === DEVICES && h.merger.totals.connectAttempts === DEVICES);
    await waitFor('every transport open', () => h.host.deviceLog(0, DEVICES - 1)?.events.some((e) => e.kind === 'connected') === true);
    for (let i = 0; i < DEVICES; i++) assert.ok(h.host.deviceLog(0, i)?.events.some((e) => e.kind === 'connected'), `device ${i} has its transport open`);
    await h.stop();
    thaw();
    await sentinel(broker);
    assert.deepEqual(registered(broker), [], 'mosquitto registered CONNECTs of devices that had stopped');
  } finally {
    thaw();
    await h.stop();
    await broker.stop();
  }
});

test('resetSocket ends a TLS connection with a RST, and a TCP one too', async () => {
  /** What the server saw on each connection: bytes read, then its error code and close. */
  const connections: { received: number; seen: string[] }[] = [];
  const server = net.createServer((s) => {
    const seen: string[] = [];
    const connection = { received: 0, seen };
    connections.push(connection);
    s.on('data', (d) => (connection.received += d.length));
    s.on('error', (err: NodeJS.ErrnoException) => seen.push(err.code ?? err.message));
    s.on('close', () => seen.push('close'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    // TLS: the handshake's ClientHello reaches the (plain TCP) server, which never answers.
    const secure = connectTlsOverTcp({ host: '127.0.0.1', port, rejectUnauthorized: false });
    secure.on('error', () => {});
    const secureClosed = new Promise<void>((r) => secure.once('close', () => r()));
    assert.ok(secure instanceof tls.TLSSocket);
    await waitFor('the ClientHello at the server', () => (connections[0]?.received ?? 0) > 0);
    assert.equal(resetSocket(secure), true);
    await waitFor('the server to see the TLS connection end', () => connections[0].seen.includes('close'));
    assert.deepEqual(connections[0].seen, ['ECONNRESET', 'close']);
    await secureClosed;
    assert.equal(resetSocket(secure), false, 'nothing left to reset');

    const plain = net.createConnection({ host: '127.0.0.1', port });
    await new Promise<void>((r) => plain.once('connect', () => r()));
    plain.write('CONNECT');
    await waitFor('the bytes at the server', () => (connections[1]?.received ?? 0) > 0);
    assert.equal(resetSocket(plain), true);
    await waitFor('the server to see the TCP connection end', () => connections[1].seen.includes('close'));
    assert.deepEqual(connections[1].seen, ['ECONNRESET', 'close']);
  } finally {
    server.close();
  }
});
