// Keeps a record of one run in a directory of its own, <runs>/<time>-<name>/ (see
// src/runs/run-layout.ts): scenario.json as run, timeline.csv appended as each second closes,
// histograms.ndjson (each second's latency histograms, the whole run's at the end),
// fleet-events.ndjson, the hosts' own event logs and device rows, summary.json, devices.csv and
// report.html at the end, and run.json saying whether the record is complete and if not, why.
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DistributedRun } from '../contract/fleet-shard.ts';
import type { HostInit } from '../contract/host-protocol.ts';
import type { EncodedHistograms } from '../contract/metrics.ts';
import type { RunRecord } from '../contract/runs.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { FleetEvent, RunSummary, SecondHistograms, TimelinePoint } from '../contract/snapshot.ts';
import { mergeDevices } from '../runs/devices-csv.ts';
import { redactScenario } from '../runs/redact.ts';
import { writeReport } from '../runs/report/write-report.ts';
import { RUN_FILES, runDirName, STILL_RECORDING } from '../runs/run-layout.ts';
import { timelineHeader, timelineRow } from '../runs/timeline-csv.ts';
import type { FleetController } from './controller.ts';
import type { TargetDrop } from '../contract/backpressure.ts';
import { dropCauses } from './target-drops.ts';

export const DEFAULT_EVENT_LOG_MAX_MB = 64;

export interface RecorderOptions {
  /** A host's live event log rotates (and is gzipped) past this size. */
  eventLogMaxBytes?: number;
  /** Directory name inside the runs directory (default <time>-<name>). */
  id?: string;
  /** The scenario as written, before validation (kept as scenario-source.json for re-runs). */
  source?: object;
  /** One shard of a distributed run: recorded in run.json, and the directory is <runId>-shard<I>. */
  distributed?: DistributedRun;
}

export class RunRecorder {
  readonly dir: string;
  readonly id: string;
  private readonly record: RunRecord;
  private readonly eventLogMaxBytes: number;
  private hostColumns = -1;
  private readonly lostHosts: string[] = [];
  /** Resolves once every file of an ended run is written (the record is then complete or says why not). */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;

  constructor(runsDir: string, scenario: Scenario, options: RecorderOptions = {}) {
    const d = options.distributed;
    this.id = options.id ?? (d ? `${d.runId}-shard${d.shard.index}` : runDirName(scenario.name));
    this.dir = join(runsDir, this.id);
    this.eventLogMaxBytes = options.eventLogMaxBytes ?? DEFAULT_EVENT_LOG_MAX_MB * 1048576;
    mkdirSync(this.dir, { recursive: true });
    // Secrets never go into the run's files: they are shared as they are (see redact.ts).
    writeFileSync(join(this.dir, RUN_FILES.scenario), JSON.stringify(redactScenario(scenario).scenario, null, 2) + '\n');
    if (options.source) writeFileSync(join(this.dir, RUN_FILES.scenarioSource), JSON.stringify(redactScenario(options.source).scenario, null, 2) + '\n');
    this.record = { status: 'incomplete', reason: STILL_RECORDING, startedAt: new Date().toISOString(), pid: process.pid };
    if (d) Object.assign(this.record, { runId: d.runId, shard: d.shard }, d.startAt !== undefined && { startAt: new Date(d.startAt).toISOString() });
    this.writeRecord();
    this.finished = new Promise((r) => (this.resolveFinished = r));
  }

  /** What each host needs to keep its own part of the record (HostInit.record). */
  get hostRecord(): NonNullable<HostInit['record']> {
    return { dir: this.dir, eventLogMaxBytes: this.eventLogMaxBytes };
  }

  /** Records `controller` from now until it ends. */
  attach(controller: FleetController): this {
    controller.on('timeline', (p) => this.timeline(p));
    controller.on('histograms', (h) => this.histograms(h));
    controller.on('event', (e) => this.event(e));
    controller.on('ended', (s) => void this.ended(s, controller.latencyHistograms(), controller.targetDrops()));
    return this;
  }

  timeline(p: TimelinePoint): void {
    // The header is written with the first row, once the number of hosts is known.
    if (this.hostColumns < 0) {
      this.hostColumns = p.hosts.length;
      this.record.hosts = p.hosts.length;
      this.writeRecord();
      appendFileSync(join(this.dir, RUN_FILES.timeline), timelineHeader(this.hostColumns));
    }
    appendFileSync(join(this.dir, RUN_FILES.timeline), timelineRow(p, this.hostColumns));
  }

  /** One closed second's histograms; a second without samples leaves no line. */
  histograms(h: SecondHistograms): void {
    if (Object.keys(h.h).length === 0) return;
    appendFileSync(join(this.dir, RUN_FILES.histograms), JSON.stringify(h) + '\n');
  }

  event(e: FleetEvent): void {
    if (e.type === 'host-lost') this.lostHosts.push(`host ${e.hostId} was lost (${e.reason})`);
    appendFileSync(join(this.dir, RUN_FILES.fleetEvents), JSON.stringify(e) + '\n');
  }

  /** `total`: the whole run's latency histograms (the last line of histograms.ndjson); `drops`: the clients the embedded target dropped, marked in devices.csv. */
  async ended(summary: RunSummary, total?: EncodedHistograms, drops: readonly TargetDrop[] = []): Promise<void> {
    try {
      if (total) appendFileSync(join(this.dir, RUN_FILES.histograms), JSON.stringify({ total }) + '\n');
      writeFileSync(join(this.dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
      if (summary.capacity) writeFileSync(join(this.dir, RUN_FILES.capacity), JSON.stringify(summary.capacity, null, 2) + '\n');
      const merged = await mergeDevices(this.dir, summary.hosts.map((h) => h.hostId), dropCauses(drops));
      const problems = [...this.lostHosts];
      if (merged.rebuiltHosts.length > 0) {
        problems.push(`device rows of host ${merged.rebuiltHosts.join(', ')} rebuilt from the event log (no message or byte counts)`);
      }
      this.record.status = problems.length === 0 ? 'complete' : 'incomplete';
      if (problems.length === 0) delete this.record.reason;
      else this.record.reason = problems.join('; ');
      this.record.endedAt = summary.endedAt;
      this.record.hosts = summary.hosts.length;
      this.writeRecord();
      await writeReport(this.dir);
    } catch (err) {
      this.abandon(`the record could not be finished: ${(err as Error).message}`);
    } finally {
      this.resolveFinished();
    }
  }

  /** The run never started (or broke off): the record stays incomplete, saying why. */
  abandon(reason: string): void {
    this.record.status = 'incomplete';
    this.record.reason = reason;
    this.writeRecord();
    this.resolveFinished();
  }

  private writeRecord(): void {
    // Written whole then renamed over the old one: run.json is never half a file.
    const tmp = join(this.dir, `${RUN_FILES.record}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.record, null, 2) + '\n');
    renameSync(tmp, join(this.dir, RUN_FILES.record));
  }
}
