// The attached view against a REAL Prometheus scraping three labelled shards: its sums, rates and
// percentiles are PromQL's, and they must equal what the shards themselves report.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FleetSnapshot } from '../../src/contract/snapshot.ts';
import { PrometheusAttach } from '../../src/fleet/attach/prometheus-attach.ts';
import { LATENCY_BUCKETS_MS } from '../../src/fleet/metrics-exporter.ts';
import { startLabelledShards, type LabelledShard } from '../helpers/labelled-shards.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { freePort } from '../helpers/ports.ts';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.ts';

const RUN = 'attach-t1';
const SHARDS = 3;
const PER_SHARD = 20;


/** Waits for an async condition with a deadline (Prometheus answers are async). */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 45_000, state?: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? `; state: ${state()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** p99 of the shards' HDR histograms merged, at 0.01 ms resolution (the reference for PromQL's estimate). */
function mergedP99(shards: LabelledShard[], kind: 'connack'): number {
  const bounds = Array.from({ length: 200_000 }, (_, i) => (i + 1) / 100);
  const all = shards.map((s) => s.controller.latencyBuckets(bounds)[kind]);
  const total = all.reduce((a, b) => a + b.count, 0);
  for (let i = 0; i < bounds.length; i++) if (all.reduce((a, b) => a + b.counts[i], 0) >= 0.99 * total) return bounds[i];
  return Infinity;
}

describe('attach: a live view fed from Prometheus', () => {
  let mosquitto: Mosquitto;
  let prometheus: Prometheus;
  let fleet: Awaited<ReturnType<typeof startLabelledShards>>;
  let shards: LabelledShard[] = [];

  before(async () => {
    mosquitto = await startMosquitto();
    fleet = await startLabelledShards(mosquitto.port, RUN, SHARDS, PER_SHARD);
    shards = fleet.shards;
    prometheus = await startPrometheus(fleet.targets);
  });

  after(async () => {
    await fleet?.stop();
    await prometheus?.stop();
    await mosquitto?.stop();
  });

  test('counters and histogram buckets of labelled shards aggregate in PromQL', async () => {
    await eventually('Prometheus sees all shards', async () => (await prometheus.query(`count by (shard) (fleetsim_devices_target{run="${RUN}"})`)).length === SHARDS);
    const connects = () => shards.reduce((a, s) => a + s.controller.snapshot().totals.connects, 0);
    await eventually('summed connects counter', async () => (await prometheus.query(`sum(fleetsim_connects_total{run="${RUN}"})`))[0]?.value === connects());
    const [type] = await fetch(`${prometheus.url}/api/v1/metadata?metric=fleetsim_connects_total`).then((r) => r.json() as Promise<{ data: Record<string, Array<{ type: string }>> }>).then((b) => b.data.fleetsim_connects_total);
    assert.equal(type.type, 'counter');
    const byShard = await prometheus.query(`sum by (shard) (fleetsim_latency_histogram_milliseconds_count{run="${RUN}", kind="connack"})`);
    assert.equal(byShard.length, SHARDS);
    // rate() over a counter needs two scrapes of it.
    await eventually('rate() of the summed sent counter', async () => ((await prometheus.query(`sum(rate(fleetsim_messages_sent_total{run="${RUN}"}[10s]))`))[0]?.value ?? 0) > 0);
  });

  test('the attached snapshot is the sum of the shards, its p99 within a bucket of the merged HDR p99', async (t) => {
    const source = new PrometheusAttach({ prometheusUrl: prometheus.url, runId: RUN, windowSeconds: 10, intervalMs: 500 });
    const seen: FleetSnapshot[] = [];
    let points = 0;
    source.on('snapshot', (s) => seen.push(s));
    source.on('timeline', () => points++);
    source.start();
    try {
      const sum = (f: (s: FleetSnapshot) => number) => shards.reduce((a, s) => a + f(s.controller.snapshot()), 0);
      const last = () => seen.at(-1);
      await eventually(
        'attached view equal to the shards',
        async () => {
          const s = last();
          return !!s && s.rates.sentPerSec > 0 && s.gauges.online === sum((x) => x.gauges.online) && s.totals.connects === sum((x) => x.totals.connects) && s.latency.connack.count === sum((x) => x.latency.connack.count);
        },
        45_000,
        () => JSON.stringify({ status: source.status(), online: last()?.gauges.online, connects: last()?.totals.connects }),
      );
      const s = last()!;
      assert.equal(s.gauges.online, SHARDS * PER_SHARD);
      assert.equal(s.devices, SHARDS * PER_SHARD);
      assert.equal(source.status().health, 'ok');
      assert.equal(source.status().shards, SHARDS);
      assert.ok(s.totals.sentHeartbeat > 0, 'messages sent');
      // histogram_quantile interpolates inside the bucket holding the true p99: one bucket of slack either way.
      const exact = mergedP99(shards, 'connack');
      const i = LATENCY_BUCKETS_MS.findIndex((b) => exact <= b);
      const low = i >= 2 ? LATENCY_BUCKETS_MS[i - 2] : 0;
      const high = LATENCY_BUCKETS_MS[Math.min(i + 1, LATENCY_BUCKETS_MS.length - 1)];
      t.diagnostic(`connack p99: PromQL ${s.latency.connack.p99} ms, merged HDR ${exact} ms; online ${s.gauges.online}, connects ${s.totals.connects}`);
      assert.ok(s.latency.connack.p99 >= low && s.latency.connack.p99 <= high, `PromQL p99 ${s.latency.connack.p99} ms vs merged HDR p99 ${exact} ms (bucket ${i})`);
      // One row per shard×host, each with its shard.
      assert.deepEqual(s.hosts.map((h) => `${h.shard}/${h.hostId}`), ['0/0', '1/0', '2/0']);
      assert.ok(s.hosts.every((h) => h.rssMB > 1 && h.state === 'running'));
      assert.ok(points >= 1);
      assert.deepEqual(s.groups, {}, 'what Prometheus cannot give stays empty');
    } finally {
      await source.stop();
    }
  });

  test('no series for an unknown run: a waiting status, not an error', async () => {
    const source = new PrometheusAttach({ prometheusUrl: prometheus.url, runId: 'no-such-run', windowSeconds: 10 });
    await source.poll();
    assert.equal(source.status().health, 'waiting');
    assert.match(source.status().message ?? '', /no series for run no-such-run yet/);
    assert.equal(source.snapshot(), null);
  });
});

test('a Prometheus that is down, or a server that is not Prometheus, becomes a status, never a throw', async () => {
  const down = new PrometheusAttach({ prometheusUrl: `http://127.0.0.1:${await freePort()}`, runId: 'r', windowSeconds: 10 });
  await down.poll();
  assert.equal(down.status().health, 'error');
  assert.match(down.status().message ?? '', /^Prometheus at http:\/\/127\.0\.0\.1:\d+ did not answer: ECONNREFUSED/);
  const answers = ['<html>hello</html>', '{"status":"success","data":{"resultType":"matrix","result":[]}}', '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":"x"}]}}', '{"status":"error","error":"parse error"}', 'x'.repeat(5 * 1024 * 1024)];
  const expected = [/not Prometheus' JSON/, /answered a matrix where a vector was expected/, /malformed sample/, /refused the query: parse error/, /did not answer: .*limit/];
  let next = 0;
  const garbage = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answers[next]));
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', () => r()));
  try {
    for (next = 0; next < answers.length; next++) {
      const source = new PrometheusAttach({ prometheusUrl: `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`, runId: 'r', windowSeconds: 10 });
      await source.poll();
      assert.equal(source.status().health, 'error');
      assert.match(source.status().message ?? '', expected[next]);
    }
  } finally {
    garbage.closeAllConnections();
    await new Promise((r) => garbage.close(r));
  }
});

test('a saturated shard host reaches the attached view as a host row past its limits and a saturation record', async () => {
  // A shard's exposition as Prometheus scrapes it, with host 0 of shard 1 saturated (a real
  // saturated host would need this machine's cores); Prometheus and the PromQL are real.
  const text = [
    '# TYPE fleetsim_devices_target gauge',
    'fleetsim_devices_target{run="sat",shard="1"} 10',
    '# TYPE fleetsim_host_cpu_percent gauge',
    'fleetsim_host_cpu_percent{host="0",run="sat",shard="1"} 97',
    '# TYPE fleetsim_host_loop_lag_p99_milliseconds gauge',
    'fleetsim_host_loop_lag_p99_milliseconds{host="0",run="sat",shard="1"} 180',
    '# TYPE fleetsim_host_saturated gauge',
    'fleetsim_host_saturated{host="0",run="sat",shard="1"} 1',
    '# TYPE fleetsim_host_saturated_seconds_total counter',
    'fleetsim_host_saturated_seconds_total{host="0",run="sat",shard="1"} 12.5',
    '',
  ].join('\n');
  const shard = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text));
  await new Promise<void>((r) => shard.listen(0, '127.0.0.1', () => r()));
  const prometheus = await startPrometheus([`127.0.0.1:${(shard.address() as AddressInfo).port}`]);
  const source = new PrometheusAttach({ prometheusUrl: prometheus.url, runId: 'sat', windowSeconds: 10 });
  try {
    await eventually('the shard scraped', async () => (await source.poll(), source.status().health === 'ok'), 30_000, () => JSON.stringify(source.status()));
    const s = source.snapshot()!;
    assert.deepEqual(s.hosts.map((h) => ({ shard: h.shard, hostId: h.hostId, cpuPct: h.cpuPct, loopLagP99Ms: h.loopLagP99Ms })), [{ shard: 1, hostId: 0, cpuPct: 97, loopLagP99Ms: 180 }]);
    assert.equal(s.saturation.length, 1);
    assert.deepEqual({ shard: s.saturation[0].shard, hostId: s.saturation[0].hostId, seconds: s.saturation[0].seconds }, { shard: 1, hostId: 0, seconds: 12.5 });
  } finally {
    await source.stop();
    await prometheus.stop();
    shard.closeAllConnections();
    await new Promise((r) => shard.close(r));
  }
});
