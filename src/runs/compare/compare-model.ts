// The comparison of recorded runs as a pure function of their report inputs: per run the
// headline figures (as report.html works them out), each figure's difference against the first
// run, and timelines overlaid by seconds since each run's start. No I/O.
import { LATENCY_KINDS, type LatencyKind } from '../../contract/metrics.ts';
import type { ComparedChart, ComparedFigure, ComparedRun, FigureDiff, FigureUnit, RunComparison } from '../../contract/run-comparison.ts';
import type { TimelinePoint } from '../../contract/snapshot.ts';
import { downsample } from '../report/downsample.ts';
import { disconnectReasons, headline, hostRows, latencyKinds, timelineLatencyRows, type ReportInput } from '../report/report-model.ts';
import { runStatus } from '../report/render-report.ts';

/** Points per run in each overlaid chart at most: a day-long run still shows its spikes. */
export const MAX_COMPARED_POINTS = 600;

export function figureDiff(value: number | null, base: number | null): FigureDiff {
  if (value === null || base === null) return { abs: null, pct: null };
  const abs = value - base;
  return { abs, pct: base === 0 ? (abs === 0 ? 0 : null) : (abs / Math.abs(base)) * 100 };
}

function figure(key: string, label: string, unit: FigureUnit, values: Array<number | null>): ComparedFigure {
  return { key, label, unit, values, diffs: values.map((v) => figureDiff(v, values[0])) };
}

/** Connects per second over the seconds in which any device connected (the ramp as achieved). */
function connectRate(timeline: TimelinePoint[]): number | null {
  const busy = timeline.filter((p) => p.connects > 0);
  return busy.length ? busy.reduce((n, p) => n + p.connects, 0) / busy.length : null;
}

function peakConnectRate(timeline: TimelinePoint[]): number | null {
  return timeline.length ? timeline.reduce((m, p) => Math.max(m, p.connects), 0) : null;
}

/** p50 / p99 of a latency kind: the summary's over the whole run, or the median of the seconds'. */
function latency(input: ReportInput, kind: LatencyKind, which: 'p50' | 'p99'): number | null {
  const s = input.detail.summary?.latencyMs?.[kind];
  if (input.detail.summary) return s && s.count > 0 ? s[which] : null;
  const row = timelineLatencyRows(input).find((r) => r.kind === kind);
  if (!row) return null;
  return which === 'p50' ? row.medianP50 || null : row.medianP99;
}

/** Generator cost per device: the hosts' average CPU % and peak RSS added up, over the devices. */
function perDevice(input: ReportInput, devices: number): { cpuPct: number | null; rssKb: number | null } {
  const hosts = hostRows(input);
  if (hosts.length === 0 || devices <= 0) return { cpuPct: null, rssKb: null };
  const cpu = hosts.every((h) => h.avgCpuPct === null) ? null : hosts.reduce((n, h) => n + (h.avgCpuPct ?? 0), 0);
  const rss = hosts.every((h) => h.peakRssMB === null) ? null : hosts.reduce((n, h) => n + (h.peakRssMB ?? 0), 0);
  return { cpuPct: cpu === null ? null : cpu / devices, rssKb: rss === null ? null : (rss * 1024) / devices };
}

function comparedRun(input: ReportInput): ComparedRun {
  const { entry, scenario, summary } = input.detail;
  const thresholds = summary?.thresholds;
  return {
    id: entry.id,
    name: scenario?.name ?? summary?.name ?? entry.name,
    dir: entry.dir,
    startedAt: entry.startedAt,
    status: runStatus(input.detail),
    fromTimeline: !summary,
    thresholds: thresholds?.length ? { passed: thresholds.filter((r) => r.pass).length, failed: thresholds.filter((r) => !r.pass).length } : null,
  };
}

function figures(inputs: ReportInput[]): ComparedFigure[] {
  const heads = inputs.map(headline);
  const costs = inputs.map((input, i) => perDevice(input, heads[i].devices));
  const out: ComparedFigure[] = [
    figure('devices', 'devices', 'count', heads.map((h) => h.devices)),
    figure('peakOnline', 'peak online', 'count', heads.map((h) => h.peakOnline)),
    figure('online', 'online at the end', 'count', heads.map((h) => h.online)),
    figure('connects', 'connects', 'count', heads.map((h) => h.connects)),
    figure('connectRate', 'connect rate (avg /s)', 'rate', inputs.map((i) => connectRate(i.timeline))),
    figure('connectRatePeak', 'connect rate (peak /s)', 'rate', inputs.map((i) => peakConnectRate(i.timeline))),
    figure('connectFailures', 'connect failures', 'count', heads.map((h) => h.connectFailures)),
    figure('disconnects', 'drops', 'count', heads.map((h) => h.disconnects)),
  ];
  const reasons = inputs.map(disconnectReasons);
  const reasonKeys = [...new Set(reasons.flatMap((r) => Object.keys(r).filter((k) => r[k] > 0)))].sort();
  for (const reason of reasonKeys) out.push(figure(`drops.${reason}`, `drops: ${reason}`, 'count', reasons.map((r) => r[reason] ?? 0)));
  const kinds = LATENCY_KINDS.filter((k) => inputs.some((i) => latencyKinds(i).includes(k)));
  for (const kind of kinds) {
    out.push(figure(`p50.${kind}`, `${kind} p50`, 'ms', inputs.map((i) => latency(i, kind, 'p50'))));
    out.push(figure(`p99.${kind}`, `${kind} p99`, 'ms', inputs.map((i) => latency(i, kind, 'p99'))));
  }
  out.push(figure('cpuPctPerDevice', 'generator CPU per device', 'pct', costs.map((c) => c.cpuPct)));
  out.push(figure('rssKbPerDevice', 'generator RSS per device', 'kb', costs.map((c) => c.rssKb)));
  return out;
}

function chart(id: string, title: string, unit: string, axis: ComparedChart['axis'], inputs: ReportInput[], value: (p: TimelinePoint) => number | null): ComparedChart {
  return {
    id,
    title,
    unit,
    axis,
    series: inputs.map((input, run) => ({ run, points: downsample(input.timeline.map((p) => ({ t: p.t, v: value(p) })), MAX_COMPARED_POINTS) })),
  };
}

function charts(inputs: ReportInput[]): ComparedChart[] {
  const out = [
    chart('online', 'Devices online', 'devices', 'count', inputs, (p) => p.online),
    chart('messages', 'Messages', 'sent + received per second', 'rate', inputs, (p) => p.sent + p.received),
  ];
  const kinds = LATENCY_KINDS.filter((k) => inputs.some((i) => i.timeline.some((p) => (p.p99[k] ?? 0) > 0)));
  for (const kind of kinds) out.push(chart(`p99-${kind}`, `${kind} p99`, 'ms, per second', 'ms', inputs, (p) => (p.p99[kind] ?? 0) > 0 ? p.p99[kind] : null));
  return out;
}

/** Compares `inputs` (two or more runs); differences are against the first. */
export function compareRuns(inputs: ReportInput[]): RunComparison {
  if (inputs.length < 2) throw new Error(`a comparison needs two runs or more, got ${inputs.length}`);
  const span = Math.max(1, ...inputs.map((i) => Math.max(i.timeline.at(-1)?.t ?? 0, (i.detail.summary?.durationMs ?? 0) / 1000)));
  return { runs: inputs.map(comparedRun), figures: figures(inputs), charts: charts(inputs), span };
}
