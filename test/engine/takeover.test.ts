// A second connection with a device's client id makes the broker close the device's own. Under
// MQTT 5 a broker says why (DISCONNECT 0x8E, "Session taken over"), counted as `takeover`;
// mosquitto does so from 2.0.15 on (eclipse-mosquitto/mosquitto#2607), Debian's 2.0.11 just
// closes, as every broker does under MQTT 3.1.1: a bare close, which stays `server-close`.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { loadMqttJs } from '../../src/engine/adapters/mqtt-adapter.ts';
import { encodePacket, type MqttVersion } from '../../src/engine/adapters/mqtt-frames.ts';
import { startHost } from '../helpers/host-harness.ts';
import { startDisconnectingBroker } from '../helpers/hostile-servers.ts';
import { mosquittoVersion, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/ports.ts';

let broker: Mosquitto;
before(async () => {
  await loadMqttJs();
  broker = await startMosquitto();
});
after(async () => {
  await broker?.stop();
});

/** Connects as `clientId` and resolves on the CONNACK, with the socket (to close afterwards). */
async function connectAs(clientId: string, version: MqttVersion): Promise<net.Socket> {
  const socket = net.createConnection({ host: '127.0.0.1', port: broker.port });
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no CONNACK for ${clientId}`)), 10_000);
    socket.once('connect', () => socket.write(encodePacket({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clean: true, clientId, keepalive: 0 }, version)));
    socket.on('data', (data) => {
      if (data[0] >> 4 !== 2) return;
      clearTimeout(deadline);
      resolve();
    });
    socket.once('error', reject);
  });
  return socket;
}

/** mosquitto tells an MQTT 5 client it was taken over from 2.0.15 on. */
function mosquittoSaysTakeover(): boolean {
  const [major, minor, patch] = mosquittoVersion();
  return major > 2 || (major === 2 && (minor > 0 || patch >= 15));
}

const oneDevice = (url: string, clientId: string, version: MqttVersion, client: 'lean' | 'mqtt.js') => startHost({
  target: 'external',
  ramp: 0,
  groups: [
    {
      protocol: 'mqtt',
      url,
      count: 1,
      clientId,
      mqtt: { version: version === 5 ? '5' : '3.1.1', client },
      timers: { heartbeat: 'off', status: 'off', ping: { every: '30s' } },
      reconnect: { policy: 'none' },
    },
  ],
});

for (const client of ['lean', 'mqtt.js'] as const) {
  test(`MQTT 5, ${client} client: a broker's DISCONNECT 0x8E (session taken over) is counted as takeover`, async () => {
    const takingOver = await startDisconnectingBroker(0x8e);
    const h = oneDevice(`mqtt://127.0.0.1:${takingOver.port}`, `told-${client}`, 5, client);
    try {
      await waitFor('the device dropped', () => h.merger.totals.disconnects === 1, 10_000, () => JSON.stringify(h.merger.disconnectReasons));
      assert.deepEqual(h.merger.disconnectReasons, { takeover: 1 });
      assert.equal(h.host.deviceLog(0, 0)?.device.lastReason, 'takeover');
    } finally {
      await h.stop();
      await takingOver.stop();
    }
  });
}

const cases = (['lean', 'mqtt.js'] as const).flatMap((client) => [
  { version: 5 as const, client },
  { version: 4 as const, client },
]);

for (const { version, client } of cases) {
  test(`MQTT ${version === 5 ? '5' : '3.1.1'}, ${client} client: a device whose client id mosquitto hands to another connection drops as what mosquitto says`, async () => {
    const reason = version === 5 && mosquittoSaysTakeover() ? 'takeover' : 'server-close';
    const clientId = `twin-${client}-${version}`;
    const h = oneDevice(`mqtt://127.0.0.1:${broker.port}`, clientId, version, client);
    const state = () => JSON.stringify({ gauges: h.merger.gauges(), drops: h.merger.disconnectReasons, failures: h.merger.failureReasons });
    let twin: net.Socket | undefined;
    try {
      await waitFor('the device online', () => h.merger.gauges().online === 1, 10_000, state);
      twin = await connectAs(clientId, version);
      await waitFor('the device dropped', () => h.merger.totals.disconnects === 1, 10_000, state);
      assert.deepEqual(h.merger.disconnectReasons, { [reason]: 1 });
      assert.equal(h.host.deviceLog(0, 0)?.device.lastReason, reason);
    } finally {
      twin?.destroy();
      await h.stop();
    }
  });
}
