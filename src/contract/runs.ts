// Recorded runs as every process sees them: the run directory's record (run.json), the list of
// past runs, one opened run, and the app settings that decide where runs are kept.
import type { FleetShard } from './fleet-shard.ts';
import type { Scenario } from './scenario.ts';
import type { RunSummary, TimelinePoint } from './snapshot.ts';

/** run.json: whether a run directory holds a whole run, and if not, why not. */
export interface RunRecord {
  status: 'incomplete' | 'complete';
  /** Why the record is incomplete (the run did not start, a host was lost, the app stopped mid-run …). */
  reason?: string;
  startedAt: string;
  endedAt?: string;
  /** The process that recorded the run: a run still `incomplete` whose recorder is gone was interrupted. */
  pid: number;
  hosts?: number;
  /** A shard of a distributed run: the run id all shards share, and which shard this record is. */
  runId?: string;
  shard?: FleetShard;
  /** The start time every shard was given (ISO), when the shards started together. */
  startAt?: string;
  /** A run merged from shard records (`fleetsim runs merge`): where each shard's hosts went. */
  merged?: { shards: Array<{ runId?: string; shard?: FleetShard; source: string; hostIds: number[] }> };
}

/** One past run, as listed. `id` is the run directory's name. */
export interface RunListEntry {
  id: string;
  name: string;
  dir: string;
  status: 'complete' | 'incomplete' | 'recording';
  reason?: string;
  startedAt: string;
  endedAt?: string;
  devices: number;
  peakOnline: number | null;
  /** Bytes on disk, all files. */
  bytes: number;
  /** A run merged from shards (`fleetsim runs merge`): how many. */
  mergedShards?: number;
}

/** One past run, opened: everything the app shows of it except devices and device logs (paged from disk). */
export interface RunDetail {
  entry: RunListEntry;
  scenario: Scenario | null;
  /** The scenario as written (scenario-source.json): what "run again" loads into the editor. */
  source: unknown;
  summary: RunSummary | null;
  /** One point per second (at most MAX_TIMELINE_POINTS: longer runs are thinned evenly). */
  timeline: TimelinePoint[];
  /** Rows of the timeline file that could not be read (a torn last line after a crash). */
  skippedRows: number;
  files: Array<{ name: string; bytes: number }>;
}

export const MAX_TIMELINE_POINTS = 3600;

export interface AppSettings {
  /** Where runs are recorded: <runsDir>/<time>-<name>/. Default $FLEETSIM_HOME/runs (~/.fleetsim/runs). */
  runsDir: string;
  /** Record every run (on by default). */
  record: boolean;
  /** Serve Prometheus /metrics on 127.0.0.1:<port> while a run lasts (null: off; 0: any free port). */
  metricsPort: number | null;
  /** Event logs rotate (and are gzipped) past this size, per host. */
  eventLogMaxMB: number;
}

export type SettingsResult = { ok: true; settings: AppSettings } | { ok: false; problems: string[] };

/** `redacted`: the scenario fields whose secrets were replaced when the run was recorded (not in the zip). */
export type ExportResult = { ok: true; file: string; bytes: number; redacted?: string[] } | { ok: false; canceled?: boolean; problems: string[] };
export type ImportResult = { ok: true; run: RunListEntry } | { ok: false; canceled?: boolean; problems: string[] };
export type ReportResult = { ok: true; file: string } | { ok: false; problems: string[] };
