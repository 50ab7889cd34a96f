// What the lean MQTT client does beyond the transport suite, against Debian's mosquitto: QoS 1
// messages left unacknowledged by a drop are resent (DUP) into a resumed session and lost with a
// clean one; a refused CONNACK and an MQTT 5 server DISCONNECT are named by their codes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { IPublishPacket } from 'mqtt-packet';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { startHost, type HostHarness } from '../helpers/host-harness.ts';
import { startDisconnectingBroker } from '../helpers/hostile-servers.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { startMqttProxy, type MqttProxy } from '../helpers/mqtt-proxy.ts';
import { waitFor } from '../helpers/ports.ts';

let mosquitto: Mosquitto;

function group(url: string, overrides: Partial<ScenarioInput['groups'][number]> & { mqtt?: Record<string, unknown> } = {}): ScenarioInput {
  return {
    target: 'external',
    ramp: 0,
    groups: [
      {
        name: 'lean',
        protocol: 'mqtt',
        url,
        count: 1,
        clientId: 'lean-{index}',
        timers: { heartbeat: { every: '100ms', bytes: 20 }, status: 'off', ping: 'off' },
        reconnect: { policy: 'fixed', base: '200ms', jitter: 'none' },
        ...overrides,
        mqtt: { client: 'lean', qos: 1, ...overrides.mqtt },
      },
    ],
  };
}

const publishes = (packets: { cmd: string }[]) => packets.filter((p): p is IPublishPacket => p.cmd === 'publish');

/** Loses PUBACKs on the way back until 3 more messages went out, then cuts the connection. */
async function loseAcksThenCut(h: HostHarness, proxy: MqttProxy): Promise<{ sentBeforeCut: number; ackedBeforeCut: number }> {
  const sent0 = h.host.deviceLog(0, 0)!.device.sent;
  proxy.swallowDownstream = true;
  await waitFor('messages awaiting PUBACK', () => h.host.deviceLog(0, 0)!.device.sent >= sent0 + 3);
  const cut = { sentBeforeCut: publishes(proxy.fromClients).length, ackedBeforeCut: h.merger.totals.pubacks };
  proxy.swallowDownstream = false;
  proxy.cutAll();
  return cut;
}

describe('lean MQTT client', () => {
  before(async () => {
    mosquitto = await startMosquitto();
  });
  after(async () => {
    await mosquitto?.stop();
  });

  for (const version of ['3.1.1', '5'] as const) {
    test(`MQTT ${version}: unacknowledged QoS 1 messages are resent with DUP into a resumed session`, async () => {
      const proxy = await startMqttProxy(mosquitto.port, version === '5' ? 5 : 4);
      const h = startHost(group(`mqtt://127.0.0.1:${proxy.port}`, { clientId: `resume-${version}-{index}`, mqtt: { clean: false, version } }));
      try {
        const m = h.merger;
        await waitFor('online', () => m.gauges().online === 1);
        // PUBACKs get lost on the way back: messages pile up unacknowledged.
        const { sentBeforeCut, ackedBeforeCut } = await loseAcksThenCut(h, proxy);
        await waitFor('reconnected', () => m.totals.connects === 2 && m.gauges().online === 1);
        const resent = publishes(proxy.fromClients).filter((p) => p.dup);
        await waitFor('resent messages acknowledged', () => m.totals.pubacks >= sentBeforeCut);
        assert.ok(resent.length >= 3, `at least 3 PUBLISHes resent with DUP (got ${resent.length})`);
        assert.ok(resent.length <= sentBeforeCut - ackedBeforeCut, 'only unacknowledged ones are resent');
        const original = new Set(publishes(proxy.fromClients).filter((p) => !p.dup).map((p) => p.messageId));
        for (const p of resent) assert.ok(original.has(p.messageId), `resent id ${p.messageId} was sent before`);
        const log = h.host.deviceLog(0, 0)!;
        assert.equal(log.events.filter((e) => e.detail?.includes('lost')).length, 0, 'nothing reported lost');
      } finally {
        await h.stop();
        await proxy.stop();
      }
    });
  }

  test('a clean session resends nothing: what was unacknowledged is gone with the connection', async () => {
    const proxy = await startMqttProxy(mosquitto.port);
    const h = startHost(group(`mqtt://127.0.0.1:${proxy.port}`, { clientId: 'clean-{index}', mqtt: { clean: true } }));
    try {
      const m = h.merger;
      await waitFor('online', () => m.gauges().online === 1);
      const { ackedBeforeCut } = await loseAcksThenCut(h, proxy);
      await waitFor('reconnected and publishing again', () => m.totals.connects === 2 && m.totals.pubacks > ackedBeforeCut);
      assert.equal(publishes(proxy.fromClients).filter((p) => p.dup).length, 0, 'nothing resent into a new session');
    } finally {
      await h.stop();
      await proxy.stop();
    }
  });

  for (const [version, code] of [['3.1.1', 'not-authorized'], ['5', 'not-authorized']] as const) {
    test(`MQTT ${version}: a refused CONNACK fails the attempt with its code`, async () => {
      const closed = await startMosquitto('allow_anonymous false');
      const h = startHost(group(`mqtt://127.0.0.1:${closed.port}`, { mqtt: { version }, reconnect: { policy: 'none' } }));
      try {
        await waitFor('refused', () => h.merger.failureReasons[`connack-refused:${code}`] === 1, 10_000, () => JSON.stringify(h.merger.failureReasons));
        assert.equal(h.merger.totals.connects, 0);
      } finally {
        await h.stop();
        await closed.stop();
      }
    });
  }

  test('MQTT 5: a broker\'s DISCONNECT is named by its reason code', async () => {
    // 0x8B = 139: server shutting down.
    const broker = await startDisconnectingBroker(0x8b);
    const h = startHost(group(`mqtt://127.0.0.1:${broker.port}`, { count: 3, mqtt: { version: '5' }, reconnect: { policy: 'none' } }));
    try {
      await waitFor('three told to go', () => h.merger.disconnectReasons['server-disconnect:139'] === 3, 10_000, () => JSON.stringify(h.merger.disconnectReasons));
    } finally {
      await h.stop();
      await broker.stop();
    }
  });
});
