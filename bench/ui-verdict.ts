// The UI benchmark's figures, its goals, and the verdict against them (pure: bench/ui.ts measures,
// this judges and prints).

export interface Stat {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LongTasks {
  count: number;
  maxMs: number;
  totalMs: number;
}

/** Where the time of long animation frames went: the scripts that ran in them, longest total first. */
export interface ScriptShare {
  script: string;
  ms: number;
}

export interface UiFigures {
  devices: number;
  groups: number;
  hosts: number;
  minutes: number;
  /** A snapshot push as sent on the wire. */
  snapshotBytes: number;
  pushed: { snapshots: number; points: number; events: number };
  /** From the page's request to the live view with its charts and rows (the hour of timeline restored). */
  loadMs: number;
  /** One snapshot applied to the stores, their subscribers included. */
  snapshotApplyMs: Stat;
  /** A snapshot applied and the page re-rendered for it (React renders store changes in a microtask of the same task). */
  snapshotRenderMs: Stat;
  /** One chart redrawn with a new timeline point. */
  chartUpdateMs: Stat;
  /** One timeline point applied to the stores, with what it set off at once (the charts' redraws, unless deferred). */
  timelineApplyMs: Stat;
  eventApplyMs: Stat;
  /** While streaming, nobody touching the page. */
  live: { longTasks: LongTasks; fps: number; frameMs: Stat; topScripts: ScriptShare[] };
  scroll: { rows: number; reachedBottom: boolean; sweepSteps: number; fps: number; frameMs: Stat; bottomFilledMs: number; jumpToRowsMs: Stat; longTasks: LongTasks };
  drawer: { opens: number; logLines: number; renderedMs: Stat; paintedMs: Stat; longTasks: LongTasks };
  runsView: { opens: number; charts: number; listMs: Stat; openMs: Stat; longTasks: LongTasks; topScripts: ScriptShare[] };
  /** JS heap after a full collection, before and after streaming; samples (without collecting) every 30 s. */
  heap: { startMB: number; endMB: number; growthMB: number; samples: Array<{ minute: number; usedMB: number }> };
}

export interface GoalResult {
  goal: string;
  measured: string;
  met: boolean;
}

/** The issue's goals. A flat heap: at most this much growth (after a full collection) over the streaming window. */
export const GOALS = { snapshotApplyP99Ms: 2, longTaskMs: 50, liveFps: 55, drawerMs: 100, heapGrowthMB: 2 } as const;

/** Nearest-rank percentiles of a list of durations. */
export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]) };
}

export function longTasks(durations: readonly number[]): LongTasks {
  return { count: durations.length, maxMs: round(durations.length ? Math.max(...durations) : 0), totalMs: round(durations.reduce((a, b) => a + b, 0)) };
}

/** Frames per second over a run of frame times. */
export function fps(frameMs: readonly number[]): number {
  const total = frameMs.reduce((a, b) => a + b, 0);
  return total > 0 ? round((frameMs.length * 1000) / total, 1) : 0;
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function verdict(f: UiFigures): GoalResult[] {
  return [
    { goal: `snapshot apply p99 < ${GOALS.snapshotApplyP99Ms} ms`, measured: `${f.snapshotApplyMs.p99} ms (p50 ${f.snapshotApplyMs.p50}, max ${f.snapshotApplyMs.max}, n=${f.snapshotApplyMs.count})`, met: f.snapshotApplyMs.count > 0 && f.snapshotApplyMs.p99 < GOALS.snapshotApplyP99Ms },
    { goal: `no long task over ${GOALS.longTaskMs} ms while streaming`, measured: `${f.live.longTasks.count} (max ${f.live.longTasks.maxMs} ms)`, met: f.live.longTasks.count === 0 },
    { goal: `>= ${GOALS.liveFps} frames/s while streaming`, measured: `${f.live.fps} frames/s (frame p99 ${f.live.frameMs.p99} ms)`, met: f.live.fps >= GOALS.liveFps },
    { goal: `device drawer < ${GOALS.drawerMs} ms`, measured: `max ${f.drawer.paintedMs.max} ms (p50 ${f.drawer.paintedMs.p50}, n=${f.drawer.opens})`, met: f.drawer.opens > 0 && f.drawer.paintedMs.max < GOALS.drawerMs },
    { goal: `flat heap (≤ ${GOALS.heapGrowthMB} MB growth over the stream)`, measured: `${f.heap.growthMB} MB (${f.heap.startMB} → ${f.heap.endMB} MB)`, met: f.heap.growthMB <= GOALS.heapGrowthMB },
  ];
}

const s = (x: Stat, unit = 'ms') => `p50 ${x.p50} ${unit}, p99 ${x.p99} ${unit}, max ${x.max} ${unit} (n=${x.count})`;
const lt = (x: LongTasks) => `${x.count} long tasks, max ${x.maxMs} ms, ${x.totalMs} ms in all`;

/** The figures and the verdict as a person reads them. */
export function formatFigures(f: UiFigures, goals: GoalResult[]): string {
  const lines = [
    `UI benchmark: ${f.devices.toLocaleString('en')} devices in ${f.groups} groups on ${f.hosts} hosts, ${f.minutes} min of streaming (${f.pushed.snapshots} snapshots of ${Math.round(f.snapshotBytes / 1024)} KiB, ${f.pushed.points} timeline points, ${f.pushed.events} events)`,
    `  load (to the live view with an hour of timeline): ${f.loadMs} ms`,
    `  snapshot apply:      ${s(f.snapshotApplyMs)}`,
    `  snapshot rendered:   ${s(f.snapshotRenderMs)} (applied, React rendered and committed)`,
    `  chart update:        ${s(f.chartUpdateMs)} (one chart)`,
    `  timeline point:      ${s(f.timelineApplyMs)} (applied and settled)`,
    `  event apply:         ${s(f.eventApplyMs)}`,
    `  live:                ${f.live.fps} frames/s, frame ${s(f.live.frameMs)}; ${lt(f.live.longTasks)}`,
    ...f.live.topScripts.map((x) => `      in long frames: ${x.ms} ms  ${x.script}`),
    `  devices table:       ${f.scroll.rows.toLocaleString('en')} rows swept in ${f.scroll.sweepSteps} steps${f.scroll.reachedBottom ? '' : ' (did NOT reach the bottom)'}: ${f.scroll.fps} frames/s, frame ${s(f.scroll.frameMs)}; bottom rows filled after ${f.scroll.bottomFilledMs} ms; jump to rows ${s(f.scroll.jumpToRowsMs)}; ${lt(f.scroll.longTasks)}`,
    `  device drawer:       request to log rendered ${s(f.drawer.renderedMs)}, painted ${s(f.drawer.paintedMs)} (${f.drawer.logLines} log lines); ${lt(f.drawer.longTasks)}`,
    `  runs view (1 h run): list ${s(f.runsView.listMs)}; run opened to ${f.runsView.charts} charts painted ${s(f.runsView.openMs)}; ${lt(f.runsView.longTasks)}`,
    ...f.runsView.topScripts.map((x) => `      in long frames: ${x.ms} ms  ${x.script}`),
    `  heap (after GC):     ${f.heap.startMB} MB → ${f.heap.endMB} MB (${f.heap.growthMB >= 0 ? '+' : ''}${f.heap.growthMB} MB); samples ${f.heap.samples.map((x) => `${x.minute}m:${x.usedMB}`).join(' ')}`,
    'verdict:',
    ...goals.map((g) => `  ${g.met ? 'met   ' : 'MISSED'} ${g.goal}: ${g.measured}`),
  ];
  return lines.join('\n');
}
