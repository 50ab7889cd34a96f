// Backpressure over a whole run, as the record keeps it (summary.json, `fleetsim run --json`, the
// report): the fleet's side and, for the embedded target, the target's side, with the outcome in
// one plain sentence. The per-second figures are in TimelinePoint (timeline.csv).

/** Why the embedded target dropped a client: its buffer cap, or the overload model shedding it. */
export type TargetDropCause = 'cap' | 'overload';

/** One client the embedded target dropped, by the device id it connected as. */
export interface TargetDrop {
  /** The device id: the MQTT client id, or the `device` a room client's URL named. */
  id: string;
  cause: TargetDropCause;
  /** When (ms since epoch). */
  at: number;
}

/** Drops the target reports by device id at most (past it they are only counted). */
export const MAX_TARGET_DROPS_LISTED = 10_000;
/** Dropped devices named in summary.json at most (devices.csv marks them all). */
export const MAX_SUMMARY_DROPS = 100;

export interface FleetBackpressureSummary {
  /** The most the fleet's devices had queued for writing at any second, in bytes. */
  peakWriteQueueBytes: number;
  /** The most QoS 1 PUBLISHes awaiting PUBACK at any second. */
  peakInflight: number;
  /** Messages not sent because a device's inflight window was full, over the run. */
  heldBack: number;
  /** The most devices limited in their reads (backpressure.slowReader) at any second. */
  peakSlowReaders: number;
}

export interface TargetBackpressureSummary {
  /** The cap on bytes buffered towards one client (0 = none). */
  capBytes: number;
  /** The most the target held towards its clients, and when (seconds into the run). */
  peakBufferedBytes: number;
  peakAtSecond: number;
  /** The most any one client had buffered towards it. */
  peakMaxClientBufferedBytes: number;
  /** The most clients over the slow threshold at once. */
  peakSlowClients: number;
  /** How fast the buffers grew over the 10 s up to the peak, bytes/s (0 when they did not grow). */
  growthBytesPerSec: number;
  /** True when the buffers were still growing in the last seconds the devices ran. */
  stillGrowing: boolean;
  /** As the target counted them over the run: clients dropped at the cap, refused over the accept rate, shed by overload. */
  droppedSlowClients: number;
  refusedByRate: number;
  shedByOverload: number;
  /** Devices the target dropped, by id (the first MAX_SUMMARY_DROPS); `droppedDevicesCount` is all it named. */
  droppedDevices: TargetDrop[];
  droppedDevicesCount: number;
  /**
   * Of the devices the target dropped (the first MAX_SUMMARY_DROPS; null past that), how many were
   * online at the end without ever having disconnected: they read nothing, so never saw the close.
   */
  droppedButOnline: number | null;
}

export interface BackpressureSummary {
  fleet: FleetBackpressureSummary;
  /** The embedded target's side; null for an external target (not measurable from the client side). */
  target: TargetBackpressureSummary | null;
  /** The outcome in plain sentences. */
  outcome: string;
}
