// The PromQL an attached view runs at each poll, for one run id. Every series of a shard carries
// run="<id>" and shard="<i>" (metrics-exporter.ts), so sums over shards are `sum by (...)`.

export const TOTAL_NAMES = ['connect_attempts', 'connects', 'reconnects', 'messages_received', 'bytes_sent', 'bytes_received', 'tls_handshakes', 'tls_resumed'] as const;
export const HOST_NAMES = ['host_cpu_percent', 'host_rss_bytes', 'host_loop_lag_p99_milliseconds', 'host_saturated', 'host_saturated_seconds_total'] as const;

export function attachQueries(runId: string, windowSeconds: number) {
  const run = `run="${runId}"`;
  const w = `[${windowSeconds}s]`;
  const bucket = `fleetsim_latency_histogram_milliseconds_bucket{${run}}`;
  return {
    devicesByState: `sum by (state) (fleetsim_devices{${run}})`,
    devicesTarget: `sum(fleetsim_devices_target{${run}})`,
    shards: `count by (shard) (fleetsim_devices_target{${run}})`,
    // Totals and backpressure gauges in one query, summed per metric name.
    sums: `sum by (__name__) ({__name__=~"fleetsim_(${TOTAL_NAMES.join('|')})_total|fleetsim_write_queue_bytes|fleetsim_qos1_inflight", ${run}})`,
    sentByKind: `sum by (kind) (fleetsim_messages_sent_total{${run}})`,
    disconnectsByReason: `sum by (reason) (fleetsim_disconnects_total{${run}})`,
    failuresByReason: `sum by (reason) (fleetsim_connect_failures_total{${run}})`,
    connectsRate: `sum(rate(fleetsim_connects_total{${run}}${w}))`,
    disconnectsRateByReason: `sum by (reason) (rate(fleetsim_disconnects_total{${run}}${w}))`,
    sentRate: `sum(rate(fleetsim_messages_sent_total{${run}}${w}))`,
    receivedRate: `sum(rate(fleetsim_messages_received_total{${run}}${w}))`,
    bytesSentRate: `sum(rate(fleetsim_bytes_sent_total{${run}}${w}))`,
    // Whole run: the cumulative buckets as they stand; the window: their rate.
    p50: `histogram_quantile(0.5, sum by (le, kind) (${bucket}))`,
    p90: `histogram_quantile(0.9, sum by (le, kind) (${bucket}))`,
    p99: `histogram_quantile(0.99, sum by (le, kind) (${bucket}))`,
    latencyCount: `sum by (kind) (fleetsim_latency_histogram_milliseconds_count{${run}})`,
    latencyMax: `max by (kind) (fleetsim_latency_milliseconds{${run}, quantile="1"})`,
    windowP50: `histogram_quantile(0.5, sum by (le, kind) (rate(${bucket}${w})))`,
    windowP99: `histogram_quantile(0.99, sum by (le, kind) (rate(${bucket}${w})))`,
    hosts: `{__name__=~"fleetsim_(${HOST_NAMES.join('|')})", ${run}}`,
  };
}

export type AttachQueryName = keyof ReturnType<typeof attachQueries>;
