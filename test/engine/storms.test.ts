// Storm actions inside a host: drops (clean, reset, half-open) and network blips, and how the
// devices notice and come back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HostStorm } from '../../src/contract/host-protocol.ts';
import { startEmbeddedTarget, type EmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { startHost, type HostHarness } from '../helpers/host-harness.ts';
import { waitFor } from '../helpers/ports.ts';

let target: EmbeddedTarget;

function fleet(protocol: 'mqtt' | 'ws', count: number, ping = '1s'): HostHarness {
  return startHost({
    target: 'external',
    ramp: 0,
    groups: [
      {
        name: protocol,
        protocol,
        url: protocol === 'mqtt' ? `mqtt://127.0.0.1:${target.ports.mqtt}` : `ws://127.0.0.1:${target.ports.rooms}/`,
        count,
        timers: { heartbeat: { every: '200ms' }, status: 'off', ping: { every: ping } },
        reconnect: { policy: 'fixed', base: '200ms', jitter: 'full' },
      },
    ],
  });
}

function storm(h: HostHarness, s: HostStorm): number {
  let affected = -1;
  const emit = (h.host as unknown as { emit: (e: { type: string; affected?: number }) => void }).emit;
  (h.host as unknown as { emit: typeof emit }).emit = (e) => {
    if (e.type === 'storm-done') affected = e.affected ?? -1;
    else emit(e);
  };
  h.host.handle({ type: 'storm', reqId: 1, storm: s });
  (h.host as unknown as { emit: typeof emit }).emit = emit;
  return affected;
}

describe('storms inside a host', () => {
  before(async () => {
    target = await startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } });
  });
  after(async () => target?.stop());

  test('drop 50% (close): half the devices leave, are counted as storm-close, and come back', async () => {
    const h = fleet('mqtt', 20);
    try {
      await waitFor('20 online', () => h.merger.gauges().online === 20);
      assert.equal(storm(h, { kind: 'drop', percent: 50, mode: 'close' }), 10);
      await waitFor('10 dropped and all back', () => h.merger.disconnectReasons['storm-close'] === 10 && h.merger.gauges().online === 20 && h.merger.totals.connects === 30);
    } finally {
      await h.stop();
    }
  });

  test('drop 100% (destroy) of WebSocket devices: reset, counted as storm-reset, back again', async () => {
    const h = fleet('ws', 8);
    try {
      await waitFor('8 online', () => h.merger.gauges().online === 8);
      assert.equal(storm(h, { kind: 'drop', percent: 100, mode: 'destroy' }), 8);
      await waitFor('all reset and back', () => h.merger.disconnectReasons['storm-reset'] === 8 && h.merger.totals.connects === 16 && h.merger.gauges().online === 8);
    } finally {
      await h.stop();
    }
  });

  for (const protocol of ['mqtt', 'ws'] as const) {
    test(`half-open ${protocol} devices are found by keepalive, not by a close`, async () => {
      const h = fleet(protocol, 6);
      try {
        await waitFor('6 online', () => h.merger.gauges().online === 6);
        assert.equal(storm(h, { kind: 'drop', percent: 100, mode: 'half-open' }), 6);
        const reason = protocol === 'mqtt' ? 'keepalive-timeout' : 'ping-timeout';
        await waitFor(`6 drops by ${reason}`, () => h.merger.disconnectReasons[reason] === 6, 15_000, () => JSON.stringify(h.merger.disconnectReasons));
        await waitFor('all back online', () => h.merger.gauges().online === 6 && h.merger.totals.connects === 12);
        assert.equal(h.merger.disconnectReasons['storm-close'], undefined);
      } finally {
        await h.stop();
      }
    });
  }

  test('a blip shorter than the keepalive grace drops nobody; traffic resumes after it', async () => {
    const h = fleet('mqtt', 10, '10s');
    try {
      await waitFor('10 online', () => h.merger.gauges().online === 10);
      assert.equal(storm(h, { kind: 'blip', ms: 500 }), 10);
      const sentAtBlip = h.merger.totals.sentHeartbeat;
      await waitFor('heartbeats flowing again', () => h.merger.totals.sentHeartbeat >= sentAtBlip + 20);
      assert.equal(h.merger.totals.disconnects, 0);
    } finally {
      await h.stop();
    }
  });

  test('a blip longer than the keepalive grace turns into a mass disconnect', async () => {
    const h = fleet('mqtt', 10, '1s');
    try {
      await waitFor('10 online', () => h.merger.gauges().online === 10);
      assert.equal(storm(h, { kind: 'blip', ms: 4000 }), 10);
      await waitFor('every device timed out', () => h.merger.disconnectReasons['keepalive-timeout'] === 10, 15_000, () => JSON.stringify(h.merger.disconnectReasons));
      await waitFor('all back', () => h.merger.gauges().online === 10);
    } finally {
      await h.stop();
    }
  });
});
