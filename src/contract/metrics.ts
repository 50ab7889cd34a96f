// What a device host reports, and what the controller makes of it. Hosts bump plain counters
// and send one MetricsBatch every 250 ms; the controller merges them into FleetSnapshots.

/**
 * Latency kinds, each an HDR histogram in microseconds. connect: attempt start to transport up
 * (TCP, TLS included, or WebSocket open); tls: the TLS handshake alone (TCP connected to
 * handshake done); connack: transport up to CONNACK.
 */
export const LATENCY_KINDS = ['connect', 'tls', 'connack', 'puback', 'ping', 'echo', 'delivery'] as const;
export type LatencyKind = (typeof LATENCY_KINDS)[number];

/** Monotonic counters; batches carry deltas. */
export const COUNTERS = [
  'connectAttempts', // every attempt to open a connection (first connects and reconnects)
  'connects', // attempts that reached online (CONNACK accepted / WebSocket open)
  'reconnects', // attempts that were not a device's first
  'connectFailures', // attempts that never got online
  'disconnects', // online → closed, for any reason
  'sentHeartbeat',
  'sentStatus',
  'sentPing',
  'received', // application messages received (MQTT PUBLISH in, WebSocket data frames)
  'pubacks',
  'pongs',
  'bytesSent',
  'bytesReceived',
  'gaveUp', // devices that hit reconnect.maxAttempts
  'tlsHandshakes', // TLS handshakes completed (full and resumed)
  'tlsResumed', // of those, resumed sessions (abbreviated handshakes)
] as const;
export type CounterName = (typeof COUNTERS)[number];
export type Counters = Record<CounterName, number>;

export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;
}

/** Device states, as counted in gauges. */
export const DEVICE_STATES = ['idle', 'connecting', 'online', 'backoff', 'stopped', 'failed', 'lost'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];
export type Gauges = Record<DeviceState, number>;

export function zeroGauges(): Gauges {
  return Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Gauges;
}

export interface HostHealth {
  pid: number;
  devices: number;
  /** CPU used by the host process over the batch interval, % of one core. */
  cpuPct: number;
  rssBytes: number;
  heapUsedBytes: number;
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  /** What the host process holds open, when hosts are asked to count it (FLEETSIM_HOST_HANDLES_EVERY_MS). */
  handles?: HostHandles;
  /**
   * Heap in use right after the host's latest full (mark-compact) collection, when hosts are asked
   * to watch collections (FLEETSIM_HOST_LIVE_HEAP=1): what is alive, without the garbage that
   * heapUsedBytes also counts until the next full collection.
   */
  heapLiveBytes?: number;
}

/**
 * Open handles of a host process as libuv sees them, counted every FLEETSIM_HOST_HANDLES_EVERY_MS
 * (batches in between repeat the last count): a leak of sockets or timers shows here after the
 * devices that held them are gone.
 */
export interface HostHandles {
  /** Wall-clock time of the count (ms since epoch). */
  at: number;
  /** Open TCP sockets (a device's connection is one, TLS and WebSocket included). */
  sockets: number;
  /** Active Node timers (setTimeout/setInterval that keep the process alive). */
  timers: number;
  /** Device timers on the host's timing wheel (heartbeat, status, ping …). */
  wheelTimers: number;
}

/**
 * Device-side backpressure on one host, sampled when the batch is cut. A fleet total is the sum
 * over hosts of every field but maxWriteQueueBytes (the max of the hosts').
 */
export interface BackpressureGauges {
  /** Bytes written by online devices and not yet taken by the kernel (socket write buffers; ws bufferedAmount). */
  writeQueueBytes: number;
  /** The largest single online device's write queue, in bytes. */
  maxWriteQueueBytes: number;
  /** QoS 1 PUBLISHes sent by online devices and not yet acknowledged (PUBACK). */
  inflight: number;
  /** Messages not sent because the device's inflight window was full (a delta, like counters). */
  heldBack: number;
  /** Online devices whose reads are limited (backpressure.slowReader). */
  slowReaders: number;
}

export function zeroBackpressure(): BackpressureGauges {
  return { writeQueueBytes: 0, maxWriteQueueBytes: 0, inflight: 0, heldBack: 0, slowReaders: 0 };
}

/** Latency histograms by kind, HdrHistogram's compressed base64 encoding; only kinds that recorded something. */
export type EncodedHistograms = Partial<Record<LatencyKind, string>>;

export interface MetricsBatch {
  hostId: number;
  seq: number;
  /** Wall-clock time the batch was cut (ms since epoch). */
  at: number;
  intervalMs: number;
  counters: Counters;
  /** Disconnects of online devices, by reason (deltas). */
  disconnectReasons: Record<string, number>;
  /** Failed connection attempts, by reason (deltas). */
  failureReasons: Record<string, number>;
  /**
   * Per disconnect reason, timings of some of those drops (at most 64 per batch), flat
   * [ageMs, sinceRxMs, sinceTxMs, …]: the connection's age and the time since the device last
   * received and last sent anything. Absent when nothing dropped.
   */
  disconnectTimings?: Record<string, number[]>;
  gauges: Gauges;
  /** Per group name: that group's gauges on this host. */
  groupGauges: Record<string, Gauges>;
  /** Per group name: that group's counters, reasons and histograms (deltas; absent from hosts of older versions). */
  groupMetrics?: Record<string, GroupBatch>;
  /** Histogram deltas, HdrHistogram compressed base64 encoding; only kinds that recorded something. */
  histograms: EncodedHistograms;
  health: HostHealth;
  /** Device-side backpressure on this host, sampled when the batch was cut. */
  backpressure: BackpressureGauges;
}

/** One group's share of a batch; the batch's own counters, reasons and histograms are the sums over its groups. */
export interface GroupBatch {
  counters: Counters;
  disconnectReasons: Record<string, number>;
  failureReasons: Record<string, number>;
  histograms: EncodedHistograms;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
