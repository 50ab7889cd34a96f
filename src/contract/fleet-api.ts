// FleetApi: everything the UI can ask of a fleet. The desktop app serves it over Electron IPC
// (preload `window.fleet`), browser mode over a WebSocket bridge; the renderer sees only this.
// FLEET_API_TABLE below names each method once; every door to the API is derived from it.
// No imports at run time: the sandboxed preload bundles this file and may require only electron.
import type { TargetDropCause } from './backpressure.ts';
import type { AttachResult, AttachStatus } from './attach.ts';
import type { CapacityProgress } from './capacity.ts';
import type { DeviceLog } from './device-log.ts';
import type { DeviceState } from './metrics.ts';
import type { Scenario, ScenarioInput } from './scenario.ts';
import type { AttachRequest } from './attach.ts';
import type { FleetEvent, FleetSnapshot, RunState, RunSummary, TimelinePoint } from './snapshot.ts';
import type { PreflightResult } from './preflight.ts';
import type { AppSettings, ExportResult, ImportResult, ReportResult, RunDetail, RunListEntry, SettingsResult } from './runs.ts';
import type { CompareResult } from './run-comparison.ts';
import type { StormActionInput, StormRecord } from './storm.ts';

export interface PresetInfo {
  name: string;
  description: string;
  scenario: ScenarioInput;
}

export interface RunStatus {
  state: RunState | 'idle';
  scenario: Scenario | null;
  snapshot: FleetSnapshot | null;
  timeline: TimelinePoint[];
  summary: RunSummary | null;
  /** The most recent notable events, oldest first. */
  events: FleetEvent[];
  /** Where the current (or last) run is being recorded; null when recording is off. */
  recordDir: string | null;
  /** Prometheus /metrics of the current run, when serving. */
  metricsUrl: string | null;
  /** Set while the view is attached to a distributed run through Prometheus (then there is no local run). */
  attach?: AttachStatus | null;
  /** The capacity search of the current (or last) run; null when it is a plain run. */
  capacity?: CapacityProgress | null;
}

export type StartResult = { ok: true } | { ok: false; problems: string[] };

export interface DeviceRow {
  id: string;
  group: string;
  index: number;
  hostId: number;
  state: DeviceState;
  connects: number;
  disconnects: number;
  lastReason?: string;
  sent: number;
  received: number;
  /** Backpressure on this device now: bytes queued in its socket, QoS 1 PUBLISHes awaiting PUBACK. */
  writeQueueBytes: number;
  inflight: number;
  /** The embedded target dropped this device (at its buffer cap, or shedding under overload): a device still online believes in a connection that is gone. */
  targetDropped?: TargetDropCause;
}

export interface DeviceQuery {
  group?: string;
  state?: DeviceState;
  /** Substring of the device id. */
  search?: string;
  offset: number;
  limit: number;
}

export interface DevicePage {
  total: number;
  offset: number;
  rows: DeviceRow[];
}

/** Pushed to every UI: one message per snapshot (≤ 4/s), per timeline second, per notable event. */
export type FleetUpdate =
  | { type: 'snapshot'; snapshot: FleetSnapshot }
  | { type: 'timeline'; point: TimelinePoint }
  | { type: 'event'; event: FleetEvent }
  | { type: 'started'; scenario: Scenario }
  | { type: 'ended'; summary: RunSummary }
  /** A capacity search moved on: a new phase, a finished step, or its result (the whole progress each time). */
  | { type: 'capacity'; capacity: CapacityProgress }
  /** The attached view's source and health (each poll); null once detached. */
  | { type: 'attach'; attach: AttachStatus | null };

// What a page sends is checked at every boundary all the same: the IPC handlers and the bridge
// server check each parameter's shape (fleet-params.ts), FleetService each field's meaning.
/** A scenario's `capacity:` block (step, hold, until, criteria), values as in a scenario file. */
export type CapacityBlockInput = NonNullable<ScenarioInput['capacity']>;
/** A group's `timers` as in a scenario file (durations as text, "off" to turn one off). */
export type GroupTimersInput = NonNullable<ScenarioInput['groups'][number]['timers']>;
/** Settings to change: the values as typed in a form (the service names the field of a bad one). */
export type SettingsPatch = { [K in keyof AppSettings]?: unknown };

/** The request/response part of the API: the same method names over IPC and the bridge. */
export interface FleetMethods {
  listPresets(): Promise<PresetInfo[]>;
  /** Validates and starts a run; problems are one line per field, or why it could not start. */
  start(scenario: ScenarioInput): Promise<StartResult>;
  /**
   * Starts a run as a capacity search: devices are admitted in steps, each held and judged, and
   * the run ends at the knee. `capacity` (a scenario's `capacity:` block: step, hold, until and
   * the criteria) wins over the scenario's own block; problems name the field (capacity.step …).
   * Progress comes as 'capacity' updates; stop() ends the search.
   */
  startCapacity(scenario: ScenarioInput, capacity?: CapacityBlockInput): Promise<StartResult>;
  /** Stops the current run (or capacity search); resolves with its summary (null when nothing runs). */
  stop(): Promise<RunSummary | null>;
  status(): Promise<RunStatus>;
  /** Changes a group's timers while running; `timers` as in a scenario file (durations as text). */
  setTimers(group: string, timers: GroupTimersInput): Promise<StartResult>;
  setRamp(connectsPerSec: number): Promise<void>;
  deviceLog(deviceId: string): Promise<DeviceLog | null>;
  devices(query: DeviceQuery): Promise<DevicePage>;
  /** Starts a storm now (`action` as in a scenario's storms, without `at`). */
  storm(action: StormActionInput): Promise<StormResult>;
  /** Creates a test PKI (fleetsim certs init), or describes the one already in `dir` (default: the default PKI directory). */
  certsInit(request?: CertsInitRequest): Promise<CertsInitResult>;
  settings(): Promise<AppSettings>;
  /** Changes some settings (runsDir, record, metricsPort, eventLogMaxMB); problems name the field. */
  updateSettings(patch: SettingsPatch): Promise<SettingsResult>;
  /** Past runs in the runs directory, newest first. */
  listRuns(): Promise<RunListEntry[]>;
  /** A past run read back from disk (null when there is no such run). */
  openRun(id: string): Promise<RunDetail | null>;
  /** One page of a past run's devices (devices.csv, read as a stream). */
  runDevices(id: string, query: DeviceQuery): Promise<DevicePage>;
  /** A past device's events from the run's event logs (the last `limit`, default 500) and its row. */
  runDeviceLog(id: string, deviceId: string): Promise<DeviceLog | null>;
  /** Writes the run's directory as one .zip. The desktop app asks where with a save dialog; browser mode writes to $FLEETSIM_HOME/exports. */
  exportRun(id: string): Promise<ExportResult>;
  /** Unpacks an exported .zip into the runs directory. The desktop app asks which with an open dialog; browser mode takes a path. */
  importRun(file?: string): Promise<ImportResult>;
  /** (Re)writes the run's report.html. */
  reportRun(id: string): Promise<ReportResult>;
  /** Headline figures of 2 to MAX_COMPARED_RUNS past runs side by side (differences against the first) and their timelines overlaid. */
  compareRuns(ids: string[]): Promise<CompareResult>;
  /** Will this machine hold the scenario? The checks a start makes (ports, open files, memory, kernel, cores), without starting. */
  preflight(scenario: ScenarioInput): Promise<PreflightResult>;
  /** Feeds the live view from Prometheus for a distributed run: { prometheusUrl, runId[, windowSeconds] }. Refused while a local run is active. */
  attach(request: AttachRequest): Promise<AttachResult>;
  /** Ends the attached view (nothing happens to the shards); false when none was attached. */
  detach(): Promise<boolean>;
}

export interface CertsInitRequest {
  /** PKI directory; default $FLEETSIM_HOME/pki (~/.fleetsim/pki). */
  dir?: string;
  /** Extra server certificate names (localhost, 127.0.0.1 and ::1 are always in). */
  serverNames?: string[];
  /** Replace an existing PKI. */
  force?: boolean;
}

export type CertsInitResult =
  | { ok: true; dir: string; created: boolean; createdAt: string; serverNames: string[]; caFile: string }
  | { ok: false; problems: string[] };

export type StormResult = { ok: true; storm: StormRecord } | { ok: false; problems: string[] };

export type FleetMethodName = keyof FleetMethods;

export interface FleetApi extends FleetMethods {
  /** Live updates; returns an unsubscribe function. */
  onUpdate(listener: (update: FleetUpdate) => void): () => void;
}

/** Bridge wire format (browser mode): requests, responses and pushes as JSON text frames. */
export type BridgeRequest = { id: number; method: FleetMethodName; params: unknown[] };
export type BridgeMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { push: FleetUpdate };

type ParamsOf<K extends FleetMethodName> = Parameters<FleetMethods[K]>;
/** A name for each parameter, optional ones too (for messages; their count is the method's arity). */
type ParamNames<P extends unknown[]> = Readonly<{ [I in keyof P]-?: string }>;
/** The parameters before the first optional one. */
type RequiredParams<P extends unknown[]> = P extends [infer First, ...infer Rest] ? [First, ...RequiredParams<Rest>] : [];

/** A request/response method: one IPC channel, and its parameters as they cross a process boundary. */
export interface InvokeEntry<K extends FleetMethodName> {
  kind: 'invoke';
  channel: `fleet:${K}`;
  params: ParamNames<ParamsOf<K>>;
  /** How many of `params` a call must pass; the rest may be left out. */
  required: RequiredParams<ParamsOf<K>>['length'];
}

/** A push the main process (or the bridge) sends to every page. */
export interface SubscribeEntry {
  kind: 'subscribe';
  channel: `fleet:${string}`;
}

/** One entry per FleetApi member, nothing more: a method missing here (or extra) fails typecheck. */
export type FleetApiTable = { readonly [K in keyof FleetApi]: K extends FleetMethodName ? InvokeEntry<K> : SubscribeEntry };

export const FLEET_API_TABLE = {
  listPresets: { kind: 'invoke', channel: 'fleet:listPresets', params: [], required: 0 },
  start: { kind: 'invoke', channel: 'fleet:start', params: ['scenario'], required: 1 },
  startCapacity: { kind: 'invoke', channel: 'fleet:startCapacity', params: ['scenario', 'capacity'], required: 1 },
  stop: { kind: 'invoke', channel: 'fleet:stop', params: [], required: 0 },
  status: { kind: 'invoke', channel: 'fleet:status', params: [], required: 0 },
  setTimers: { kind: 'invoke', channel: 'fleet:setTimers', params: ['group', 'timers'], required: 2 },
  setRamp: { kind: 'invoke', channel: 'fleet:setRamp', params: ['connectsPerSec'], required: 1 },
  deviceLog: { kind: 'invoke', channel: 'fleet:deviceLog', params: ['deviceId'], required: 1 },
  devices: { kind: 'invoke', channel: 'fleet:devices', params: ['query'], required: 1 },
  storm: { kind: 'invoke', channel: 'fleet:storm', params: ['action'], required: 1 },
  certsInit: { kind: 'invoke', channel: 'fleet:certsInit', params: ['request'], required: 0 },
  settings: { kind: 'invoke', channel: 'fleet:settings', params: [], required: 0 },
  updateSettings: { kind: 'invoke', channel: 'fleet:updateSettings', params: ['patch'], required: 1 },
  listRuns: { kind: 'invoke', channel: 'fleet:listRuns', params: [], required: 0 },
  openRun: { kind: 'invoke', channel: 'fleet:openRun', params: ['id'], required: 1 },
  runDevices: { kind: 'invoke', channel: 'fleet:runDevices', params: ['id', 'query'], required: 2 },
  runDeviceLog: { kind: 'invoke', channel: 'fleet:runDeviceLog', params: ['id', 'deviceId'], required: 2 },
  exportRun: { kind: 'invoke', channel: 'fleet:exportRun', params: ['id'], required: 1 },
  importRun: { kind: 'invoke', channel: 'fleet:importRun', params: ['file'], required: 0 },
  reportRun: { kind: 'invoke', channel: 'fleet:reportRun', params: ['id'], required: 1 },
  compareRuns: { kind: 'invoke', channel: 'fleet:compareRuns', params: ['ids'], required: 1 },
  preflight: { kind: 'invoke', channel: 'fleet:preflight', params: ['scenario'], required: 1 },
  attach: { kind: 'invoke', channel: 'fleet:attach', params: ['request'], required: 1 },
  detach: { kind: 'invoke', channel: 'fleet:detach', params: [], required: 0 },
  onUpdate: { kind: 'subscribe', channel: 'fleet:update' },
} as const satisfies FleetApiTable;

/** The request/response methods, in table order. */
export const FLEET_METHODS: readonly FleetMethodName[] = (Object.keys(FLEET_API_TABLE) as Array<keyof FleetApi>).filter((k): k is FleetMethodName => FLEET_API_TABLE[k].kind === 'invoke');

export const FLEET_UPDATE_CHANNEL = FLEET_API_TABLE.onUpdate.channel;

export function fleetChannel(name: FleetMethodName): string {
  return FLEET_API_TABLE[name].channel;
}

/** True for the name of a request/response method (never onUpdate, never an Object.prototype name). */
export function isFleetMethod(name: unknown): name is FleetMethodName {
  return typeof name === 'string' && (FLEET_METHODS as readonly string[]).includes(name);
}

/**
 * The FleetMethods as functions handing each call to `send` (the preload's IPC invoke, the
 * bridge client's socket). Arguments past a method's parameters are dropped, and optional ones
 * left undefined at the end are not sent (JSON has no undefined: they would arrive as null).
 */
export function fleetMethodsOver(send: (method: FleetMethodName, params: unknown[]) => Promise<unknown>): FleetMethods {
  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of FLEET_METHODS) {
    const { params, required } = FLEET_API_TABLE[name];
    methods[name] = (...args) => {
      const sent = args.slice(0, params.length);
      while (sent.length > required && sent[sent.length - 1] === undefined) sent.pop();
      return send(name, sent);
    };
  }
  return methods as unknown as FleetMethods;
}
