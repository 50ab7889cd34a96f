// Intervals can change while a fleet runs: devices pick up the new cadence at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateScenario } from '../../src/contract/validate.ts';
import { startEmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { startHost } from '../helpers/host-harness.ts';
import { waitFor } from '../helpers/ports.ts';

test('set-timers: a slow heartbeat made fast takes effect without reconnecting', async () => {
  const target = await startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } });
  const h = startHost({
    target: 'external',
    ramp: 0,
    groups: [{ name: 'g', protocol: 'mqtt', url: `mqtt://127.0.0.1:${target.ports.mqtt}`, count: 10, timers: { heartbeat: { every: '1h', bytes: 20 }, status: 'off' } }],
  });
  try {
    await waitFor('10 online', () => h.merger.gauges().online === 10);
    const before = h.merger.totals.sentHeartbeat;
    const faster = validateScenario({ groups: [{ protocol: 'mqtt', url: 'mqtt://x:1', count: 1, timers: { heartbeat: { every: '200ms', bytes: 64 }, status: 'off' } }] });
    assert.ok(faster.ok);
    h.host.handle({ type: 'set-timers', group: 'g', timers: faster.scenario.groups[0].timers });
    await waitFor('heartbeats at the new cadence', () => h.merger.totals.sentHeartbeat - before >= 30);
    assert.equal(h.merger.totals.connects, 10, 'no device reconnected');
    const bytes = h.merger.totals.bytesSent / h.merger.totals.sentHeartbeat;
    assert.ok(bytes > 40, `new payload size applies (avg ${bytes} B)`);
  } finally {
    await h.stop();
    await target.stop();
  }
});
