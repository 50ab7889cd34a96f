// The report's charts, made from the run's timeline: which series each chart has and in what
// colour (the same colour for a series everywhere), storm and incident markers, saturation bands,
// and the chart card around each SVG (title, unit, legend with each series' peak or average).
import type { LatencyKind } from '../../contract/metrics.ts';
import type { TimelinePoint } from '../../contract/snapshot.ts';
import { downsample, type XY } from './downsample.ts';
import { html, raw, type Html } from './html.ts';
import { fmtBytes, fmtMs, fmtNum, fmtInt, fmtPct } from './report-format.ts';
import { latencyKinds, runOffset, saturationRecords, scenarioDevices, stormRows, type ReportInput } from './report-model.ts';
import { CHART_WIDTH, chartSvg, type AxisKind, type ChartBand, type ChartMarker, type ChartSeries } from './svg-chart.ts';

/** Points drawn per chart at most (shared by its series); a run of a day still draws its spikes. */
export const MAX_CHART_POINTS = 1500;

export const COLORS = {
  online: '#12a372',
  connecting: '#2f80ed',
  backoff: '#e59a0b',
  connects: '#2f80ed',
  disconnects: '#e5484d',
  sent: '#7c5cf0',
  received: '#0ea5c6',
  bytes: '#0f766e',
  targetBuffered: '#e59a0b',
  writeQueue: '#7c5cf0',
} as const;

export const LATENCY_COLORS: Record<LatencyKind, string> = {
  connect: '#e59a0b',
  tls: '#db2777',
  connack: '#2f80ed',
  puback: '#12a372',
  ping: '#7c5cf0',
  echo: '#0ea5c6',
  delivery: '#4f46e5',
};

const HOST_COLORS = ['#2f80ed', '#12a372', '#e59a0b', '#7c5cf0', '#e5484d', '#0ea5c6', '#db2777', '#65a30d', '#64748b', '#b45309'];
export const hostColor = (hostId: number) => HOST_COLORS[hostId % HOST_COLORS.length];

type Stat = 'peak' | 'rate' | 'max' | 'avg-max';

export interface SeriesDef {
  label: string;
  color: string;
  /** The value at point `p`, the `i`-th of the timeline; null for none. */
  value: (p: TimelinePoint, i: number) => number | null;
  area?: boolean;
  dashed?: boolean;
  stat: Stat;
}

export interface ChartDef {
  id: string;
  title: string;
  unit: string;
  axis: AxisKind;
  series: SeriesDef[];
  reference?: { value: number; label: string };
}

/** What every chart of a run shares: its span, its storm and incident markers, saturation bands. */
export interface ChartContext {
  timeline: TimelinePoint[];
  span: number;
  markers: ChartMarker[];
  bands: ChartBand[];
}

export function chartContext(input: ReportInput): ChartContext {
  const last = input.timeline[input.timeline.length - 1]?.t ?? 0;
  const span = Math.max(last, (input.detail.summary?.durationMs ?? 0) / 1000, 1);
  const markers: ChartMarker[] = stormRows(input).map((s, i) => ({ t: s.t, tag: `S${i + 1}`, title: `S${i + 1} · ${s.label} at ${s.t}s`, tone: 'storm' }));
  for (const e of input.events) {
    if (e.type === 'host-lost') markers.push({ t: runOffset(input, e.at), tag: `H${e.hostId}`, title: `host ${e.hostId} lost (${e.devices} devices): ${e.reason}`, tone: 'incident' });
    if (e.type === 'target-lost') markers.push({ t: runOffset(input, e.at), tag: 'T', title: `target lost: ${e.reason}`, tone: 'incident' });
  }
  const bands = saturationRecords(input).map((r) => ({ from: r.t, to: r.t + Math.max(1, r.seconds), title: `host ${r.hostId} saturated from ${r.t}s for ~${r.seconds}s` }));
  return { timeline: input.timeline, span, markers, bands };
}

const orNull = (v: number | undefined) => (v !== undefined && v > 0 ? v : null);

export function fleetCharts(input: ReportInput): ChartDef[] {
  const charts: ChartDef[] = [
    {
      id: 'devices',
      title: 'Devices',
      unit: 'devices',
      axis: 'count',
      reference: { value: scenarioDevices(input), label: `${fmtInt(scenarioDevices(input))} devices` },
      series: [
        { label: 'online', color: COLORS.online, value: (p) => p.online, area: true, stat: 'peak' },
        { label: 'connecting', color: COLORS.connecting, value: (p) => p.connecting, stat: 'peak' },
        { label: 'backoff', color: COLORS.backoff, value: (p) => p.backoff, stat: 'peak' },
      ],
    },
    {
      id: 'connects',
      title: 'Connects and disconnects',
      unit: 'per second',
      axis: 'rate',
      series: [
        { label: 'connects/s', color: COLORS.connects, value: (p) => p.connects, area: true, stat: 'max' },
        { label: 'disconnects/s', color: COLORS.disconnects, value: (p) => p.disconnects, stat: 'max' },
      ],
    },
    {
      id: 'messages',
      title: 'Messages',
      unit: 'per second',
      axis: 'rate',
      series: [
        { label: 'sent/s', color: COLORS.sent, value: (p) => p.sent, area: true, stat: 'rate' },
        { label: 'received/s', color: COLORS.received, value: (p) => p.received, stat: 'rate' },
      ],
    },
    {
      id: 'throughput',
      title: 'Throughput',
      unit: 'bytes sent per second',
      axis: 'bytes',
      series: [{ label: 'bytes sent/s', color: COLORS.bytes, value: (p) => p.bytesSent, area: true, stat: 'rate' }],
    },
  ];
  if (input.timeline.some((p) => p.targetBufferedBytes > 0 || p.writeQueueBytes > 0)) {
    charts.push({
      id: 'buffers',
      title: 'Buffered bytes',
      unit: 'bytes held',
      axis: 'bytes',
      series: [
        { label: 'target → clients', color: COLORS.targetBuffered, value: (p) => p.targetBufferedBytes, area: true, stat: 'peak' },
        { label: 'device write queues', color: COLORS.writeQueue, value: (p) => p.writeQueueBytes, stat: 'peak' },
      ],
    });
  }
  return charts;
}

export function latencyCharts(input: ReportInput): ChartDef[] {
  return latencyKinds(input).map((kind) => ({
    id: `latency-${kind}`,
    title: `${kind} latency`,
    unit: 'ms, per second',
    axis: 'ms' as const,
    series: [
      { label: 'p99', color: LATENCY_COLORS[kind], value: (p: TimelinePoint) => orNull(p.p99[kind]), area: true, stat: 'max' as const },
      { label: 'p50', color: LATENCY_COLORS[kind], value: (p: TimelinePoint) => orNull(p.p50?.[kind]), dashed: true, stat: 'max' as const },
    ],
  }));
}

/** Hosts drawn one line each up to this many; past it, the lowest, average and highest of them. */
export const MAX_HOST_LINES = 8;

type HostField = 'cpuPct' | 'rssMB' | 'loopLagP99Ms';

export function hostCharts(input: ReportInput): ChartDef[] {
  // Each host's samples indexed once by second (a point's host list is searched only here).
  const byHost = new Map<number, Array<TimelinePoint['hosts'][number] | undefined>>();
  input.timeline.forEach((p, i) => {
    for (const h of p.hosts) {
      let samples = byHost.get(h.hostId);
      if (!samples) byHost.set(h.hostId, (samples = new Array(input.timeline.length)));
      samples[i] = h;
    }
  });
  const ids = [...byHost.keys()].sort((a, b) => a - b);
  if (ids.length === 0) return [];
  const per = (field: HostField, stat: Stat): SeriesDef[] => {
    if (ids.length <= MAX_HOST_LINES) {
      return ids.map((id) => ({ label: `host ${id}`, color: hostColor(id), value: (_p, i) => byHost.get(id)![i]?.[field] ?? null, stat }));
    }
    const n = input.timeline.length;
    const lo = new Array<number | null>(n).fill(null);
    const avg = new Array<number | null>(n).fill(null);
    const hi = new Array<number | null>(n).fill(null);
    input.timeline.forEach((p, i) => {
      if (p.hosts.length === 0) return;
      let min = Infinity;
      let max = -Infinity;
      let total = 0;
      for (const h of p.hosts) {
        const v = h[field];
        if (v < min) min = v;
        if (v > max) max = v;
        total += v;
      }
      lo[i] = min;
      hi[i] = max;
      avg[i] = total / p.hosts.length;
    });
    return [
      { label: `highest of ${ids.length} hosts`, color: COLORS.disconnects, value: (_p, i) => hi[i], stat },
      { label: 'average', color: COLORS.connects, value: (_p, i) => avg[i], stat },
      { label: 'lowest', color: COLORS.online, value: (_p, i) => lo[i], dashed: true, stat },
    ];
  };
  return [
    { id: 'host-cpu', title: 'Generator CPU', unit: '% of one core', axis: 'pct', series: per('cpuPct', 'avg-max') },
    { id: 'host-rss', title: 'Generator memory (RSS)', unit: 'MB', axis: 'mb', series: per('rssMB', 'peak') },
    { id: 'host-lag', title: 'Generator event-loop lag p99', unit: 'ms', axis: 'ms', series: per('loopLagP99Ms', 'max') },
  ];
}

function statText(def: ChartDef, s: SeriesDef, values: number[]): string {
  if (values.length === 0) return 'no data';
  const max = values.reduce((a, b) => (b > a ? b : a), 0);
  const avg = values.reduce((a, b) => a + b, 0) / values.length;
  const f = (v: number) =>
    def.axis === 'ms' ? fmtMs(v) : def.axis === 'bytes' ? fmtBytes(v) : def.axis === 'pct' ? fmtPct(v) : def.axis === 'mb' ? `${fmtNum(v)} MB` : fmtNum(v);
  switch (s.stat) {
    case 'peak':
      return `peak ${f(max)}`;
    case 'max':
      return `max ${f(max)}`;
    case 'rate':
      return `avg ${f(avg)} · max ${f(max)}`;
    case 'avg-max':
      return `avg ${f(avg)} · max ${f(max)}`;
  }
}

/** One chart card: title, unit, legend and the SVG (`width` in SVG units: narrower for three columns). */
export function renderChart(def: ChartDef, ctx: ChartContext, width = CHART_WIDTH): Html {
  const budget = Math.floor(MAX_CHART_POINTS / def.series.length);
  const legend: Html[] = [];
  const series: ChartSeries[] = def.series.map((s) => {
    const full: XY[] = ctx.timeline.map((p, i) => ({ t: p.t, v: s.value(p, i) }));
    const values = full.flatMap((p) => (p.v === null ? [] : [p.v]));
    legend.push(
      html`<li><i class="swatch${s.dashed ? ' dashed' : ''}" style="--c:${s.color}"></i>${s.label} <span class="stat">${statText(def, s, values)}</span></li>`,
    );
    return { label: s.label, color: s.color, area: s.area, dashed: s.dashed, points: downsample(full, budget) };
  });
  const svg = chartSvg({ label: `${def.title} (${def.unit})`, span: ctx.span, axis: def.axis, series, markers: ctx.markers, bands: ctx.bands, reference: def.reference, width });
  return html`<figure class="chart-card" data-chart="${def.id}">
  <figcaption><span class="chart-title">${def.title}</span><span class="chart-unit">${def.unit}</span></figcaption>
  <ul class="legend">${legend}</ul>
  ${raw(svg)}
</figure>`;
}

/** Charts in a grid: two columns, or three when an odd number would leave one alone on a row. */
export function renderCharts(defs: ChartDef[], ctx: ChartContext): Html {
  const three = defs.length > 1 && defs.length % 2 === 1;
  return html`<div class="charts${three ? ' three' : ''}">${defs.map((d) => renderChart(d, ctx, three ? 372 : CHART_WIDTH))}</div>`;
}
