// The connect-rate gate and timer phases: a fleet must neither stampede nor beat in lockstep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { startEmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { startHost } from '../helpers/host-harness.ts';
import { waitFor } from '../helpers/ports.ts';

test('ramp: connects are spread at the configured rate', async () => {
  const target = await startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } });
  const h = startHost({ target: 'external', groups: [{ protocol: 'mqtt', url: `mqtt://127.0.0.1:${target.ports.mqtt}`, count: 30 }] }, 20);
  try {
    await waitFor('all 30 online', () => h.merger.gauges().online === 30);
    const starts = Array.from({ length: 30 }, (_, i) => h.host.deviceLog(0, i)!.events.find((e) => e.kind === 'connecting')!.t).sort((a, b) => a - b);
    const span = starts[29] - starts[0];
    // 20/s with a 100 ms burst allowance: 30 connects cannot start in less than ~1.35 s.
    assert.ok(span >= 1200, `30 connects at 20/s started within ${span} ms`);
  } finally {
    await h.stop();
    await target.stop();
  }
});

test('timers: first heartbeats of devices that connect together are spread over the interval', async () => {
  const target = await startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } });
  const watcher = await mqtt.connectAsync(`mqtt://127.0.0.1:${target.ports.mqtt}`);
  const first = new Map<string, number>();
  watcher.on('message', (topic) => {
    if (!first.has(topic)) first.set(topic, Date.now());
  });
  await watcher.subscribeAsync('devices/+/heartbeat');
  const h = startHost({
    target: 'external',
    ramp: 0,
    groups: [{ protocol: 'mqtt', url: `mqtt://127.0.0.1:${target.ports.mqtt}`, count: 40, timers: { heartbeat: { every: '2s' }, status: 'off' } }],
  });
  try {
    await waitFor('a first heartbeat from every device', () => first.size === 40);
    const times = [...first.values()].sort((a, b) => a - b);
    const buckets = new Set(times.map((t) => Math.floor((t - times[0]) / 200)));
    // Lockstep would put every first heartbeat in one or two 200 ms slots of the 2 s interval.
    assert.ok(buckets.size >= 5, `first heartbeats fell in only ${buckets.size} of 10 slots`);
  } finally {
    await h.stop();
    await watcher.endAsync();
    await target.stop();
  }
});
