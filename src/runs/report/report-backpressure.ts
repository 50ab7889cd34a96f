// The report's "Backpressure" section: the outcome in plain sentences, the figures the target
// and the fleet counted, the devices the target dropped, and the per-second charts (the target's
// buffers, its slow, dropped, refused and shed clients, the fleet's QoS 1 in flight). For an
// external target it says what cannot be seen from the client side, and how to find it out.
import { MAX_SUMMARY_DROPS, type BackpressureSummary } from '../../contract/backpressure.ts';
import type { TimelinePoint } from '../../contract/snapshot.ts';
import { backpressureFromTimeline } from '../backpressure-summary.ts';
import { html, type Html } from './html.ts';
import { COLORS, renderCharts, type ChartContext, type ChartDef } from './report-charts.ts';
import { fmtBytes, fmtInt } from './report-format.ts';
import type { ReportInput } from './report-model.ts';

const BP_COLORS = { largestClient: '#db2777', slow: '#e59a0b', dropped: '#e5484d', refused: '#7c5cf0', shed: '#0ea5c6', inflight: '#2f80ed' } as const;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A summary's block as far as the report relies on it (a record from elsewhere may say anything). */
function usable(bp: BackpressureSummary | undefined): bp is BackpressureSummary {
  if (!bp || typeof bp !== 'object' || typeof bp.outcome !== 'string' || typeof bp.fleet !== 'object' || bp.fleet === null) return false;
  const t = bp.target;
  return t === null || (typeof t === 'object' && isNum(t.peakBufferedBytes) && isNum(t.droppedSlowClients) && Array.isArray(t.droppedDevices));
}

/** Did the run point its devices at the embedded target? From the scenario; unknown without one. */
function embedded(input: ReportInput): boolean {
  const s = input.detail.scenario;
  return !!s && s.target === 'embedded' && s.groups.some((g) => typeof g.url === 'string' && g.url.startsWith('embedded:'));
}

/** The run's backpressure: the summary's, or what the timeline tells (older records); null when nothing was measured. */
export function reportBackpressure(input: ReportInput): BackpressureSummary | null {
  const bp = input.detail.summary?.backpressure;
  if (usable(bp)) return bp;
  return backpressureFromTimeline(input.timeline, embedded(input) || input.timeline.some((p) => p.targetSlowClients !== undefined));
}

const hasTarget = (p: TimelinePoint) => p.targetSlowClients !== undefined;
const countOrNull = (v: number | undefined) => (v === undefined ? null : v);

export function backpressureCharts(input: ReportInput, bp: BackpressureSummary): ChartDef[] {
  const charts: ChartDef[] = [];
  const perSecond = input.timeline.some(hasTarget);
  if (bp.target) {
    charts.push({
      id: 'bp-target-buffers',
      title: 'Target buffers',
      unit: 'bytes held towards clients',
      axis: 'bytes',
      ...(bp.target.capBytes > 0 && { reference: { value: bp.target.capBytes, label: `cap ${fmtBytes(bp.target.capBytes)} per client` } }),
      series: [
        { label: 'all clients', color: COLORS.targetBuffered, value: (p) => p.targetBufferedBytes, area: true, stat: 'peak' },
        ...(perSecond ? [{ label: 'largest client', color: BP_COLORS.largestClient, value: (p: TimelinePoint) => countOrNull(p.targetMaxClientBufferedBytes), stat: 'peak' as const }] : []),
      ],
    });
    if (perSecond) {
      charts.push({
        id: 'bp-target-clients',
        title: 'Target clients under backpressure',
        unit: 'clients; dropped, refused and shed per second',
        axis: 'count',
        series: [
          { label: 'slow', color: BP_COLORS.slow, value: (p) => countOrNull(p.targetSlowClients), area: true, stat: 'peak' },
          { label: 'dropped at cap/s', color: BP_COLORS.dropped, value: (p) => countOrNull(p.targetDropped), stat: 'max' },
          { label: 'refused/s', color: BP_COLORS.refused, value: (p) => countOrNull(p.targetRefused), stat: 'max' },
          { label: 'shed/s', color: BP_COLORS.shed, value: (p) => countOrNull(p.targetShed), dashed: true, stat: 'max' },
        ],
      });
    }
  }
  // The fleet's side only when it queued anything (MQTT QoS 1, slow sockets): flat zeros say nothing.
  if (input.timeline.some((p) => p.writeQueueBytes > 0)) {
    charts.push({
      id: 'bp-fleet',
      title: 'Fleet write queues',
      unit: 'bytes queued by devices',
      axis: 'bytes',
      series: [{ label: 'write queues', color: COLORS.writeQueue, value: (p) => p.writeQueueBytes, area: true, stat: 'peak' }],
    });
  }
  if (input.timeline.some((p) => p.inflight > 0)) {
    charts.push({
      id: 'bp-inflight',
      title: 'QoS 1 in flight',
      unit: 'messages awaiting PUBACK',
      axis: 'count',
      series: [{ label: 'in flight', color: BP_COLORS.inflight, value: (p) => p.inflight, area: true, stat: 'peak' }],
    });
  }
  return charts;
}

function figure(key: string, label: string, value: number, text: string, tone = ''): Html {
  return html`<div class="card${tone ? ` ${tone}` : ''}" data-figure="${key}" data-value="${String(value)}"><div class="label">${label}</div><div class="value">${text}</div></div>`;
}

function figures(bp: BackpressureSummary): Html {
  const t = bp.target;
  const f = bp.fleet;
  const cards: Html[] = [];
  if (t) {
    cards.push(figure('peak-buffered', 'Target buffers, peak', t.peakBufferedBytes, fmtBytes(t.peakBufferedBytes), t.stillGrowing ? 'bad' : ''));
    cards.push(figure('peak-client', 'Largest client, peak', t.peakMaxClientBufferedBytes, fmtBytes(t.peakMaxClientBufferedBytes)));
    cards.push(figure('slow', 'Slow clients, most', t.peakSlowClients, fmtInt(t.peakSlowClients), t.peakSlowClients > 0 ? 'warn' : ''));
    cards.push(figure('dropped', 'Dropped at the cap', t.droppedSlowClients, fmtInt(t.droppedSlowClients), t.droppedSlowClients > 0 ? 'warn' : ''));
    cards.push(figure('refused', 'Refused (accept rate)', t.refusedByRate, fmtInt(t.refusedByRate)));
    cards.push(figure('shed', 'Shed (overload)', t.shedByOverload, fmtInt(t.shedByOverload)));
  }
  cards.push(figure('write-queue', 'Fleet write queues, peak', f.peakWriteQueueBytes, fmtBytes(f.peakWriteQueueBytes)));
  cards.push(figure('inflight', 'QoS 1 in flight, most', f.peakInflight, fmtInt(f.peakInflight)));
  cards.push(figure('held-back', 'Held back (window full)', f.heldBack, fmtInt(f.heldBack)));
  cards.push(figure('slow-readers', 'Devices reading slowly', f.peakSlowReaders, fmtInt(f.peakSlowReaders)));
  return html`<div class="cards">${cards}</div>`;
}

function droppedList(bp: BackpressureSummary): Html | '' {
  const t = bp.target;
  if (!t || t.droppedDevices.length === 0) return '';
  const more = t.droppedDevicesCount - t.droppedDevices.length;
  const rows = t.droppedDevices.map((d) => html`<tr data-dropped="${d.id}"><td class="mono">${d.id}</td><td>${d.cause === 'cap' ? 'buffer cap' : 'shed under overload'}</td></tr>`);
  return html`<h3>Devices the target dropped</h3><p class="note">devices.csv marks each one (targetDropped). One with no disconnect there never saw the close: it read nothing, and counted itself online until the run stopped it.${more > 0 ? ` ${fmtInt(more)} more are in devices.csv (the summary lists the first ${MAX_SUMMARY_DROPS}).` : ''}</p><div class="table-wrap"><table class="dropped"><thead><tr><th>Device</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function backpressureBody(input: ReportInput, ctx: ChartContext): Html {
  const bp = reportBackpressure(input);
  if (!bp) return html`<p class="empty">Nothing was measured: no buffered bytes, write queues or messages in flight were recorded.</p>`;
  const derived = !usable(input.detail.summary?.backpressure);
  const charts = backpressureCharts(input, bp);
  return html`<p class="bp-outcome" data-testid="bp-outcome">${bp.outcome}</p>${derived ? html`<p class="note">Worked out from the per-second timeline (the summary does not have it): totals are the seconds' counts added up.</p>` : ''}${figures(bp)}${droppedList(bp)}${charts.length ? html`<h3>Per second</h3>${renderCharts(charts, ctx)}` : ''}`;
}

/** The banner for a run whose target dropped devices the fleet still counts online; null otherwise. */
export function droppedBanner(input: ReportInput): { title: string; text: string } | null {
  const t = reportBackpressure(input)?.target;
  if (!t || t.droppedSlowClients === 0) return null;
  const online = t.droppedButOnline ?? 0;
  const devices = `${fmtInt(t.droppedSlowClients)} device${t.droppedSlowClients === 1 ? '' : 's'}`;
  return online > 0
    ? { title: `The target dropped ${devices} at its buffer cap`, text: `${fmtInt(online)} of them still count themselves online, as the figures below do: they read nothing, so never saw the close. See Backpressure.` }
    : { title: `The target dropped ${devices} at its buffer cap`, text: 'See Backpressure below.' };
}
