// Two or more recorded runs side by side: headline figures with their difference against the
// first run, and timelines aligned by seconds since each run's start. Made by src/runs/compare,
// read by `fleetsim compare`, compare.html and the Runs view's Compare pane.
export interface ComparedRun {
  id: string;
  name: string;
  dir: string;
  startedAt: string;
  status: string;
  /** Figures from the per-second timeline because there is no summary (an interrupted run). */
  fromTimeline: boolean;
  /** Thresholds of the run's summary: how many held and how many broke; null when it had none. */
  thresholds: { passed: number; failed: number } | null;
}

export type FigureUnit = 'count' | 'rate' | 'ms' | 'pct' | 'kb';

export interface FigureDiff {
  /** value − the first run's value; null when either is unknown. */
  abs: number | null;
  /** abs as a share of the first run's value, %; null when unknown or the first is 0. */
  pct: number | null;
}

export interface ComparedFigure {
  /** Stable key: "peakOnline", "drops.keepalive", "p99.connack", "cpuPctPerDevice" … */
  key: string;
  label: string;
  unit: FigureUnit;
  /** One value per run, in the runs' order; null when that run's files cannot tell it. */
  values: Array<number | null>;
  /** One per run; the first is always { abs: 0, pct: 0 } when it has a value. */
  diffs: FigureDiff[];
}

export interface ComparedSeries {
  /** Index of the run in RunComparison.runs. */
  run: number;
  /** Seconds since that run's start, and the value then (null: none that second). */
  points: Array<{ t: number; v: number | null }>;
}

export interface ComparedChart {
  /** "online", "messages", "p99-connack" … */
  id: string;
  title: string;
  unit: string;
  axis: 'count' | 'rate' | 'ms';
  series: ComparedSeries[];
}

export interface RunComparison {
  runs: ComparedRun[];
  figures: ComparedFigure[];
  charts: ComparedChart[];
  /** Seconds the longest timeline spans. */
  span: number;
}

/** Runs compared at once at most (a table wider than this stops being readable). */
export const MAX_COMPARED_RUNS = 8;

export type CompareResult = { ok: true; comparison: RunComparison } | { ok: false; problems: string[] };
