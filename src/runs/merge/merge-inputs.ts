// The shard records a merge reads: run directories as they are, zips unpacked into a staging
// directory (as `fleetsim import` does), each checked, ordered by shard and given the offset
// that makes its host ids unique in the fleet. Anything wrong is a MergeError with one line saying what.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FleetShard } from '../../contract/fleet-shard.ts';
import type { RunRecord } from '../../contract/runs.ts';
import type { Scenario } from '../../contract/scenario.ts';
import type { RunSummary, TimelinePoint } from '../../contract/snapshot.ts';
import { eventLogHosts } from '../event-logs.ts';
import { importRunArchive, ImportError } from '../run-archive.ts';
import { RUN_FILES, STILL_RECORDING } from '../run-layout.ts';
import { listEntry } from '../run-reader.ts';
import { parseTimeline } from '../timeline-csv.ts';
import { scenarioDifference } from './merge-scenario.ts';

export class MergeError extends Error {}

/** A scenario's hosts are at most 256; anything far past that is a damaged record. */
const MAX_HOSTS = 4096;

function validShard(s: unknown): s is FleetShard {
  const { index, count } = (s ?? {}) as Partial<FleetShard>;
  return Number.isInteger(index) && Number.isInteger(count) && index! >= 0 && count! >= 1 && index! < count! && count! <= 999_999;
}

export interface ShardInput {
  /** The path as given (directory or zip). */
  source: string;
  /** The run directory read (a zip's is in the staging directory). */
  dir: string;
  record: RunRecord;
  scenario: Scenario;
  summary: RunSummary | null;
  timeline: TimelinePoint[];
  shard: FleetShard;
  /** Host ids this shard used: 0 … hosts-1. */
  hosts: number;
  /** Added to this shard's host ids to make them unique in the merged run. */
  hostOffset: number;
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new MergeError(`${what}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `not valid JSON (${(err as Error).message})`}`);
  }
}

async function openOne(source: string, staging: string, n: number): Promise<Omit<ShardInput, 'shard' | 'hostOffset'> & { shard?: FleetShard }> {
  const path = resolve(source);
  if (!existsSync(path)) throw new MergeError(`${source}: no such file or directory`);
  let dir = path;
  if (statSync(path).isFile()) {
    if (!path.endsWith('.zip')) throw new MergeError(`${source} is neither a run directory nor a .zip of one`);
    try {
      dir = join(staging, String(n));
      mkdirSync(dir, { recursive: true });
      dir = join(dir, await importRunArchive(path, dir));
    } catch (err) {
      if (err instanceof ImportError) throw new MergeError(err.message);
      throw err;
    }
  }
  if (!existsSync(join(dir, RUN_FILES.record))) throw new MergeError(`${source} is not a run directory (no ${RUN_FILES.record})`);
  const record = readJson<RunRecord>(join(dir, RUN_FILES.record), `${source}: ${RUN_FILES.record}`);
  if (listEntry(dir, 'input')?.status === 'recording') throw new MergeError(`${source} is still being recorded (${RUN_FILES.record}: ${STILL_RECORDING})`);
  const scenario = readJson<Scenario>(join(dir, RUN_FILES.scenario), `${source}: ${RUN_FILES.scenario}`);
  if (!Array.isArray(scenario.groups)) throw new MergeError(`${source}: ${RUN_FILES.scenario} has no groups`);
  const summary = existsSync(join(dir, RUN_FILES.summary)) ? readJson<RunSummary>(join(dir, RUN_FILES.summary), `${source}: ${RUN_FILES.summary}`) : null;
  const timelineFile = join(dir, RUN_FILES.timeline);
  const timeline = existsSync(timelineFile) ? parseTimeline(readFileSync(timelineFile, 'utf8')).points : [];
  // Every host id the record mentions: a lost host may be missing from one file but not another.
  const ids = [...(summary?.hosts ?? []).map((h) => h.hostId), ...timeline.flatMap((p) => p.hosts.map((h) => h.hostId)), ...eventLogHosts(dir)];
  const hosts = Math.max(Number(record.hosts) || 0, ids.length ? Math.max(...ids) + 1 : 0);
  // The host ids become columns and file names: a record claiming absurdly many is damaged.
  if (!Number.isInteger(hosts) || hosts > MAX_HOSTS) throw new MergeError(`${source}: the record names host ids up to ${hosts - 1}; at most ${MAX_HOSTS} hosts per shard are possible`);
  const shard = record.shard;
  if (shard !== undefined && !validShard(shard)) throw new MergeError(`${source}: ${RUN_FILES.record} has a shard that is not one (${JSON.stringify(shard)}); expected {"index":I,"count":N} with 0 ≤ I < N`);
  return { source, dir, record, scenario, summary, timeline, hosts, shard };
}

const shardName = (s: FleetShard) => `${s.index}/${s.count}`;

export interface OpenedInputs {
  inputs: ShardInput[];
  /** Shard indices of the fleet no input covers. */
  missing: number[];
  shardCount: number;
  warnings: string[];
}

/**
 * Opens and checks `sources`. `force`: merge records of different run ids or scenarios (with a
 * warning each), and take records without a shard as shards in the order given.
 */
export async function openInputs(sources: string[], staging: string, force: boolean): Promise<OpenedInputs> {
  if (sources.length < 2) throw new MergeError(`needs at least 2 shard records to merge, got ${sources.length}`);
  const opened = [];
  for (const [n, source] of sources.entries()) opened.push(await openOne(source, staging, n));
  const warnings: string[] = [];

  const unsharded = opened.filter((o) => !o.shard);
  if (unsharded.length > 0 && !force) {
    throw new MergeError(`${unsharded[0].source} is not a shard of a distributed run (its ${RUN_FILES.record} has no shard); use --force to take the inputs as shards in the order given`);
  }
  const inputs: ShardInput[] = opened.map((o, i) => ({ ...o, shard: unsharded.length > 0 ? { index: i, count: opened.length } : o.shard!, hostOffset: 0 }));
  if (unsharded.length > 0) warnings.push(`${unsharded.length} input(s) name no shard: taken as shards 0-${inputs.length - 1} in the order given`);

  const runIds = [...new Set(inputs.map((i) => i.record.runId ?? '(none)'))];
  if (runIds.length > 1) {
    const list = inputs.map((i) => `${i.source} (${i.record.runId ?? 'no run id'})`).join(', ');
    if (!force) throw new MergeError(`the inputs are from different runs: ${list}; use --force to merge them anyway`);
    warnings.push(`merging different run ids: ${list}`);
  }
  const counts = [...new Set(inputs.map((i) => i.shard.count))];
  if (counts.length > 1) throw new MergeError(`the inputs disagree on the number of shards: ${inputs.map((i) => `${i.source} is shard ${shardName(i.shard)}`).join(', ')}`);
  const seen = new Map<number, ShardInput>();
  for (const i of inputs) {
    const twice = seen.get(i.shard.index);
    if (twice) throw new MergeError(`shard ${shardName(i.shard)} is given twice: ${twice.source} and ${i.source}`);
    seen.set(i.shard.index, i);
  }
  inputs.sort((a, b) => a.shard.index - b.shard.index);
  for (const i of inputs.slice(1)) {
    const diff = scenarioDifference(inputs[0].scenario, i.scenario);
    if (!diff) continue;
    const message = `the scenario of shard ${shardName(i.shard)} (${i.source}) differs from shard ${shardName(inputs[0].shard)}'s at ${diff}`;
    if (!force) throw new MergeError(`${message}: these are not shards of one fleet; use --force to merge them anyway`);
    warnings.push(message);
  }
  let offset = 0;
  for (const i of inputs) {
    i.hostOffset = offset;
    offset += i.hosts;
  }
  const shardCount = counts[0];
  const missing = Array.from({ length: shardCount }, (_, k) => k).filter((k) => !seen.has(k));
  return { inputs, missing, shardCount, warnings };
}
