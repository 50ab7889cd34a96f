// Reconnect policies against targets that drop devices: attempts, spacing and giving up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeviceEvent } from '../../src/contract/device-log.ts';
import { startHost, type HostHarness } from '../helpers/host-harness.ts';
import { startKickingWsServer, startResettingServer } from '../helpers/hostile-servers.ts';
import { waitFor } from '../helpers/ports.ts';

const attemptTimes = (h: HostHarness, index: number) =>
  (h.host.deviceLog(0, index)?.events ?? []).filter((e: DeviceEvent) => e.kind === 'connecting').map((e) => e.t);

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

test('fixed policy: every device retries maxAttempts times, base apart, then gives up', async () => {
  const server = await startResettingServer();
  const h = startHost({
    target: 'external',
    ramp: 0,
    groups: [{ protocol: 'mqtt', url: `mqtt://127.0.0.1:${server.port}`, count: 5, reconnect: { policy: 'fixed', base: '300ms', jitter: 'none', maxAttempts: 3 } }],
  });
  try {
    await waitFor('every device to give up', () => h.merger.gauges().failed === 5, 15_000, () => JSON.stringify(h.merger.gauges()));
    assert.equal(h.merger.totals.connectAttempts, 20, '1 attempt + 3 retries per device');
    assert.equal(h.merger.totals.reconnects, 15);
    assert.equal(h.merger.totals.gaveUp, 5);
    assert.equal(h.merger.totals.connects, 0);
    assert.equal(server.accepts, 20, 'the server saw every attempt');
    for (let i = 0; i < 5; i++) {
      const g = gaps(attemptTimes(h, i));
      assert.equal(g.length, 3);
      for (const gap of g) assert.ok(gap >= 290, `device ${i}: retry came ${gap} ms after the previous attempt, policy says 300 ms`);
    }
    const log = h.host.deviceLog(0, 0)!;
    assert.equal(log.device.state, 'failed');
    assert.ok(log.events.some((e) => e.kind === 'gave-up'));
    assert.ok(Object.keys(h.merger.failureReasons).every((r) => r === 'ECONNRESET' || r === 'server-close'), JSON.stringify(h.merger.failureReasons));
  } finally {
    await h.stop();
    await server.stop();
  }
});

test('exponential policy without jitter doubles the delay up to the cap', async () => {
  const server = await startResettingServer();
  const h = startHost({
    target: 'external',
    ramp: 0,
    groups: [{ protocol: 'mqtt', url: `mqtt://127.0.0.1:${server.port}`, count: 3, reconnect: { policy: 'exponential', base: '100ms', cap: '400ms', jitter: 'none', maxAttempts: 4 } }],
  });
  try {
    await waitFor('every device to give up', () => h.merger.gauges().failed === 3);
    for (let i = 0; i < 3; i++) {
      const g = gaps(attemptTimes(h, i));
      assert.equal(g.length, 4);
      [100, 200, 400, 400].forEach((min, k) => assert.ok(g[k] >= min - 10, `device ${i} retry ${k}: ${g[k]} ms < ${min} ms`));
    }
  } finally {
    await h.stop();
    await server.stop();
  }
});

test('policy none: one attempt, then the device stays failed', async () => {
  const server = await startResettingServer();
  const h = startHost({ target: 'external', ramp: 0, groups: [{ protocol: 'mqtt', url: `mqtt://127.0.0.1:${server.port}`, count: 4, reconnect: { policy: 'none' } }] });
  try {
    await waitFor('every device failed', () => h.merger.gauges().failed === 4);
    assert.equal(h.merger.totals.connectAttempts, 4);
    assert.equal(h.merger.totals.gaveUp, 0, 'giving up is for policies that retry');
  } finally {
    await h.stop();
    await server.stop();
  }
});

test('devices dropped by the server are counted by reason and come back', async () => {
  const server = await startKickingWsServer(150, 1001);
  const h = startHost({
    target: 'external',
    ramp: 0,
    groups: [{ protocol: 'ws', url: `ws://127.0.0.1:${server.port}/`, count: 10, reconnect: { policy: 'fixed', base: '100ms', jitter: 'full' } }],
  });
  try {
    await waitFor('every device dropped and back at least twice', () => h.merger.totals.connects >= 30, 15_000, () => JSON.stringify(h.merger.totals));
    assert.ok(h.merger.disconnectReasons['server-close:1001'] >= 20, JSON.stringify(h.merger.disconnectReasons));
    assert.ok(h.merger.totals.reconnects >= 20);
    const log = h.host.deviceLog(0, 0)!;
    assert.ok(log.device.disconnects >= 1);
    assert.equal(log.device.lastReason, 'server-close:1001');
  } finally {
    await h.stop();
    await server.stop();
  }
});
