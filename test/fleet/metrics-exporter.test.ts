// /metrics during a real run: valid Prometheus text format, figures that match the fleet.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { serveMetrics } from '../../src/fleet/metrics-exporter.ts';
import { waitFor } from '../helpers/ports.ts';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value: string }>;
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

test('/metrics parses as Prometheus text format and reports the running fleet', async () => {
  const v = validateScenario({ duration: '30s', ramp: 0, hosts: 1, groups: [{ name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 15, mqtt: { qos: 1 }, timers: { heartbeat: { every: '200ms' } } }] });
  assert.ok(v.ok);
  const controller = new FleetController(v.scenario);
  const metrics = await serveMetrics(0, () => controller.snapshot());
  try {
    await controller.start();
    await waitFor('online and acknowledged', () => controller.snapshot().gauges.online === 15 && controller.snapshot().latency.puback.count > 10);
    const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const families = new Map(parsePrometheus(await res.text()).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string> = {}) =>
      Number(families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);
    assert.equal(value('fleetsim_devices', { state: 'online' }), 15);
    assert.equal(value('fleetsim_devices_target'), 15);
    assert.ok(value('fleetsim_connects_total') >= 15);
    assert.ok(value('fleetsim_messages_sent_total', { kind: 'heartbeat' }) > 0);
    assert.ok(value('fleetsim_latency_milliseconds', { kind: 'puback', quantile: '0.99' }) > 0);
    assert.ok(value('fleetsim_latency_samples', { kind: 'puback' }) > 10);
    assert.ok(value('fleetsim_host_rss_bytes', { host: '0' }) > 1e6);
    assert.equal(families.get('fleetsim_devices')?.type, 'GAUGE');
    assert.equal((await fetch(`http://127.0.0.1:${metrics.port}/other`)).status, 404);
  } finally {
    await controller.stop();
    await metrics.close();
  }
});
