// Keeps a record of one run in a directory of its own, <runs>/<time>-<name>/: scenario.json as
// run, timeline.csv (one row per second, appended as each second closes, so a crash loses at
// most the last second), fleet-events.ndjson, summary.json at the end, and run.json saying
// whether the record is complete (it says `incomplete` until the summary is written).
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LATENCY_KINDS } from '../contract/metrics.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { FleetEvent, RunSummary, TimelinePoint } from '../contract/snapshot.ts';
import type { FleetController } from './controller.ts';

export interface RunRecord {
  dir: string;
  status: 'incomplete' | 'complete';
  reason?: string;
  startedAt: string;
  endedAt?: string;
}

/** The timeline's columns, in order; per-host figures follow as host<N>_cpuPct, _rssMB, _loopLagP99Ms. */
export const TIMELINE_COLUMNS = [
  't',
  'at',
  'online',
  'connecting',
  'backoff',
  'connectsPerSec',
  'disconnectsPerSec',
  'sentPerSec',
  'receivedPerSec',
  'bytesSentPerSec',
  'writeQueueBytes',
  'inflight',
  'targetBufferedBytes',
  ...LATENCY_KINDS.map((k) => `${k}P99Ms`),
] as const;

/** `2026-11-22T07-58-25-123Z-<name>`: sorts by time, safe on every file system. */
export function runDirName(name: string, at = new Date()): string {
  return `${at.toISOString().replace(/[:.]/g, '-')}-${name}`;
}

function timelineRow(p: TimelinePoint, hosts: number): string {
  const cells: Array<string | number> = [
    p.t,
    new Date(p.at).toISOString(),
    p.online,
    p.connecting,
    p.backoff,
    p.connects,
    p.disconnects,
    p.sent,
    p.received,
    p.bytesSent,
    p.writeQueueBytes,
    p.inflight,
    p.targetBufferedBytes,
    ...LATENCY_KINDS.map((k) => p.p99[k] ?? 0),
  ];
  for (let h = 0; h < hosts; h++) {
    const host = p.hosts.find((x) => x.hostId === h);
    cells.push(host?.cpuPct ?? '', host?.rssMB ?? '', host?.loopLagP99Ms ?? '');
  }
  return cells.join(',') + '\n';
}

export class RunRecorder {
  readonly dir: string;
  private readonly record: RunRecord;
  private hostColumns = -1;

  constructor(runsDir: string, scenario: Scenario) {
    this.dir = join(runsDir, runDirName(scenario.name));
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, 'scenario.json'), JSON.stringify(scenario, null, 2) + '\n');
    this.record = { dir: this.dir, status: 'incomplete', reason: 'the run has not ended', startedAt: new Date().toISOString() };
    this.writeRecord();
  }

  /** Records `controller` from now until it ends. */
  attach(controller: FleetController): this {
    controller.on('timeline', (p) => this.timeline(p));
    controller.on('event', (e) => this.event(e));
    controller.on('ended', (s) => this.ended(s));
    return this;
  }

  timeline(p: TimelinePoint): void {
    // The header is written with the first row, once the number of hosts is known.
    if (this.hostColumns < 0) {
      this.hostColumns = p.hosts.length;
      const hostCols = p.hosts.flatMap((_, h) => [`host${h}_cpuPct`, `host${h}_rssMB`, `host${h}_loopLagP99Ms`]);
      appendFileSync(join(this.dir, 'timeline.csv'), [...TIMELINE_COLUMNS, ...hostCols].join(',') + '\n');
    }
    appendFileSync(join(this.dir, 'timeline.csv'), timelineRow(p, this.hostColumns));
  }

  event(e: FleetEvent): void {
    appendFileSync(join(this.dir, 'fleet-events.ndjson'), JSON.stringify(e) + '\n');
  }

  ended(summary: RunSummary): void {
    writeFileSync(join(this.dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    this.record.status = 'complete';
    delete this.record.reason;
    this.record.endedAt = summary.endedAt;
    this.writeRecord();
  }

  /** The run never started (or broke off): the record stays incomplete, saying why. */
  abandon(reason: string): void {
    this.record.reason = reason;
    this.writeRecord();
  }

  private writeRecord(): void {
    // Written whole then renamed over the old one: run.json is never half a file.
    const tmp = join(this.dir, 'run.json.tmp');
    writeFileSync(tmp, JSON.stringify(this.record, null, 2) + '\n');
    renameSync(tmp, join(this.dir, 'run.json'));
  }
}
