// Backpressure as the UI reads it: the snapshot's gauges with old snapshots (without them)
// treated as zero / no target, and whether the target's buffers keep growing. Pure; no React.
import type { BackpressureGauges } from '../../src/contract/metrics.ts';
import type { FleetSnapshot } from '../../src/contract/snapshot.ts';
import type { TargetStats } from '../../src/contract/target.ts';
import { DEFAULT_SLOW_CLIENT_BYTES } from '../../src/contract/target.ts';

const ZERO: BackpressureGauges = Object.freeze({ writeQueueBytes: 0, maxWriteQueueBytes: 0, inflight: 0, heldBack: 0, slowReaders: 0 });

/** The fleet's backpressure gauges; zeros for a snapshot from before they existed (stable object). */
export function fleetBackpressure(s: FleetSnapshot | null | undefined): BackpressureGauges {
  return s?.backpressure ?? ZERO;
}

/** The embedded target's stats; null for external targets and old snapshots. */
export function targetStats(s: FleetSnapshot | null | undefined): TargetStats | null {
  return s?.target ?? null;
}

/** Seconds of timeline looked at to call the target's buffers growing. */
export const GROWTH_WINDOW = 5;

/**
 * True when the last `window` points (one per second) rise: net growth, at most one second that
 * did not rise, and the latest at least `floor` bytes (a few KB coming and going is not a trend).
 */
export function isGrowing(col: readonly (number | null)[], window = GROWTH_WINDOW, floor = DEFAULT_SLOW_CLIENT_BYTES): boolean {
  if (window < 2 || col.length < window) return false;
  const v = col.slice(-window).map((x) => x ?? 0);
  const first = v[0];
  const last = v[v.length - 1];
  if (!(last > first) || last < floor) return false;
  let flat = 0;
  for (let i = 1; i < v.length; i++) if (!(v[i] > v[i - 1])) flat++;
  return flat <= 1;
}

export type BackpressureLevel = 'ok' | 'warn' | 'alert';

/** Amber when the target's buffers keep growing or it has slow clients; red when both. */
export function backpressureLevel(growing: boolean, slowClients: number): BackpressureLevel {
  const slow = slowClients > 0;
  return growing && slow ? 'alert' : growing || slow ? 'warn' : 'ok';
}
