// `fleetsim runs merge`: one run directory from the records of a distributed run's shards.
// Everything is written in a hidden staging directory in the runs directory and renamed into
// place at the end, so a refusal or a failure leaves nothing behind; then report.html is
// written for the whole fleet.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../contract/runs.ts';
import type { RunSummary } from '../../contract/snapshot.ts';
import { LATENCY_KINDS, type EncodedHistograms, type LatencyKind } from '../../contract/metrics.ts';
import { encodeHistogram, type Histogram } from '../../shared/histograms.ts';
import { writeReport } from '../report/write-report.ts';
import { RUN_FILES, runDirName } from '../run-layout.ts';
import { timelineHeader, timelineRow } from '../timeline-csv.ts';
import { readHistogramsFile, shardTotal, type HistogramSet } from './histograms-file.ts';
import { copyEventLogs, mergeDeviceRows, mergeFleetEvents, type Progress } from './merge-files.ts';
import { MergeError, openInputs, type ShardInput } from './merge-inputs.ts';
import { mergedScenario } from './merge-scenario.ts';
import { mergeSummaries } from './merge-summary.ts';
import { mergeTimelines } from './merge-timeline.ts';

export { MergeError };

export interface MergeOptions {
  runsDir: string;
  /** The merged run's name (its directory is <time>-<name>); default: the run id, or the scenario's name. */
  name?: string;
  /** Merge records of different run ids or scenarios, and records that name no shard. */
  force?: boolean;
  progress?: Progress;
}

export interface MergeResult {
  id: string;
  dir: string;
  status: RunRecord['status'];
  reason?: string;
  devices: number;
  hosts: number;
  shards: number;
  timelineRows: number;
  deviceRows: number;
  warnings: string[];
}

const shardLabel = (i: ShardInput) => `shard ${i.shard.index}/${i.shard.count}`;

function deviceCount(i: ShardInput): number {
  const hosts = i.summary?.hosts ?? [];
  return hosts.length > 0 ? hosts.reduce((n, h) => n + h.devices, 0) : (i.summary?.devices ?? i.scenario.groups.reduce((n, g) => n + g.count, 0));
}

function encodeSet(set: HistogramSet): EncodedHistograms {
  const out: EncodedHistograms = {};
  for (const k of LATENCY_KINDS) if (set[k] && set[k].totalCount > 0) out[k] = encodeHistogram(set[k]);
  return out;
}

export async function mergeRuns(sources: string[], options: MergeOptions): Promise<MergeResult> {
  const progress = options.progress ?? (() => {});
  mkdirSync(options.runsDir, { recursive: true });
  const staging = join(options.runsDir, `.merge-${process.pid}-${Date.now()}`);
  const out = join(staging, 'run');
  mkdirSync(out, { recursive: true });
  let finalDir: string | null = null;
  try {
    const { inputs, missing, shardCount, warnings } = await openInputs(sources, join(staging, 'inputs'), options.force ?? false);
    const scenario = mergedScenario(inputs.map((i) => i.scenario), inputs.map(deviceCount));
    const runId = inputs[0].record.runId;
    // The fleet's clock: the shared start time, else the earliest shard's start.
    const starts = inputs.flatMap((i) => [i.record.startAt, i.summary?.startedAt]).map((t) => Date.parse(t ?? '')).filter(Number.isFinite);
    const startedAt = starts.length > 0 ? Math.min(...starts) : Math.min(...inputs.map((i) => Date.parse(i.record.startedAt)));

    writeFileSync(join(out, RUN_FILES.scenario), JSON.stringify(scenario, null, 2) + '\n');
    if (existsSync(join(inputs[0].dir, RUN_FILES.scenarioSource))) copyFileSync(join(inputs[0].dir, RUN_FILES.scenarioSource), join(out, RUN_FILES.scenarioSource));

    // Timeline and the histograms behind its percentiles.
    const histFiles = await Promise.all(inputs.map((i) => readHistogramsFile(i.dir)));
    const timeline = mergeTimelines(
      inputs.map((i, n) => ({ points: i.timeline, histograms: histFiles[n]?.seconds ?? null, hostOffset: i.hostOffset })),
      startedAt,
    );
    const hosts = inputs.reduce((n, i) => n + i.hosts, 0);
    writeFileSync(join(out, RUN_FILES.timeline), timelineHeader(hosts) + timeline.points.map((p) => timelineRow(p, hosts)).join(''));
    progress(`timeline.csv: ${timeline.points.length} seconds from ${inputs.length} shards`);
    let total: HistogramSet | null = null;
    if (histFiles.every((f) => f !== null)) {
      total = {};
      for (const f of histFiles) {
        for (const [k, h] of Object.entries(shardTotal(f!)) as Array<[LatencyKind, Histogram]>) {
          const into = total[k];
          if (into) into.add(h);
          else total[k] = h;
        }
      }
      writeFileSync(join(out, RUN_FILES.histograms), [...timeline.histograms.map((h) => JSON.stringify(h)), JSON.stringify({ total: encodeSet(total) })].join('\n') + '\n');
    } else warnings.push(`shard(s) ${inputs.filter((_, n) => !histFiles[n]).map((i) => i.shard.index).join(', ')} kept no histograms: their percentiles are the highest of the shards', not exact`);

    const summary: RunSummary | null = mergeSummaries(scenario, inputs.map((i) => ({ summary: i.summary, shardIndex: i.shard.index, hostOffset: i.hostOffset })), timeline.points, total);
    if (summary && runId) summary.runId = runId;
    if (summary) writeFileSync(join(out, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');

    const fileShards = inputs.map((i) => ({ dir: i.dir, shardIndex: i.shard.index, hostOffset: i.hostOffset }));
    const devices = await mergeDeviceRows(join(out, RUN_FILES.devices), fileShards, progress);
    copyEventLogs(out, fileShards, progress);
    await mergeFleetEvents(join(out, RUN_FILES.fleetEvents), fileShards);

    const problems: string[] = [];
    if (missing.length > 0) problems.push(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${shardCount} missing`);
    for (const i of inputs) {
      if (i.record.status !== 'complete') problems.push(`${shardLabel(i)} (${i.source}) is incomplete: ${i.record.reason ?? 'no reason given'}`);
      else if (!i.summary) problems.push(`${shardLabel(i)} (${i.source}) has no summary`);
    }
    for (const s of devices.shardsWithoutRows) problems.push(`shard ${s} left no device rows`);
    const record: RunRecord = {
      status: problems.length === 0 ? 'complete' : 'incomplete',
      ...(problems.length > 0 ? { reason: problems.join('; ') } : {}),
      startedAt: new Date(startedAt).toISOString(),
      ...(summary ? { endedAt: summary.endedAt } : {}),
      pid: process.pid,
      hosts,
      ...(runId ? { runId } : {}),
      ...(inputs[0].record.startAt ? { startAt: inputs[0].record.startAt } : {}),
      merged: {
        shards: inputs.map((i) => ({ runId: i.record.runId, shard: i.shard, source: i.source, hostIds: Array.from({ length: i.hosts }, (_, h) => h + i.hostOffset) })),
      },
    };
    writeFileSync(join(out, RUN_FILES.record), JSON.stringify(record, null, 2) + '\n');

    const name = options.name ?? `${runId ?? scenario.name}-merged`;
    let id = runDirName(name);
    for (let n = 2; existsSync(join(options.runsDir, id)); n++) id = `${runDirName(name)}-${n}`;
    finalDir = join(options.runsDir, id);
    renameSync(out, finalDir);
    progress('report.html');
    await writeReport(finalDir);
    return {
      id,
      dir: finalDir,
      status: record.status,
      reason: record.reason,
      devices: scenario.groups.reduce((n, g) => n + g.count, 0),
      hosts,
      shards: inputs.length,
      timelineRows: timeline.points.length,
      deviceRows: devices.rows,
      warnings,
    };
  } catch (err) {
    if (finalDir) rmSync(finalDir, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
