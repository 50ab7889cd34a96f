// Writes report.html into a run directory: reads the run (record, scenario, summary, the whole
// timeline, the fleet events; never the hosts' event logs), renders the page and puts it in
// place with a rename, so a reader never sees half a report.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_TIMELINE_POINTS } from '../../contract/runs.ts';
import type { FleetEvent, TimelinePoint } from '../../contract/snapshot.ts';
import { readNdjson } from '../ndjson.ts';
import { RUN_FILES } from '../run-layout.ts';
import { readRun } from '../run-reader.ts';
import { parseTimeline } from '../timeline-csv.ts';
import type { ReportInput } from './report-model.ts';
import { renderReport } from './render-report.ts';

/** Fleet events kept for the report beyond storms and saturation records (those are all kept). */
const MAX_LISTED_EVENTS = 1000;

async function readFleetEvents(dir: string): Promise<{ events: FleetEvent[]; leftOut: number }> {
  const file = join(dir, RUN_FILES.fleetEvents);
  const events: FleetEvent[] = [];
  let listed = 0;
  let leftOut = 0;
  if (!existsSync(file)) return { events, leftOut };
  for await (const e of readNdjson<FleetEvent>(file)) {
    if (!e || typeof e !== 'object' || typeof e.type !== 'string' || typeof e.at !== 'number') continue;
    if (e.type === 'storm' || e.type === 'generator-saturated') events.push(e);
    else if (listed < MAX_LISTED_EVENTS) {
      events.push(e);
      listed++;
    } else leftOut++;
  }
  return { events, leftOut };
}

/** The whole timeline: readRun thins long runs, and thinning evenly would step over short spikes. */
function fullTimeline(dir: string, thinned: TimelinePoint[]): TimelinePoint[] {
  const file = join(dir, RUN_FILES.timeline);
  if (thinned.length < MAX_TIMELINE_POINTS || !existsSync(file)) return thinned;
  return parseTimeline(readFileSync(file, 'utf8')).points;
}

/** What the report (and a comparison) is made from: the run, its whole timeline, its fleet events. */
export async function readReportInput(dir: string): Promise<ReportInput> {
  const detail = await readRun(dir);
  if (!detail) throw new Error(`${dir} is not a run directory: there is no ${RUN_FILES.record}`);
  const { events, leftOut } = await readFleetEvents(dir);
  return { detail, timeline: fullTimeline(dir, detail.timeline), events, eventsLeftOut: leftOut, generatedAt: Date.now() };
}

/** Writes `dir`/report.html and returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const page = renderReport(await readReportInput(dir));
  const file = join(dir, RUN_FILES.report);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, page);
  renameSync(tmp, file);
  return file;
}
