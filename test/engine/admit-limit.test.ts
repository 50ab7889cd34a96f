// The capacity search's admit limit on a real host against Debian's mosquitto: only that many
// devices make a first connect; raising it lets the next ones in; devices already admitted
// reconnect after a drop without waiting for the limit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HostEvent } from '../../src/contract/host-protocol.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { DeviceHost } from '../../src/engine/host.ts';
import { MetricsMerger } from '../../src/fleet/metrics-merger.ts';
import { shardGroups } from '../../src/fleet/sharding.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/ports.ts';

let mosquitto: Mosquitto;
before(async () => {
  mosquitto = await startMosquitto();
});
after(async () => {
  await mosquitto?.stop();
});

test('first connects wait for the admit limit; reconnects do not', async () => {
  const v = validateScenario({
    target: 'external',
    ramp: 0,
    groups: [
      { name: 'a', protocol: 'mqtt', url: `mqtt://127.0.0.1:${mosquitto.port}`, clientId: 'adm-a-{index}', count: 20, reconnect: { policy: 'exponential', base: '100ms', cap: '200ms' } },
      { name: 'b', protocol: 'mqtt', url: `mqtt://127.0.0.1:${mosquitto.port}`, clientId: 'adm-b-{index}', count: 20, reconnect: { policy: 'exponential', base: '100ms', cap: '200ms' } },
    ],
  });
  if (!v.ok) throw new Error(v.problems.join('; '));
  const merger = new MetricsMerger(Date.now());
  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));
  const host = new DeviceHost({ hostId: 0, scenario: v.scenario, shards: shardGroups(v.scenario, 1)[0], connectRate: 0, groupRates: {}, batchIntervalMs: 100, admitLimit: 10 }, (e: HostEvent) => {
    if (e.type === 'batch') merger.add(e.batch);
    if (e.type === 'stopped') stopped();
  });
  host.start();
  try {
    const state = () => JSON.stringify({ gauges: merger.gauges(), groups: merger.groupGauges(), totals: merger.totals });
    await waitFor('10 online', () => merger.gauges().online === 10, 10_000, state);
    assert.equal(merger.gauges().idle, 30, 'the rest never tried');
    assert.equal(merger.totals.connectAttempts, 10);
    assert.deepEqual([merger.groupGauges().a.online, merger.groupGauges().b.online], [5, 5], 'spread over the groups in proportion');

    host.handle({ type: 'storm', reqId: 1, storm: { kind: 'drop', percent: 100, mode: 'close' } });
    await waitFor('the dropped 10 back online', () => merger.totals.reconnects >= 10 && merger.gauges().online === 10, 10_000, state);
    assert.equal(merger.gauges().idle, 30, 'reconnects did not let new devices in');

    host.handle({ type: 'set-admit-limit', limit: 25 });
    await waitFor('25 online', () => merger.gauges().online === 25, 10_000, state);
    assert.equal(merger.gauges().idle, 15);
  } finally {
    void host.stop();
    await done;
  }
});
