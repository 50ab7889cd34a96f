// Prometheus exposition of a running fleet (`--metrics-port`): /metrics (127.0.0.1 unless asked) with the
// fleet's gauges, counters and latency quantiles, read from the controller's latest snapshot at
// each scrape (nothing is counted twice: the controller already merges the hosts' batches).
// Totals are COUNTERs, so rate()/increase() and `sum by` over shards are right in Prometheus.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { Gauge, Registry, type Metric } from 'prom-client';
import { CPU_LIMIT_PCT, LOOP_LAG_P99_LIMIT_MS } from './saturation.ts';
import { DEVICE_STATES, LATENCY_KINDS, type LatencyKind } from '../contract/metrics.ts';
import type { FleetSnapshot } from '../contract/snapshot.ts';
import type { BucketCounts } from '../shared/histograms.ts';

/** Histogram bucket bounds, ms: from sub-millisecond loopback to reconnect-storm seconds. */
export const LATENCY_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;

export type LatencyBucketsSource = (boundsMs: readonly number[]) => Record<LatencyKind, BucketCounts> | null;

/**
 * fleetsim_latency_milliseconds_bucket/_sum/_count per kind, from the controller's merged HDR
 * histograms at each scrape. prom-client's Histogram only counts observations it sees itself,
 * so the family is a metric object of our own in the shape the registry serialises.
 */
function latencyHistogram(buckets: LatencyBucketsSource): Metric {
  const name = 'fleetsim_latency_histogram_milliseconds';
  const help = 'Latency since the run started, by kind (HDR histograms merged over hosts), as a Prometheus histogram.';
  return {
    name,
    help,
    type: 'histogram',
    get: async () => {
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
      const all = buckets(LATENCY_BUCKETS_MS);
      for (const kind of all ? LATENCY_KINDS : []) {
        const b = all![kind];
        if (b.count === 0) continue;
        b.boundsMs.forEach((le, i) => values.push({ metricName: `${name}_bucket`, labels: { kind, le }, value: b.counts[i] }));
        values.push({ metricName: `${name}_bucket`, labels: { kind, le: '+Inf' }, value: b.count });
        values.push({ metricName: `${name}_sum`, labels: { kind }, value: Math.round(b.sumMs * 1000) / 1000 });
        values.push({ metricName: `${name}_count`, labels: { kind }, value: b.count });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
  } as unknown as Metric;
}

const QUANTILES = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
  ['1', 'max'],
] as const;

/** The fleet's metrics in a registry of their own; `snapshot` gives the latest view at each scrape. */
export function fleetRegistry(snapshot: () => FleetSnapshot | null, buckets?: LatencyBucketsSource): Registry {
  const registry = new Registry();
  if (buckets) registry.registerMetric(latencyHistogram(buckets));
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>, s: FleetSnapshot) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        const s = snapshot();
        this.reset();
        if (s) fill(this, s);
      },
    });
  gauge('fleetsim_devices', 'Devices by state.', ['state'], (g, s) => {
    for (const state of DEVICE_STATES) g.set({ state }, s.gauges[state]);
  });
  gauge('fleetsim_devices_target', 'Devices in the scenario.', [], (g, s) => g.set(s.devices));
  // Totals since the run started: counters (a new run in the same process starts again at 0,
  // which Prometheus reads as a counter reset).
  const counter = (name: string, help: string, fill: (add: (labels: Record<string, string>, value: number) => void, s: FleetSnapshot) => void) =>
    registry.registerMetric(snapshotCounter(name, help, snapshot, fill));
  const totals: Array<[string, string, keyof FleetSnapshot['totals']]> = [
    ['fleetsim_connect_attempts_total', 'Connection attempts (first connects and reconnects).', 'connectAttempts'],
    ['fleetsim_connects_total', 'Attempts that reached online.', 'connects'],
    ['fleetsim_reconnects_total', 'Attempts that were not a device\'s first.', 'reconnects'],
    ['fleetsim_messages_received_total', 'Application messages received.', 'received'],
    ['fleetsim_bytes_sent_total', 'Application bytes sent.', 'bytesSent'],
    ['fleetsim_bytes_received_total', 'Application bytes received.', 'bytesReceived'],
    ['fleetsim_tls_handshakes_total', 'TLS handshakes completed.', 'tlsHandshakes'],
    ['fleetsim_tls_resumed_total', 'TLS handshakes that resumed a session.', 'tlsResumed'],
  ];
  for (const [name, help, key] of totals) counter(name, help, (add, s) => add({}, s.totals[key]));
  counter('fleetsim_messages_sent_total', 'Messages sent, by kind.', (add, s) => {
    add({ kind: 'heartbeat' }, s.totals.sentHeartbeat);
    add({ kind: 'status' }, s.totals.sentStatus);
    add({ kind: 'ping' }, s.totals.sentPing);
  });
  counter('fleetsim_connect_failures_total', 'Failed connection attempts, by reason.', (add, s) => {
    for (const [reason, n] of Object.entries(s.failureReasons)) add({ reason }, n);
  });
  counter('fleetsim_disconnects_total', 'Online devices that lost their connection, by reason.', (add, s) => {
    for (const [reason, n] of Object.entries(s.disconnectReasons)) add({ reason }, n);
  });
  counter('fleetsim_host_saturated_seconds_total', 'Seconds each generator host spent past its limits (loop-lag p99 > 50 ms or CPU > 90%) this run.', (add, s) => {
    for (const r of s.saturation) add({ host: String(r.hostId) }, r.seconds);
  });
  gauge('fleetsim_latency_milliseconds', 'Latency quantiles since the run started, by kind (HDR histograms merged over hosts).', ['kind', 'quantile'], (g, s) => {
    for (const kind of LATENCY_KINDS) {
      const l = s.latency[kind];
      if (!l?.count) continue;
      for (const [quantile, key] of QUANTILES) g.set({ kind, quantile }, l[key]);
    }
  });
  gauge('fleetsim_latency_samples', 'Latency samples since the run started, by kind.', ['kind'], (g, s) => {
    for (const kind of LATENCY_KINDS) g.set({ kind }, s.latency[kind]?.count ?? 0);
  });
  gauge('fleetsim_write_queue_bytes', 'Bytes the devices have written that the kernel has not taken.', [], (g, s) => g.set(s.backpressure.writeQueueBytes));
  gauge('fleetsim_qos1_inflight', 'QoS 1 PUBLISHes awaiting PUBACK.', [], (g, s) => g.set(s.backpressure.inflight));
  gauge('fleetsim_connect_rate', 'The fleet connect rate in force (connects/s, 0 = unlimited; adaptive or fixed).', [], (g, s) => g.set(s.ramp?.rate ?? 0));
  gauge('fleetsim_ramp_paused', '1 while new devices are held back because a generator host is saturated.', [], (g, s) => g.set(s.ramp?.paused ? 1 : 0));
  gauge('fleetsim_host_cpu_percent', 'CPU of each generator host, % of one core.', ['host'], (g, s) => {
    for (const h of s.hosts) g.set({ host: String(h.hostId) }, h.cpuPct);
  });
  gauge('fleetsim_host_rss_bytes', 'Resident memory of each generator host.', ['host'], (g, s) => {
    for (const h of s.hosts) g.set({ host: String(h.hostId) }, h.rssMB * 1024 * 1024);
  });
  gauge('fleetsim_host_loop_lag_p99_milliseconds', 'Event-loop lag p99 of each generator host.', ['host'], (g, s) => {
    for (const h of s.hosts) g.set({ host: String(h.hostId) }, h.loopLagP99Ms);
  });
  gauge('fleetsim_host_saturated', `1 while a generator host is past its limits (loop-lag p99 > ${LOOP_LAG_P99_LIMIT_MS} ms or CPU > ${CPU_LIMIT_PCT}%): its results are then not trustworthy.`, ['host'], (g, s) => {
    for (const h of s.hosts) g.set({ host: String(h.hostId) }, h.loopLagP99Ms > LOOP_LAG_P99_LIMIT_MS || h.cpuPct > CPU_LIMIT_PCT ? 1 : 0);
  });
  return registry;
}

/**
 * A counter family read from the snapshot at each scrape. prom-client's Counter only counts what
 * it is told to inc(), and the snapshot already holds the run's totals, so this is a metric object
 * of our own (as the latency histogram) with the registry's default labels added by the registry.
 */
function snapshotCounter(name: string, help: string, snapshot: () => FleetSnapshot | null, fill: (add: (labels: Record<string, string>, value: number) => void, s: FleetSnapshot) => void): Metric {
  return {
    name,
    help,
    type: 'counter',
    get: async () => {
      const values: Array<{ labels: Record<string, string>; value: number }> = [];
      const s = snapshot();
      if (s) fill((labels, value) => values.push({ labels, value }), s);
      return { name, help, type: 'counter', values, aggregator: 'sum' };
    },
  } as unknown as Metric;
}

/**
 * Prometheus scrapes by IP (or localhost); any other Host is a browser that was pointed here by a
 * DNS name (DNS rebinding) and must not read the fleet's figures.
 */
export function isScrapeHost(host: string | undefined): boolean {
  if (!host) return false;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]]+))(?::(\d{1,5}))?$/.exec(host);
  if (!m) return false;
  if (m[1] !== undefined) return isIP(m[1]) === 6;
  const name = m[2];
  return name.toLowerCase() === 'localhost' || isIP(name) === 4;
}

function refuseHost(req: IncomingMessage): string | null {
  return isScrapeHost(req.headers.host) ? null : `/metrics answers only requests whose Host is an IP address or localhost, not ${JSON.stringify(req.headers.host ?? '')}\n`;
}

export interface MetricsServeOptions {
  /** Address to listen on (default 127.0.0.1; 0.0.0.0 in a pod, so Prometheus can scrape it). */
  host?: string;
  /** Labels on every series, e.g. { run, shard } for one shard of a distributed run. */
  labels?: Record<string, string>;
}

/** Serves GET /metrics on `host`:`port` (0 picks a free one); resolves with the server and its port. */
export async function serveMetrics(port: number, snapshot: () => FleetSnapshot | null, buckets?: LatencyBucketsSource, options: MetricsServeOptions = {}): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const registry = fleetRegistry(snapshot, buckets);
  if (options.labels) registry.setDefaultLabels(options.labels);
  // Bound beyond loopback (a pod), the user exposed /metrics to the network on purpose: scrapes by
  // service DNS name must work there. On loopback, only IP or localhost Hosts (DNS rebinding).
  const loopbackOnly = host === 'localhost' || host === '::1' || host.startsWith('127.');
  const server = createServer((req, res) => {
    const refused = loopbackOnly ? refuseHost(req) : null;
    if (refused) return void res.writeHead(403, { 'content-type': 'text/plain' }).end(refused);
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'EADDRINUSE' ? `--metrics-port: port ${port} is already in use on ${host}` : err.code === 'EADDRNOTAVAIL' ? `--metrics-host: ${host} is not an address of this machine` : `--metrics-port: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}
