// /metrics during a real run: valid Prometheus text format, figures that match the fleet.
import assert from 'node:assert/strict';
import { request } from 'node:http';
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
  const metrics = await serveMetrics(0, () => controller.snapshot(), (bounds) => controller.latencyBuckets(bounds));
  try {
    await controller.start();
    await waitFor('online and acknowledged', () => controller.snapshot().gauges.online === 15 && controller.snapshot().latency.puback.count > 10);
    const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const families = new Map(parsePrometheus(text).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string> = {}) =>
      Number(families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);
    assert.equal(value('fleetsim_devices', { state: 'online' }), 15);
    assert.equal(value('fleetsim_devices_target'), 15);
    assert.ok(value('fleetsim_connects_total') >= 15);
    assert.ok(value('fleetsim_messages_sent_total', { kind: 'heartbeat' }) > 0);
    assert.ok(value('fleetsim_latency_milliseconds', { kind: 'puback', quantile: '0.99' }) > 0);
    assert.ok(value('fleetsim_latency_samples', { kind: 'puback' }) > 10);
    assert.ok(value('fleetsim_host_rss_bytes', { host: '0' }) > 1e6);
    assert.equal(value('fleetsim_connect_rate'), 0, 'ramp: 0 is unlimited');
    assert.equal(value('fleetsim_ramp_paused'), 0);
    assert.equal(families.get('fleetsim_devices')?.type, 'GAUGE');
    // Totals are counters, so rate() and increase() work on them.
    for (const name of ['fleetsim_connects_total', 'fleetsim_connect_attempts_total', 'fleetsim_messages_sent_total', 'fleetsim_disconnects_total', 'fleetsim_connect_failures_total', 'fleetsim_host_saturated_seconds_total']) {
      assert.equal(families.get(name)?.type, 'COUNTER', name);
    }
    assert.equal(families.get('fleetsim_host_saturated')?.type, 'GAUGE');
    assert.ok([0, 1].includes(value('fleetsim_host_saturated', { host: '0' })));
    assert.ok(value('fleetsim_host_loop_lag_p99_milliseconds', { host: '0' }) >= 0);
    // The latency histogram: cumulative buckets ending in +Inf = count, for Grafana's histogram_quantile.
    // (The parser above keeps no labels on histogram series, so these lines are read as text.)
    assert.equal(families.get('fleetsim_latency_histogram_milliseconds')?.type, 'HISTOGRAM');
    const series = (suffix: string) =>
      [...text.matchAll(new RegExp(`^fleetsim_latency_histogram_milliseconds_${suffix}\\{([^}]*kind="puback"[^}]*)\\} (\\S+)$`, 'gm'))].map((m) => ({ labels: m[1], value: Number(m[2]) }));
    const buckets = series('bucket');
    assert.equal(buckets.length, 16, 'fifteen bounds and +Inf');
    assert.ok(buckets.every((b, i) => i === 0 || b.value >= buckets[i - 1].value), `cumulative: ${buckets.map((b) => b.value).join(',')}`);
    assert.match(buckets.at(-1)!.labels, /le="\+Inf"/);
    assert.equal(buckets.at(-1)!.value, series('count')[0].value);
    assert.ok(series('count')[0].value > 10 && series('sum')[0].value > 0);
    assert.equal((await fetch(`http://127.0.0.1:${metrics.port}/other`)).status, 404);
  } finally {
    await controller.stop();
    await metrics.close();
  }
});

test('every series of a shard carries its run and shard labels, summable across shards', async () => {
  const v = validateScenario({ duration: '30s', ramp: 0, hosts: 1, groups: [{ name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 5, mqtt: { qos: 1 }, timers: { heartbeat: { every: '200ms' } } }] });
  assert.ok(v.ok);
  const controller = new FleetController(v.scenario);
  const metrics = await serveMetrics(0, () => controller.snapshot(), (bounds) => controller.latencyBuckets(bounds), { host: '127.0.0.1', labels: { run: 'r-1', shard: '2' } });
  try {
    await controller.start();
    await waitFor('acknowledged', () => controller.snapshot().latency.puback.count > 3);
    const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
    const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    assert.ok(samples.length > 20, `${samples.length} samples`);
    const unlabelled = samples.filter((l) => !/run="r-1"/.test(l) || !/shard="2"/.test(l));
    assert.deepEqual(unlabelled, [], 'every sample has run and shard');
    assert.ok(samples.some((l) => l.startsWith('fleetsim_latency_histogram_milliseconds_bucket{') && /le="\+Inf"/.test(l)));
  } finally {
    await controller.stop();
    await metrics.close();
  }
});

test('/metrics refuses a Host that is not an IP address or localhost (DNS rebinding), and survives', async () => {
  const metrics = await serveMetrics(0, () => null);
  const get = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: metrics.port, path: '/metrics', headers: { host } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject).end();
    });
  try {
    for (const host of ['evil.example', 'evil.example:' + metrics.port, '127.0.0.1.nip.io', 'localhost.evil.example', '[::1', '127.0.0.1:x']) {
      const r = await get(host);
      assert.equal(r.status, 403, `Host ${JSON.stringify(host)}`);
      assert.match(r.body, /Host is an IP address or localhost/);
    }
    for (const host of ['127.0.0.1', `127.0.0.1:${metrics.port}`, '10.1.2.3:9464', 'localhost', `LOCALHOST:${metrics.port}`, '[::1]', `[::1]:${metrics.port}`]) {
      assert.equal((await get(host)).status, 200, `Host ${JSON.stringify(host)}`);
    }
  } finally {
    await metrics.close();
  }
});

test('/metrics bound beyond loopback (a pod) answers scrapes by a service DNS name', async () => {
  const metrics = await serveMetrics(0, () => null, undefined, { host: '0.0.0.0' });
  try {
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: metrics.port, path: '/metrics', headers: { host: 'fleetsim-0.fleetsim.loadtest.svc:9464' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 200);
  } finally {
    await metrics.close();
  }
});
