// Reading a run's event logs: each host's rotated parts (oldest first) and then its live file,
// line by line. A device's history is found by scanning only its host's files, with a cheap
// text test before any JSON is parsed.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceEvent, DeviceEventKind } from '../contract/device-log.ts';
import { readLines, readNdjson, type NdjsonStats } from './ndjson.ts';
import { EVENT_LOG_PATTERN, type EventLogLine } from './run-layout.ts';

interface LogFile {
  hostId: number;
  /** 0 for the live file, which comes after every rotated part. */
  part: number;
  name: string;
}

function logFiles(dir: string): LogFile[] {
  if (!existsSync(dir)) return [];
  const files: LogFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = EVENT_LOG_PATTERN.exec(name);
    if (m) files.push({ hostId: Number(m[1]), part: m[2] === undefined ? 0 : Number(m[2]), name });
  }
  // A part being gzipped exists twice for a moment (plain and .gz): prefer the finished .gz.
  const seen = new Set(files.filter((f) => f.name.endsWith('.gz')).map((f) => `${f.hostId}.${f.part}`));
  return files
    .filter((f) => f.name.endsWith('.gz') || f.part === 0 || !seen.has(`${f.hostId}.${f.part}`))
    .sort((a, b) => a.hostId - b.hostId || (a.part || Infinity) - (b.part || Infinity));
}

/** Hosts that left an event log in `dir`. */
export function eventLogHosts(dir: string): number[] {
  return [...new Set(logFiles(dir).map((f) => f.hostId))];
}

/** Every event a host logged, in order. */
export async function* readHostEventLog(dir: string, hostId: number, stats?: NdjsonStats): AsyncGenerator<EventLogLine> {
  for (const f of logFiles(dir)) if (f.hostId === hostId) yield* readNdjson<EventLogLine>(join(dir, f.name), stats);
}

/**
 * The last `limit` events of one device. With `hostId`, only that host's logs are read.
 * Lines are filtered as text first (`"id":"<id>"`), so most are never parsed.
 */
export async function deviceEvents(dir: string, id: string, hostId: number | null, limit = 500): Promise<{ events: DeviceEvent[]; total: number }> {
  const needle = `"id":${JSON.stringify(id)},`;
  const ring: DeviceEvent[] = [];
  let total = 0;
  for (const f of logFiles(dir)) {
    if (hostId !== null && f.hostId !== hostId) continue;
    for await (const line of readLines(join(dir, f.name))) {
      if (!line.includes(needle)) continue;
      let e: EventLogLine;
      try {
        e = JSON.parse(line) as EventLogLine;
      } catch {
        continue;
      }
      if (e.id !== id) continue;
      total++;
      ring.push(e.detail === undefined ? { t: e.t, kind: e.kind as DeviceEventKind } : { t: e.t, kind: e.kind as DeviceEventKind, detail: e.detail });
      if (ring.length > limit) ring.shift();
    }
  }
  return { events: ring, total };
}
