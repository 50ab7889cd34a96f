// Messages between the fleet controller and a device host process. Plain JSON-able objects,
// so they cross child_process IPC and Electron's utility-process ports alike.
import type { DeviceLog } from './device-log.ts';
import type { DeviceRow } from './fleet-api.ts';
import type { DeviceState } from './metrics.ts';
import type { MetricsBatch } from './metrics.ts';
import type { GroupTimers, Scenario } from './scenario.ts';

/** A contiguous range of one group's device indices, owned by one host. */
export interface Shard {
  group: number;
  first: number;
  count: number;
}

export interface DeviceFilter {
  state?: DeviceState;
  search?: string;
}

/** The part of a storm a host carries out on its own devices. */
export type HostStorm =
  | { kind: 'drop'; percent: number; mode: 'close' | 'destroy' | 'half-open'; group?: string }
  | { kind: 'blip'; ms: number; group?: string };

export interface HostInit {
  hostId: number;
  /** The scenario with embedded:… URLs already resolved to real addresses. */
  scenario: Scenario;
  shards: Shard[];
  /** This host's share of the global connect rate (connects/s; 0 = unlimited). */
  connectRate: number;
  /** Groups with a ramp of their own (by scenario group index): this host's share of it. */
  groupRates: Record<number, number>;
  batchIntervalMs: number;
  /** When the run is recorded: the run directory, for this host's event log and device rows. */
  record?: { dir: string; eventLogMaxBytes: number };
  /** Capacity search: how many of this host's devices may make their first connect (default: all). */
  admitLimit?: number;
}

export type HostCommand =
  | { type: 'init'; init: HostInit }
  | { type: 'start' }
  | { type: 'set-rate'; connectRate: number }
  /** Raises (or holds) how many devices may make their first connect; reconnects are not limited. */
  | { type: 'set-admit-limit'; limit: number }
  /** Pause (or resume) admitting devices' first connects, on every gate of the host. */
  | { type: 'set-paused'; paused: boolean }
  | { type: 'set-timers'; group: string; timers: GroupTimers }
  | { type: 'device-log'; reqId: number; group: number; index: number }
  | { type: 'count-devices'; reqId: number; filter: DeviceFilter }
  | { type: 'list-devices'; reqId: number; group: number; filter: DeviceFilter; skip: number; take: number }
  | { type: 'storm'; reqId: number; storm: HostStorm }
  | { type: 'stop'; reason: string };

export type HostEvent =
  | { type: 'ready'; hostId: number; pid: number; fdLimit: number | null }
  | { type: 'batch'; batch: MetricsBatch }
  | { type: 'device-log'; reqId: number; log: DeviceLog | null }
  | { type: 'device-counts'; reqId: number; counts: number[] }
  | { type: 'device-rows'; reqId: number; rows: DeviceRow[] }
  | { type: 'storm-done'; reqId: number; affected: number }
  | { type: 'stopped'; hostId: number }
  | { type: 'fatal'; hostId: number; message: string };
