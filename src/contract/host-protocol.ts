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

/**
 * The questions a host answers once, each with its answer: the typed request → response map.
 * On the wire a question carries a reqId and its answer the same reqId.
 */
export interface HostRequestMap {
  'device-log': { request: { type: 'device-log'; group: number; index: number }; response: { type: 'device-log'; log: DeviceLog | null } };
  'count-devices': { request: { type: 'count-devices'; filter: DeviceFilter }; response: { type: 'device-counts'; counts: number[] } };
  'list-devices': { request: { type: 'list-devices'; group: number; filter: DeviceFilter; skip: number; take: number }; response: { type: 'device-rows'; rows: DeviceRow[] } };
  storm: { request: { type: 'storm'; storm: HostStorm }; response: { type: 'storm-done'; affected: number } };
}

export type RequestKind = keyof HostRequestMap;
export type RequestOf<K extends RequestKind> = HostRequestMap[K]['request'];
export type ResponseOf<K extends RequestKind> = HostRequestMap[K]['response'];
export type HostRequest = RequestOf<RequestKind>;
export type HostResponse = ResponseOf<RequestKind>;

/** The answer's type for each kind of question (the map above, for checks at run time). */
export const ANSWER_TYPE: { readonly [K in RequestKind]: ResponseOf<K>['type'] } = {
  'device-log': 'device-log',
  'count-devices': 'device-counts',
  'list-devices': 'device-rows',
  storm: 'storm-done',
};

/** Whether `response` is the answer a `kind` question gets. */
export function answersKind<K extends RequestKind>(kind: K, response: HostResponse): response is ResponseOf<K> {
  return response.type === ANSWER_TYPE[kind];
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
  | (HostRequest & { reqId: number })
  | { type: 'stop'; reason: string };

export type HostEvent =
  | { type: 'ready'; hostId: number; pid: number; fdLimit: number | null }
  | { type: 'batch'; batch: MetricsBatch }
  | (HostResponse & { reqId: number })
  | { type: 'stopped'; hostId: number }
  | { type: 'fatal'; hostId: number; message: string };
