// The files a merged run takes from its shards as they are, renumbered: devices.csv (rows of
// every shard, hostId moved to the fleet-unique id), each host's event logs copied under the new
// id (the device log reader finds them by devices.csv's hostId), and fleet-events.ndjson (every
// shard's lines, tagged with the shard, host ids moved, sorted by time).
import { appendFileSync, copyFileSync, constants, createReadStream, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FleetEvent } from '../../contract/snapshot.ts';
import { csvLine, parseCsvLine } from '../csv.ts';
import { DEVICE_COLUMNS, HOST_DEVICE_COLUMNS } from '../devices-csv.ts';
import { readNdjson } from '../ndjson.ts';
import { DEVICES_PART_PATTERN, EVENT_LOG_PATTERN, RUN_FILES } from '../run-layout.ts';

export interface FileShard {
  dir: string;
  shardIndex: number;
  hostOffset: number;
}

export type Progress = (message: string) => void;

const HOST_COLUMN = DEVICE_COLUMNS.indexOf('hostId');

/** A shard's device rows: devices.csv, or the hosts' parts when its recorder never merged them. */
function deviceFiles(dir: string): string[] {
  if (existsSync(join(dir, RUN_FILES.devices))) return [join(dir, RUN_FILES.devices)];
  return readdirSync(dir)
    .filter((n) => DEVICES_PART_PATTERN.test(n))
    .sort((a, b) => Number(DEVICES_PART_PATTERN.exec(a)![1]) - Number(DEVICES_PART_PATTERN.exec(b)![1]))
    .map((n) => join(dir, n));
}

/** Writes devices.csv (header once); returns the rows written and the device ids seen twice. */
export async function mergeDeviceRows(out: string, shards: FileShard[], progress: Progress): Promise<{ rows: number; shardsWithoutRows: number[] }> {
  writeFileSync(out, DEVICE_COLUMNS.join(',') + '\n');
  let rows = 0;
  const shardsWithoutRows: number[] = [];
  for (const s of shards) {
    const files = deviceFiles(s.dir);
    if (files.length === 0) shardsWithoutRows.push(s.shardIndex);
    for (const file of files) {
      let chunk: string[] = [];
      let first = true;
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
        if (first || line === '') {
          first = false;
          continue;
        }
        const cells = parseCsvLine(line);
        // Rows of hosts' parts and of older records lack the last column (targetDropped): empty.
        if (cells.length === HOST_DEVICE_COLUMNS.length) cells.push('');
        if (cells.length !== DEVICE_COLUMNS.length) continue; // a torn row
        cells[HOST_COLUMN] = String((Number(cells[HOST_COLUMN]) || 0) + s.hostOffset);
        chunk.push(csvLine(cells));
        rows++;
        if (chunk.length >= 5000) {
          appendFileSync(out, chunk.join(''));
          chunk = [];
          progress(`devices.csv: ${rows.toLocaleString('en-US')} rows`);
        }
      }
      appendFileSync(out, chunk.join(''));
    }
  }
  progress(`devices.csv: ${rows.toLocaleString('en-US')} rows`);
  return { rows, shardsWithoutRows };
}

/** Copies every host's event log files under the host's new id; returns the new host ids that have a log. */
export function copyEventLogs(outDir: string, shards: FileShard[], progress: Progress): number[] {
  const hosts = new Set<number>();
  let files = 0;
  let bytes = 0;
  for (const s of shards) {
    for (const name of readdirSync(s.dir).sort()) {
      const m = EVENT_LOG_PATTERN.exec(name);
      if (!m) continue;
      const hostId = Number(m[1]) + s.hostOffset;
      const renamed = name.replace(/^events-host\d+/, `events-host${hostId}`);
      // A copy-on-write clone where the file system has them; a plain copy otherwise.
      copyFileSync(join(s.dir, name), join(outDir, renamed), constants.COPYFILE_FICLONE);
      hosts.add(hostId);
      files++;
      bytes += statSync(join(outDir, renamed)).size;
      progress(`event logs: ${files} files, ${(bytes / 1048576).toFixed(1)} MB`);
    }
  }
  return [...hosts].sort((a, b) => a - b);
}

function retagged(e: FleetEvent, s: FileShard): FleetEvent & { shard: number } {
  if (e.type === 'host-lost') return { ...e, hostId: e.hostId + s.hostOffset, shard: s.shardIndex };
  if (e.type === 'generator-saturated') return { ...e, record: { ...e.record, hostId: e.record.hostId + s.hostOffset, shard: s.shardIndex }, shard: s.shardIndex };
  if (e.type === 'storm') return { ...e, storm: { ...e.storm, shard: s.shardIndex }, shard: s.shardIndex };
  return { ...e, shard: s.shardIndex };
}

/** fleet-events.ndjson: every shard's events (a few per run: states, storms, notes), sorted by time. */
export async function mergeFleetEvents(out: string, shards: FileShard[]): Promise<number> {
  const all: Array<FleetEvent & { shard: number }> = [];
  for (const s of shards) {
    const file = join(s.dir, RUN_FILES.fleetEvents);
    if (!existsSync(file)) continue;
    for await (const e of readNdjson<FleetEvent>(file)) if (e && typeof e === 'object' && typeof e.at === 'number') all.push(retagged(e, s));
  }
  // Stable: events of one time keep their shard order.
  all.sort((a, b) => a.at - b.at);
  writeFileSync(out, all.map((e) => JSON.stringify(e) + '\n').join(''));
  return all.length;
}
