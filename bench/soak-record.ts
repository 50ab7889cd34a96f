// Is a soak's run record complete? Its JSON files read as a run (src/runs/run-check.ts), summary.json
// holds every storm, timeline.csv has a row for every second from the start to the end, and run.json
// says complete, or incomplete only because of the hosts the soak itself killed (a killed host
// loses its last quarter second of events: that is the storm, not a defect of the record).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../src/contract/runs.ts';
import type { RunSummary } from '../src/contract/snapshot.ts';
import { runDirProblems } from '../src/runs/run-check.ts';
import { RUN_FILES } from '../src/runs/run-layout.ts';
import { parseTimeline } from '../src/runs/timeline-csv.ts';

export interface RecordCheck {
  dir: string;
  complete: boolean;
  /** run.json's status and, when incomplete, its reason. */
  status: string;
  reason: string | null;
  timelineRows: number;
  /** Seconds the run lasted (from the summary). */
  runSeconds: number;
  /** The longest stretch without a timeline row, s. */
  largestGapS: number;
  storms: number;
  problems: string[];
}

/** `killedHosts`: how many kill-host storms the soak made; `storms`: how many storms in all. */
export function checkRecord(dir: string, storms: number, killedHosts: number): RecordCheck {
  const problems = [...runDirProblems(dir)];
  const read = <T>(name: string): T | null => {
    try {
      return JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;
    } catch {
      return null;
    }
  };
  const record = read<RunRecord>(RUN_FILES.record);
  const summary = read<RunSummary>(RUN_FILES.summary);
  if (!summary) problems.push(`${RUN_FILES.summary}: missing or unreadable`);
  const runSeconds = summary ? (Date.parse(summary.endedAt) - Date.parse(summary.startedAt)) / 1000 : 0;
  if (summary && summary.storms.length !== storms) problems.push(`${RUN_FILES.summary}: ${summary.storms.length} storms recorded, ${storms} made`);
  const reason = record?.reason ?? null;
  if (record?.status !== 'complete') {
    // Only "host N was lost (killed by SIGKILL)" for each host the soak killed is expected.
    const lost = (reason ?? '').split('; ').filter((r) => /^host \d+ was lost \(killed by SIGKILL\)$/.test(r));
    const other = (reason ?? '').split('; ').filter((r) => r && !lost.includes(r));
    if (other.length || lost.length > killedHosts || !record) problems.push(`${RUN_FILES.record}: ${record?.status ?? 'missing'}: ${reason ?? 'no reason given'}`);
  }
  const timelineFile = join(dir, RUN_FILES.timeline);
  const { points, skipped } = existsSync(timelineFile) ? parseTimeline(readFileSync(timelineFile, 'utf8')) : { points: [], skipped: 0 };
  if (skipped > 0) problems.push(`${RUN_FILES.timeline}: ${skipped} unreadable rows`);
  let largestGapS = points.length ? points[0].t : runSeconds;
  for (let i = 1; i < points.length; i++) largestGapS = Math.max(largestGapS, points[i].t - points[i - 1].t);
  if (points.length) largestGapS = Math.max(largestGapS, runSeconds - points[points.length - 1].t);
  // One row a second; a busy controller may close two seconds at once now and then, not more.
  if (largestGapS > 3) problems.push(`${RUN_FILES.timeline}: no row for ${Math.round(largestGapS)} s`);
  if (points.length < Math.floor(runSeconds * 0.95)) problems.push(`${RUN_FILES.timeline}: ${points.length} rows for a ${Math.round(runSeconds)} s run`);
  return { dir, complete: problems.length === 0, status: record?.status ?? 'missing', reason, timelineRows: points.length, runSeconds: Math.round(runSeconds), largestGapS: Math.round(largestGapS * 10) / 10, storms: summary?.storms.length ?? 0, problems };
}
