// The files of a run directory, <runs>/<time>-<name>/. Shared by the recorder (controller side),
// the hosts (their event logs and device rows) and every reader (CLI, app, report).

export const RUN_FILES = {
  /** The scenario as run: validated, every default filled in, durations in ms. */
  scenario: 'scenario.json',
  /** The scenario as written (file or editor, with command-line overrides): `fleetsim run --from` runs it again. */
  scenarioSource: 'scenario-source.json',
  timeline: 'timeline.csv',
  /**
   * Latency histograms (HdrHistogram compressed base64, µs), NDJSON: one line per second that had
   * samples, `{"t","at","h":{kind:…}}` (the same second as timeline.csv's row), appended as it
   * closes; at the end one `{"total":{kind:…}}` line for the whole run. Merging shards adds them.
   */
  histograms: 'histograms.ndjson',
  fleetEvents: 'fleet-events.ndjson',
  summary: 'summary.json',
  devices: 'devices.csv',
  record: 'run.json',
  report: 'report.html',
} as const;

/** The live event log a host appends to. */
export function eventLogName(hostId: number): string {
  return `events-host${hostId}.ndjson`;
}

/** The n-th rotated part of a host's event log (1 = oldest), gzipped. */
export function rotatedEventLogName(hostId: number, part: number): string {
  return `events-host${hostId}.${part}.ndjson.gz`;
}

/** Matches a host's event log files: host id and part (none for the live file). A rotated part is plain until it has been gzipped. */
export const EVENT_LOG_PATTERN = /^events-host(\d+)(?:\.(\d+))?\.ndjson(\.gz)?$/;

/** Rows a host writes for its own devices when it stops; merged into devices.csv at the end. */
export function devicesPartName(hostId: number): string {
  return `devices-host${hostId}.csv`;
}

export const DEVICES_PART_PATTERN = /^devices-host(\d+)\.csv$/;

/** `2026-11-22T07-58-25-123Z-<name>`: sorts by time, safe on every file system. */
export function runDirName(name: string, at = new Date()): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 60) || 'run';
  return `${at.toISOString().replace(/[:.]/g, '-')}-${safe}`;
}

/** A run id is a directory name: no separators, no `..`, nothing hidden. */
export function isRunId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(id) && !id.includes('..');
}

/** One device event as a line of an event log. */
export interface EventLogLine {
  t: number;
  id: string;
  /** Group name and index of the device. */
  g: string;
  i: number;
  kind: string;
  detail?: string;
}

/** run.json's reason while a run is still being recorded (a reader that finds it with the recorder gone knows the run was interrupted). */
export const STILL_RECORDING = 'the run has not ended';
