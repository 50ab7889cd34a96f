// devices.csv: one row per device at the end of a run (final state, connects, disconnects,
// last reason, messages, bytes). Each host writes the rows of its own devices when it stops
// (or loses its controller); the recorder merges them. A host that was killed leaves no rows,
// so they are rebuilt from its event log (without message and byte counts, which it never logged).
import { createReadStream, existsSync, readdirSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DeviceSummary } from '../contract/device-log.ts';
import type { DevicePage, DeviceQuery } from '../contract/fleet-api.ts';
import { DEVICE_STATES, type DeviceState } from '../contract/metrics.ts';
import type { TargetDropCause } from '../contract/backpressure.ts';
import { csvLine, parseCsvLine } from './csv.ts';
import { readHostEventLog, eventLogHosts } from './event-logs.ts';
import { devicesPartName, DEVICES_PART_PATTERN, RUN_FILES } from './run-layout.ts';

/**
 * The hosts' columns; devices.csv adds `targetDropped` when it merges them: why the embedded target
 * dropped the device (cap, overload), empty if it did not. A device online with targetDropped set
 * believed in a connection the target had closed. Files from before it have 12 columns.
 */
export const HOST_DEVICE_COLUMNS = ['id', 'group', 'index', 'hostId', 'state', 'connects', 'disconnects', 'lastReason', 'sent', 'received', 'bytesSent', 'bytesReceived'] as const;
export const DEVICE_COLUMNS = [...HOST_DEVICE_COLUMNS, 'targetDropped'] as const;
const HOST_HEADER = HOST_DEVICE_COLUMNS.join(',') + '\n';
const HEADER = DEVICE_COLUMNS.join(',') + '\n';
const DROP_CAUSES: readonly string[] = ['cap', 'overload'] satisfies TargetDropCause[];

export function deviceCsvRow(d: DeviceSummary): string {
  return csvLine([d.id, d.group, d.index, d.hostId, d.state, d.connects, d.disconnects, d.lastReason, d.sent, d.received, d.bytesSent, d.bytesReceived]);
}

export function parseDeviceRow(line: string): DeviceSummary | null {
  const c = parseCsvLine(line);
  if (c.length !== DEVICE_COLUMNS.length && c.length !== HOST_DEVICE_COLUMNS.length) return null;
  const n = (i: number) => Number(c[i]) || 0;
  const state = (DEVICE_STATES as readonly string[]).includes(c[4]) ? (c[4] as DeviceState) : 'lost';
  const dropped = DROP_CAUSES.includes(c[12] ?? '') ? { targetDropped: c[12] as TargetDropCause } : {};
  return { id: c[0], group: c[1], index: n(2), hostId: n(3), state, connects: n(5), disconnects: n(6), lastReason: c[7] || undefined, sent: n(8), received: n(9), bytesSent: n(10), bytesReceived: n(11), writeQueueBytes: 0, inflight: 0, ...dropped };
}

/** A host's rows, written whole then renamed (a reader never sees half of them). */
export function writeDevicesPart(dir: string, hostId: number, devices: Iterable<DeviceSummary>): void {
  const rows: string[] = [HOST_HEADER];
  for (const d of devices) rows.push(deviceCsvRow(d));
  const file = join(dir, devicesPartName(hostId));
  writeFileSync(`${file}.tmp`, rows.join(''));
  renameSync(`${file}.tmp`, file);
}

/** Rows of a killed host's devices, from what its event log says happened to them. */
async function rebuildFromEvents(dir: string, hostId: number): Promise<string[]> {
  const byId = new Map<string, DeviceSummary>();
  for await (const e of readHostEventLog(dir, hostId)) {
    let d = byId.get(e.id);
    if (!d) {
      d = { id: e.id, group: e.g, index: e.i, hostId, state: 'lost', connects: 0, disconnects: 0, sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, writeQueueBytes: 0, inflight: 0 };
      byId.set(e.id, d);
    }
    if (e.kind === 'online') d.connects++;
    if (e.kind === 'disconnected') {
      d.disconnects++;
      d.lastReason = e.detail;
    }
    if (e.kind === 'connect-failed') d.lastReason = e.detail;
  }
  return [...byId.values()].map((d) => csvLine([d.id, d.group, d.index, d.hostId, d.state, d.connects, d.disconnects, d.lastReason, '', '', '', '']).replace(/\n$/, ''));
}

export interface DevicesMerge {
  rows: number;
  /** Hosts whose rows were rebuilt from their event logs (they left none of their own). */
  rebuiltHosts: number[];
}

/** A host row with its targetDropped cell: the cause when the target dropped the device, else empty. */
function withDropCell(line: string, drops: ReadonlyMap<string, TargetDropCause>): string {
  if (drops.size === 0) return `${line},`;
  return `${line},${drops.get(parseCsvLine(line)[0]) ?? ''}`;
}

/**
 * Writes devices.csv from the hosts' parts (removing them), rebuilding the rows of hosts in
 * `hostIds` that left none, and marking the devices the embedded target dropped (`drops`: device
 * id → cause). Does nothing when devices.csv is already there.
 */
export async function mergeDevices(dir: string, hostIds: number[], drops: ReadonlyMap<string, TargetDropCause> = new Map()): Promise<DevicesMerge> {
  const out = join(dir, RUN_FILES.devices);
  if (existsSync(out)) return { rows: -1, rebuiltHosts: [] };
  const parts = new Map<number, string>();
  for (const name of readdirSync(dir)) {
    const m = DEVICES_PART_PATTERN.exec(name);
    if (m) parts.set(Number(m[1]), join(dir, name));
  }
  const hosts = [...new Set([...hostIds, ...parts.keys(), ...eventLogHosts(dir)])].sort((a, b) => a - b);
  const tmp = `${out}.tmp`;
  writeFileSync(tmp, HEADER);
  let rows = 0;
  const rebuiltHosts: number[] = [];
  for (const h of hosts) {
    const part = parts.get(h);
    if (part) {
      const lines = createInterface({ input: createReadStream(part), crlfDelay: Infinity });
      let first = true;
      let chunk: string[] = [];
      for await (const line of lines) {
        if (first || line === '') {
          first = false;
          continue;
        }
        chunk.push(withDropCell(line, drops) + '\n');
        rows++;
        if (chunk.length >= 5000) {
          appendFileSync(tmp, chunk.join(''));
          chunk = [];
        }
      }
      appendFileSync(tmp, chunk.join(''));
    } else {
      const rebuilt = (await rebuildFromEvents(dir, h)).map((line) => withDropCell(line, drops) + '\n');
      if (rebuilt.length > 0) rebuiltHosts.push(h);
      rows += rebuilt.length;
      appendFileSync(tmp, rebuilt.join(''));
    }
  }
  renameSync(tmp, out);
  for (const part of parts.values()) rmSync(part, { force: true });
  return { rows, rebuiltHosts };
}

function matches(d: DeviceSummary, q: DeviceQuery): boolean {
  return (!q.group || d.group === q.group) && (!q.state || d.state === q.state) && (!q.search || d.id.includes(q.search));
}

/** A page of a past run's devices: rows with their byte counts. */
export interface RunDevicePage extends DevicePage {
  rows: DeviceSummary[];
}

/** Streams devices.csv, keeping only the page asked for: memory stays flat however many devices. */
export async function pageDeviceFile(file: string, q: DeviceQuery): Promise<RunDevicePage> {
  const offset = Math.max(0, Math.floor(q.offset) || 0);
  const limit = Math.min(1000, Math.max(0, Math.floor(q.limit) || 0));
  const rows: DeviceSummary[] = [];
  let total = 0;
  if (!existsSync(file)) return { total: 0, offset, rows: [] };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let first = true;
  for await (const line of lines) {
    if (first || line === '') {
      first = false;
      continue;
    }
    const d = parseDeviceRow(line);
    if (!d || !matches(d, q)) continue;
    if (total >= offset && rows.length < limit) rows.push(d);
    total++;
  }
  return { total, offset, rows };
}

/** One device's row, by id (a full scan, stopping at the match). */
export async function findDeviceRow(file: string, id: string): Promise<DeviceSummary | null> {
  if (!existsSync(file)) return null;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.startsWith(id.includes(',') || id.includes('"') ? '"' : id)) continue;
    const d = parseDeviceRow(line);
    if (d && d.id === id) {
      lines.close();
      return d;
    }
  }
  return null;
}
