// Reads recorded runs back from disk: the list of runs in a runs directory, one run opened
// (record, scenario, summary, timeline), its devices page by page and a device's events.
// A run whose recorder died mid-run (the app was killed) is recognised and finished here:
// its hosts' device rows are merged and run.json says it was interrupted.
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceLog } from '../contract/device-log.ts';
import type { DeviceQuery } from '../contract/fleet-api.ts';
import { MAX_TIMELINE_POINTS, type RunDetail, type RunListEntry, type RunRecord } from '../contract/runs.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { RunSummary } from '../contract/snapshot.ts';
import { findDeviceRow, mergeDevices, pageDeviceFile, type RunDevicePage } from './devices-csv.ts';
import { deviceEvents } from './event-logs.ts';
import { recordProblems, runDirProblems, scenarioProblems, summaryProblems } from './run-check.ts';
import { isRunId, RUN_FILES, STILL_RECORDING } from './run-layout.ts';
import { parseTimeline, thinTimeline } from './timeline-csv.ts';

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** run.json, or null when it is missing or not a run record. */
export function readRecord(dir: string): RunRecord | null {
  const record = readJson<unknown>(join(dir, RUN_FILES.record));
  return recordProblems(record).length === 0 ? (record as RunRecord) : null;
}

/** scenario.json, or null when it is missing or malformed. */
function readScenario(dir: string): Scenario | null {
  const scenario = readJson<unknown>(join(dir, RUN_FILES.scenario));
  return scenarioProblems(scenario).length === 0 ? (scenario as Scenario) : null;
}

/** summary.json, or null when it is missing or malformed. */
function readSummary(dir: string): RunSummary | null {
  const summary = readJson<unknown>(join(dir, RUN_FILES.summary));
  return summaryProblems(summary).length === 0 ? (summary as RunSummary) : null;
}

/** Still being recorded: incomplete, not ended, and its recording process is alive. */
function isRecording(record: RunRecord): boolean {
  return record.status === 'incomplete' && !record.endedAt && record.reason === STILL_RECORDING && processAlive(record.pid);
}

function dirBytes(dir: string): Array<{ name: string; bytes: number }> {
  return readdirSync(dir)
    .filter((name) => !name.endsWith('.tmp'))
    .map((name) => ({ name, bytes: statSync(join(dir, name)).size }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A run directory that cannot be read as a run: listed, so it can be seen (and deleted), saying why. */
function brokenEntry(dir: string, id: string, why: string): RunListEntry {
  let startedAt: string;
  try {
    startedAt = statSync(dir).mtime.toISOString();
  } catch {
    startedAt = new Date(0).toISOString();
  }
  let bytes = 0;
  try {
    bytes = dirBytes(dir).reduce((n, f) => n + f.bytes, 0);
  } catch {
    // Unreadable directory: 0 bytes as far as we can tell.
  }
  return { id, name: id, dir, status: 'incomplete', reason: `unreadable: ${why}`, startedAt, devices: 0, peakOnline: null, bytes };
}

/** The run in `dir` as listed; null when `dir` has no run.json (not a run). */
export function listEntry(dir: string, id: string): RunListEntry | null {
  if (!existsSync(join(dir, RUN_FILES.record))) return null;
  const problems = runDirProblems(dir);
  const record = readRecord(dir);
  if (!record) return brokenEntry(dir, id, problems.join('; '));
  const scenario = readScenario(dir);
  const summary = readSummary(dir);
  const recording = isRecording(record);
  // The recorder is gone but never said so: the run was interrupted (opening it finishes the record).
  const interrupted = !recording && record.reason === STILL_RECORDING ? `interrupted: the recording process (pid ${record.pid}) stopped before the run ended` : record.reason;
  const reason = problems.length > 0 ? `unreadable: ${problems.join('; ')}` : recording ? undefined : interrupted;
  return {
    id,
    name: scenario?.name ?? summary?.name ?? id,
    dir,
    status: recording ? 'recording' : problems.length > 0 ? 'incomplete' : record.status,
    reason,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    devices: scenario ? scenario.groups.reduce((n, g) => n + g.count, 0) : (summary?.devices ?? 0),
    peakOnline: summary?.peakOnline ?? null,
    bytes: dirBytes(dir).reduce((n, f) => n + f.bytes, 0),
    ...(Array.isArray(record.merged?.shards) ? { mergedShards: record.merged.shards.length } : {}),
  };
}

/** Runs in `runsDir`, newest first (directories without a run.json are not runs; broken ones are listed as such). */
export function listRuns(runsDir: string): RunListEntry[] {
  if (!existsSync(runsDir)) return [];
  const entries: RunListEntry[] = [];
  for (const d of readdirSync(runsDir, { withFileTypes: true })) {
    if (!d.isDirectory() || !isRunId(d.name)) continue;
    const dir = join(runsDir, d.name);
    try {
      const entry = listEntry(dir, d.name);
      if (entry) entries.push(entry);
    } catch (err) {
      // One run that cannot be read never hides the others.
      entries.push(brokenEntry(dir, d.name, (err as Error).message));
    }
  }
  return entries.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id));
}

/** The directory of run `id` in `runsDir`, or null when `id` is not a run there. */
export function runDir(runsDir: string, id: string): string | null {
  if (!isRunId(id)) return null;
  const dir = join(runsDir, id);
  return existsSync(join(dir, RUN_FILES.record)) ? dir : null;
}

/**
 * Finishes the record of a run whose recorder stopped mid-run: merges the device rows the hosts
 * left (or rebuilds them from the event logs) and marks the run interrupted. No-op otherwise.
 */
export async function repairInterrupted(dir: string): Promise<boolean> {
  const record = readRecord(dir);
  if (!record || record.endedAt || record.status === 'complete' || isRecording(record)) return false;
  if (record.reason !== STILL_RECORDING) return false;
  await mergeDevices(dir, Array.from({ length: record.hosts ?? 0 }, (_, h) => h));
  const timeline = existsSync(join(dir, RUN_FILES.timeline)) ? parseTimeline(readFileSync(join(dir, RUN_FILES.timeline), 'utf8')).points : [];
  const last = timeline.at(-1);
  record.reason = `interrupted: the recording process (pid ${record.pid}) stopped before the run ended${last ? `, ${last.t} s in` : ''}; there is no summary`;
  if (last) record.endedAt = new Date(last.at).toISOString();
  const tmp = join(dir, `${RUN_FILES.record}.tmp`);
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
  renameSync(tmp, join(dir, RUN_FILES.record));
  return true;
}

/** Reads a run directory whole except its device rows and event logs. */
export async function readRun(dir: string, id = dir.split(/[\\/]/).pop() ?? dir): Promise<RunDetail | null> {
  await repairInterrupted(dir);
  const entry = listEntry(dir, id);
  if (!entry) return null;
  const timelineFile = join(dir, RUN_FILES.timeline);
  const parsed = existsSync(timelineFile) ? parseTimeline(readFileSync(timelineFile, 'utf8')) : { points: [], skipped: 0 };
  return {
    entry,
    scenario: readScenario(dir),
    source: readJson<unknown>(join(dir, RUN_FILES.scenarioSource)),
    summary: readSummary(dir),
    timeline: thinTimeline(parsed.points, MAX_TIMELINE_POINTS),
    skippedRows: parsed.skipped,
    files: dirBytes(dir),
  };
}

export function runDevicesPage(dir: string, query: DeviceQuery): Promise<RunDevicePage> {
  return pageDeviceFile(join(dir, RUN_FILES.devices), query);
}

/** A device's row and its last `limit` events, read from the run's files. */
export async function runDeviceLog(dir: string, deviceId: string, limit = 500): Promise<DeviceLog | null> {
  const row = await findDeviceRow(join(dir, RUN_FILES.devices), deviceId);
  const { events } = await deviceEvents(dir, deviceId, row?.hostId ?? null, limit);
  if (!row && events.length === 0) return null;
  const device = row ?? { id: deviceId, group: '', index: 0, hostId: -1, state: 'lost' as const, connects: 0, disconnects: 0, sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, writeQueueBytes: 0, inflight: 0 };
  return { device, events };
}
