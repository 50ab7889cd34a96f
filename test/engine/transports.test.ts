// One device suite, run against every transport: MQTT over TCP and WebSocket (embedded aedes
// and Debian's mosquitto, MQTT 3.1.1 and 5) with both MQTT clients (lean and mqtt.js), and raw
// WebSocket devices (echo and rooms).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { loadMqttJs } from '../../src/engine/adapters/mqtt-adapter.ts';
import { startEmbeddedTarget, type EmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { startHost } from '../helpers/host-harness.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/ports.ts';

const DEVICES = 20;

interface Transport {
  name: string;
  protocol: 'mqtt' | 'ws';
  url: () => string;
  mqttVersion?: '3.1.1' | '5';
  wsSend?: 'echo' | 'broadcast';
  client?: 'lean' | 'mqtt.js';
}

let target: EmbeddedTarget;
let mosquitto: Mosquitto;

const mqttTransports: Transport[] = [
  { name: 'MQTT 3.1.1 over TCP to the embedded broker', protocol: 'mqtt', url: () => `mqtt://127.0.0.1:${target.ports.mqtt}` },
  { name: 'MQTT 3.1.1 over WebSocket to the embedded broker', protocol: 'mqtt', url: () => `ws://127.0.0.1:${target.ports.mqttWs}/mqtt` },
  { name: 'MQTT 3.1.1 over TCP to mosquitto', protocol: 'mqtt', url: () => `mqtt://127.0.0.1:${mosquitto.port}` },
  { name: 'MQTT 5 over TCP to mosquitto', protocol: 'mqtt', mqttVersion: '5', url: () => `mqtt://127.0.0.1:${mosquitto.port}` },
  { name: 'MQTT 5 over WebSocket to mosquitto', protocol: 'mqtt', mqttVersion: '5', url: () => `ws://127.0.0.1:${mosquitto.wsPort}` },
];
const transports: Transport[] = [
  ...(['lean', 'mqtt.js'] as const).flatMap((client) => mqttTransports.map((t) => ({ ...t, client, name: `${t.name} (${client} client)` }))),
  { name: 'WebSocket echo to the embedded room server', protocol: 'ws', wsSend: 'echo', url: () => `ws://127.0.0.1:${target.ports.rooms}/` },
  { name: 'WebSocket rooms with broadcast', protocol: 'ws', wsSend: 'broadcast', url: () => `ws://127.0.0.1:${target.ports.rooms}/` },
];

function scenarioFor(t: Transport): ScenarioInput {
  return {
    target: 'external',
    ramp: 0,
    groups: [
      {
        name: 'suite',
        protocol: t.protocol,
        url: t.url(),
        count: DEVICES,
        clientId: `suite-${t.protocol}-{index}`,
        mqtt: { version: t.mqttVersion ?? '3.1.1', qos: 1, subscribe: ['devices/{id}/heartbeat'], client: t.client ?? 'lean' },
        ws: { send: t.wsSend ?? 'echo', roomSize: 5 },
        timers: {
          heartbeat: { every: '200ms', bytes: 20 },
          status: { every: '300ms', bytes: 300 },
          ping: { every: '1s' },
        },
      },
    ],
  };
}

describe('device suite, every transport', () => {
  before(async () => {
    await loadMqttJs();
    target = await startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } });
    mosquitto = await startMosquitto();
  });
  after(async () => {
    await target?.stop();
    await mosquitto?.stop();
  });

  for (const t of transports) {
    test(t.name, async () => {
      const h = startHost(scenarioFor(t));
      try {
        const m = h.merger;
        await waitFor('every device online', () => m.gauges().online === DEVICES, 15_000, () => JSON.stringify({ gauges: m.gauges(), failures: m.failureReasons }));
        await waitFor('heartbeats, status reports and their answers', () => {
          const c = m.totals;
          const answered = t.protocol === 'mqtt' ? c.pubacks >= DEVICES * 2 && c.received >= DEVICES : m.latency().echo.count >= DEVICES;
          return c.sentHeartbeat >= DEVICES * 2 && c.sentStatus >= DEVICES && answered;
        });
        await waitFor('a protocol ping answered', () => m.latency().ping.count > 0);

        const lat = m.latency();
        assert.equal(lat.connect.count, DEVICES, 'one transport connect per device');
        if (t.protocol === 'mqtt') {
          assert.equal(lat.connack.count, DEVICES, 'one CONNACK per device');
          assert.ok(lat.puback.count >= DEVICES * 2, 'QoS 1 publishes are acknowledged');
        } else if (t.wsSend === 'broadcast') {
          assert.ok(lat.delivery.count > 0, 'room members receive each other\'s broadcasts');
        }
        assert.ok(m.totals.bytesSent >= m.totals.sentHeartbeat * 20, 'payload bytes are counted');

        const log = h.host.deviceLog(0, 3);
        assert.ok(log, 'device 3 has a log');
        assert.equal(log.device.id, `suite-${t.protocol}-3`);
        assert.equal(log.device.state, 'online');
        assert.deepEqual(
          log.events.slice(0, 3).map((e) => e.kind),
          ['connecting', 'connected', 'online'],
        );
        assert.ok(log.device.sent > 0);
      } finally {
        await h.stop();
      }
      const m = h.merger;
      assert.equal(m.gauges().stopped, DEVICES, 'every device stopped');
      assert.equal(m.totals.disconnects, 0, `no device dropped: ${JSON.stringify(m.disconnectReasons)}`);
      assert.equal(m.totals.connectFailures, 0, `no attempt failed: ${JSON.stringify(m.failureReasons)}`);
    });
  }

  test('the embedded target sees every device leave on stop', async () => {
    await waitFor('no clients left on the embedded target', () => target.stats().mqttClients === 0 && target.stats().wsClients === 0, 5000);
  });
});
