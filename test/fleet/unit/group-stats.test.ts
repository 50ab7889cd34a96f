// Per-group figures: hosts' group recorders cut into batches, merged by the controller's merger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsRecorder } from '../../../src/engine/metrics-recorder.ts';
import { MetricsMerger } from '../../../src/fleet/metrics-merger.ts';
import { zeroBackpressure, zeroGauges, type MetricsBatch } from '../../../src/contract/metrics.ts';
import { hostBatch } from '../../helpers/host-batch.ts';

function batchOf(recorder: MetricsRecorder, hostId: number, at: number): MetricsBatch {
  return hostBatch(hostId, at, {}, { ...recorder.cut(), backpressure: recorder.cutBackpressure({ ...zeroBackpressure() }) });
}

/** Host with `n` devices of each group, all online. */
function hostWith(n: number): MetricsRecorder {
  const r = new MetricsRecorder(['sensors', 'panels']);
  for (const g of ['sensors', 'panels']) {
    for (let i = 0; i < n; i++) {
      r.forGroup(g).transition(g, null, 'idle');
      r.forGroup(g).transition(g, 'idle', 'online');
      r.forGroup(g).counters.connects++;
    }
  }
  return r;
}

test('a batch carries each group apart and their sums as the host total', () => {
  const r = hostWith(3);
  const sensors = r.forGroup('sensors');
  sensors.disconnect('keepalive-timeout', 5000, 3000, 1000);
  sensors.transition('sensors', 'online', 'backoff');
  r.forGroup('panels').disconnect('server-closed', 8000, 2000, 100);
  r.forGroup('panels').connectFailure('econnrefused');
  sensors.latency('connack', 5);
  r.forGroup('panels').latency('connack', 50);
  r.forGroup('panels').latency('echo', 7);
  r.forGroup('panels').heldBack += 2;
  const b = batchOf(r, 0, 1000);
  assert.equal(b.counters.connects, 6);
  assert.equal(b.counters.disconnects, 2);
  assert.deepEqual(b.disconnectReasons, { 'keepalive-timeout': 1, 'server-closed': 1 });
  assert.deepEqual(b.failureReasons, { econnrefused: 1 });
  // Every group's drops are timed in the host's one list: [age, since last byte in, since last byte out].
  assert.deepEqual(b.disconnectTimings, { 'keepalive-timeout': [5000, 3000, 1000], 'server-closed': [8000, 2000, 100] });
  assert.equal(b.gauges.online, 5);
  assert.equal(b.groupGauges.sensors.backoff, 1);
  assert.deepEqual(b.groupMetrics?.sensors.disconnectReasons, { 'keepalive-timeout': 1 });
  assert.deepEqual(b.groupMetrics?.panels.failureReasons, { econnrefused: 1 });
  assert.equal(b.backpressure.heldBack, 2);
  // connack came from both groups (summed), echo from one only.
  assert.ok(b.histograms.connack && b.histograms.echo);
  assert.equal(b.groupMetrics?.sensors.histograms.echo, undefined);
  const m = new MetricsMerger(0);
  m.add(b);
  assert.equal(m.latency().connack.count, 2);
  assert.equal(m.latency().echo.count, 1);
  // A second cut starts from zero.
  const again = batchOf(r, 0, 1250);
  assert.equal(again.counters.connects, 0);
  assert.deepEqual(again.histograms, {});
  assert.equal(again.backpressure.heldBack, 0);
});

test('the merger sums groups over hosts: devices, connects, drops by reason, messages, p50/p99 of their own', () => {
  const m = new MetricsMerger(0);
  const a = hostWith(2);
  const b = hostWith(4);
  for (let i = 0; i < 100; i++) a.forGroup('sensors').latency('connack', 10);
  for (let i = 0; i < 100; i++) b.forGroup('panels').latency('connack', 200);
  b.forGroup('panels').disconnect('server-closed', 8000, 2000, 100);
  b.forGroup('panels').transition('panels', 'online', 'backoff');
  a.forGroup('sensors').counters.sentHeartbeat += 30;
  b.forGroup('sensors').counters.sentStatus += 10;
  b.forGroup('panels').counters.received += 8;
  m.add(batchOf(a, 0, 1000));
  m.add(batchOf(b, 1, 1000));
  m.groupStats(1000); // the first call starts the rate window
  a.forGroup('sensors').counters.sentHeartbeat += 20;
  m.add(batchOf(a, 0, 2000));
  const s = m.groupStats(2000);
  assert.deepEqual(Object.keys(s).sort(), ['panels', 'sensors']);
  assert.equal(s.sensors.devices, 6);
  assert.equal(s.sensors.online, 6);
  assert.equal(s.panels.online, 5);
  assert.equal(s.sensors.connects, 6);
  assert.equal(s.panels.disconnects, 1);
  assert.deepEqual(s.panels.disconnectReasons, { 'server-closed': 1 });
  assert.deepEqual(s.sensors.disconnectReasons, {});
  assert.equal(s.sensors.sent, 60);
  assert.equal(s.sensors.sentPerSec, 20);
  assert.equal(s.panels.received, 8);
  assert.equal(s.sensors.latency.connack.count, 100);
  assert.ok(Math.abs(s.sensors.latency.connack.p50 - 10) < 0.2, `sensors p50 ${s.sensors.latency.connack.p50}`);
  assert.ok(Math.abs(s.panels.latency.connack.p99 - 200) < 3, `panels p99 ${s.panels.latency.connack.p99}`);
  // The fleet's own connack histogram mixes both groups.
  assert.equal(m.latency().connack.count, 200);

  // A lost host's online devices are drops of their groups.
  m.hostLost(1, 8, 'host-lost');
  const after = m.groupStats(3000);
  assert.equal(after.sensors.disconnectReasons['host-lost'], 4);
  assert.equal(after.panels.disconnectReasons['host-lost'], 3);
  assert.equal(after.panels.disconnects, 4);
  assert.equal(after.sensors.online, 2);

  // A summary's rates are averages over the run; its online counts are those marked at the end, before the devices stop.
  assert.equal(m.markEnd(), 4);
  const stopped = { ...batchOf(a, 0, 9000), groupGauges: { sensors: { ...zeroGauges(), stopped: 2 }, panels: { ...zeroGauges(), stopped: 2 } } };
  m.add(stopped);
  const summary = m.groupStats(10_000, 10_000);
  assert.equal(summary.sensors.sentPerSec, 6);
  assert.equal(summary.sensors.online, 2);
  assert.equal(summary.panels.online, 2);
  assert.equal(m.groupStats(10_000).sensors.online, 0, 'live figures stay live');
});
