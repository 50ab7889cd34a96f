// report.html for one recorded run: a pure function from the run's data to one self-contained
// page (inline CSS, inline SVG charts, no script, nothing fetched), readable on screen and on paper.
import type { RunDetail } from '../../contract/runs.ts';
import type { Scenario } from '../../contract/scenario.ts';
import { describeStorm } from '../../contract/storm.ts';
import { html, type Html, type HtmlValue } from './html.ts';
import { chartContext, fleetCharts, hostCharts, latencyCharts, MAX_CHART_POINTS, renderCharts, type ChartContext } from './report-charts.ts';
import { fmtDateTime, fmtInt, fmtNum, fmtOffset, fmtSpan } from './report-format.ts';
import { headlineCards } from './report-headline.ts';
import { reasonsChart } from './reasons-chart.ts';
import { capacityBody } from './report-capacity.ts';
import { causesBody } from './report-causes.ts';
import { backpressureBody, droppedBanner } from './report-backpressure.ts';
import {
  disconnectReasons,
  headline,
  hostRows,
  latencyRows,
  notableEvents,
  reasonRows,
  runOffset,
  runStart,
  saturationRecords,
  stormRows,
  timelineLatencyRows,
  type ReportInput,
} from './report-model.ts';
import { REPORT_CSS } from './report-style.ts';
import { selfContainedPage } from './page.ts';
import {
  eventsTable,
  filesTable,
  groupStatsTable,
  groupsTable,
  hostsTable,
  latencyTable,
  reasonsTable,
  saturationTable,
  stormsTable,
  thresholdsTable,
  timelineLatencyTable,
} from './report-tables.ts';

export { REPORT_CSP } from './page.ts';

type Status = 'complete' | 'incomplete' | 'interrupted' | 'recording';

export function runStatus(detail: RunDetail): Status {
  const { entry, summary } = detail;
  if (entry.status === 'recording') return 'recording';
  if (entry.status === 'complete') return 'complete';
  return !summary || /^interrupted/i.test(entry.reason ?? '') ? 'interrupted' : 'incomplete';
}

const END_REASONS: Record<string, string> = {
  duration: 'its duration elapsed',
  stopped: 'stopped on request',
  signal: 'stopped by a signal',
  error: 'ended by an error',
};

function section(id: string, title: string, body: HtmlValue, hint?: string): Html {
  return html`<section id="${id}"><div class="section-head"><h2>${title}</h2>${hint ? html`<span class="hint">${hint}</span>` : ''}</div>${body}</section>`;
}

function banner(tone: 'bad' | 'warn' | 'info', title: string, text: Html | string, id: string): Html {
  return html`<div class="banner ${tone}" data-banner="${id}"><span class="icon">${tone === 'info' ? 'i' : '!'}</span><div><strong>${title}</strong><p>${text}</p></div></div>`;
}

function header(input: ReportInput, status: Status): Html {
  const { entry, summary, scenario, timeline } = { ...input.detail, timeline: input.timeline };
  const name = scenario?.name ?? summary?.name ?? entry.name;
  const startedAt = runStart(input);
  const last = timeline[timeline.length - 1];
  const endedAt = summary?.endedAt ?? entry.endedAt ?? (last ? new Date(last.at).toISOString() : undefined);
  const durationMs = summary?.durationMs ?? (last ? last.t * 1000 : endedAt ? Date.parse(endedAt) - startedAt : null);
  const endReason = summary ? (END_REASONS[summary.endReason] ?? summary.endReason) : status === 'recording' ? 'still running' : 'no summary: did not end normally';
  const planned = scenario ? fmtSpan(scenario.duration) : null;
  const meta: Array<[string, string]> = [
    ['Started', fmtDateTime(startedAt)],
    ['Ended', fmtDateTime(endedAt)],
    ['Duration', `${fmtSpan(durationMs)}${planned ? ` of ${planned} planned` : ''}${summary ? '' : ' (recorded)'}`],
    ['End reason', endReason],
    ['Devices', `${fmtInt(input.detail.summary?.devices ?? entry.devices)}${scenario ? ` in ${scenario.groups.length} group${scenario.groups.length === 1 ? '' : 's'}` : ''}`],
  ];
  return html`<header class="report-header status-${status}">
  <div class="eyebrow">Fleetsim run report</div>
  <div class="title-row"><h1 data-testid="run-name">${name}</h1><span class="badge ${status}" data-testid="status">${status}</span></div>
  ${entry.reason && status !== 'recording' ? html`<p class="status-reason ${status}" data-testid="status-reason">${entry.reason}</p>` : ''}
  <dl class="meta">${meta.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
  <div class="run-id">Run <span class="mono">${entry.id}</span></div>
</header>`;
}

function banners(input: ReportInput, status: Status): Html[] {
  const { summary, skippedRows } = input.detail;
  const out: Html[] = [];
  const tl = input.timeline;
  if (!summary && status !== 'recording') {
    const seconds = tl.length ? tl[tl.length - 1].t : 0;
    out.push(
      banner(
        'bad',
        'The summary is missing: this run did not end normally',
        html`summary.json was never written, so the figures below come from the per-second timeline (${fmtInt(tl.length)} seconds recorded, up to ${fmtOffset(seconds)}). Reconnects, connect failures, devices that gave up and latency percentiles over the whole run are only in a summary; storm recovery is estimated to the second.`,
        'no-summary',
      ),
    );
  } else if (status === 'incomplete' || status === 'interrupted') {
    out.push(banner('warn', 'The record of this run is incomplete', 'Some of its files are missing or were rebuilt; see the reason above. The figures below are from its summary.', 'incomplete'));
  } else if (status === 'recording') {
    out.push(banner('info', 'This run is still being recorded', 'The report shows the run so far; make it again once the run has ended.', 'recording'));
  }
  const saturation = saturationRecords(input);
  if (summary?.generatorSaturated || saturation.length > 0) {
    const first = saturation.length ? Math.min(...saturation.map((s) => s.t)) : null;
    out.push(
      banner(
        'warn',
        'The generator saturated',
        `A host of the generator went past its limits (event-loop lag p99 over 50 ms or CPU over 90%)${first !== null ? ` from ${fmtOffset(first)}` : ''}: figures after that point measure Fleetsim as much as the target. Use more hosts or fewer devices per host.`,
        'saturated',
      ),
    );
  }
  const dropped = droppedBanner(input);
  if (dropped) out.push(banner('warn', dropped.title, dropped.text, 'target-dropped'));
  if (skippedRows > 0) out.push(banner('info', 'Some timeline rows were unreadable', `${fmtInt(skippedRows)} row(s) of timeline.csv could not be read (a torn last line after a crash) and are left out.`, 'skipped-rows'));
  return out;
}

function scenarioSection(scenario: Scenario | null): Html {
  if (!scenario) return section('scenario', 'Scenario', html`<p class="empty">scenario.json is missing or unreadable.</p>`);
  const hosts = scenario.hosts === 'auto' ? 'auto' : String(scenario.hosts);
  const facts: Array<[string, string]> = [
    ['Target', scenario.target],
    ['Duration', fmtSpan(scenario.duration)],
    ['Ramp', scenario.adaptive ? `adaptive, ${fmtNum(scenario.adaptive.floor)}–${fmtNum(scenario.adaptive.ceiling)} connects/s` : scenario.ramp ? `${fmtNum(scenario.ramp)} connects/s` : 'unlimited'],
    ['Hosts', hosts],
    ['Devices', fmtInt(scenario.groups.reduce((n, g) => n + g.count, 0))],
  ];
  const storms = scenario.storms ?? [];
  return section('scenario', 'Scenario', [
    html`<div class="facts">${facts.map(([k, v]) => html`<span>${k} <b>${v}</b></span>`)}</div>`,
    groupsTable(scenario),
    storms.length
      ? html`<h3>Scheduled storms</h3><ul class="scheduled">${storms.map((s) => html`<li><b>${fmtOffset(s.at / 1000)}</b> ${describeStorm(s)}</li>`)}</ul>`
      : '',
    html`<details><summary>Scenario JSON</summary><pre>${JSON.stringify(scenario, null, 2)}</pre></details>`,
  ]);
}

function chartNotes(ctx: ChartContext): Html {
  const storms = ctx.markers.some((m) => m.tone === 'storm');
  const incidents = ctx.markers.some((m) => m.tone === 'incident');
  if (!storms && !incidents && ctx.bands.length === 0) return html``;
  return html`<div class="chart-notes">${storms ? html`<span><i class="key-line" style="color:#d97706"></i>S1, S2 …: storms (see below)</span>` : ''}${incidents ? html`<span><i class="key-line" style="color:#dc2626"></i>H: host lost · T: target lost</span>` : ''}${ctx.bands.length ? html`<span><i class="key-band"></i>generator saturated</span>` : ''}</div>`;
}

function latencySection(input: ReportInput, ctx: ChartContext): Html {
  const charts = latencyCharts(input);
  if (charts.length === 0) return section('latency', 'Latency', html`<p class="empty">No latency was recorded.</p>`);
  const rows = latencyRows(input);
  const table = input.detail.summary
    ? latencyTable(rows)
    : html`${timelineLatencyTable(timelineLatencyRows(input))}<p class="note">No summary: whole-run percentiles are unknown. Typical = the median over the seconds that had samples.</p>`;
  return section('latency', 'Latency', [table, html`<h3>Per second</h3>`, renderCharts(charts, ctx)], 'percentiles over the whole run; charts show each second’s p50 and p99');
}

function groupsSection(input: ReportInput): Html {
  const groups = input.detail.summary?.groups;
  if (!groups || Object.keys(groups).length === 0) return html``;
  return section('groups', 'Per group', groupStatsTable(groups), 'over the whole run: online at its end, messages per second averaged over it, latency p50 / p99');
}

function reasonsSection(input: ReportInput, ctx: ChartContext): Html {
  const overTime = reasonsChart(input.timeline, ctx.span, ctx.markers);
  const failures = reasonRows(input.detail.summary?.failures);
  const drops = reasonRows(disconnectReasons(input));
  const failuresBody = !input.detail.summary
    ? html`<p class="empty">Unknown: failures by reason are only in the summary.</p>`
    : failures.length
      ? reasonsTable(failures, 'Attempts')
      : html`<p class="empty">No connection attempt failed.</p>`;
  const dropsBody = drops.length ? reasonsTable(drops, 'Drops') : html`<p class="empty">No online device was dropped.</p>`;
  return section(
    'reasons',
    'Failures and drops',
    html`<div class="split"><div class="failures"><h3>Connect failures by reason</h3>${failuresBody}</div><div><h3>Disconnects by reason</h3>${dropsBody}</div></div>${overTime ? html`<h3>Disconnects over time</h3><div class="charts one">${overTime}</div>` : ''}`,
  );
}

function generatorSection(input: ReportInput, ctx: ChartContext): Html {
  const hosts = hostRows(input);
  const saturation = saturationRecords(input);
  return section('generator', 'Generator health', [
    hosts.length ? hostsTable(hosts) : html`<p class="empty">No host figures were recorded.</p>`,
    html`<h3>Saturation</h3>`,
    saturation.length
      ? saturationTable(saturation)
      : html`<p class="empty">No host saturated: event-loop lag p99 stayed under 50 ms and CPU under 90% throughout.</p>`,
    hostCharts(input).length ? html`<h3>Per second</h3>${renderCharts(hostCharts(input), ctx)}` : '',
  ]);
}

function timelineHint(input: ReportInput): string {
  const n = input.timeline.length;
  return n > MAX_CHART_POINTS
    ? `${fmtInt(n)} seconds, drawn as the low and high of each stretch: short spikes still show`
    : 'one point per second of the run';
}

/** The whole page. */
export function renderReport(input: ReportInput): string {
  const { detail } = input;
  const status = runStatus(detail);
  const ctx = chartContext(input);
  const name = detail.scenario?.name ?? detail.summary?.name ?? detail.entry.name;
  const storms = stormRows(input);
  const events = notableEvents(input);
  const thresholds = detail.summary?.thresholds;
  const stormsBody = storms.length
    ? html`${stormsTable(storms)}${storms.some((s) => s.estimated) ? html`<p class="note">≈ estimated from the per-second timeline (no summary); reconnect attempts are unknown.</p>` : ''}`
    : html`<p class="empty">No storms in this run.</p>`;
  const fleetBody = input.timeline.length
    ? html`${renderCharts(fleetCharts(input), ctx)}${chartNotes(ctx)}`
    : html`<p class="empty">The timeline is empty: the run recorded no full second.</p>`;
  const eventsBody = events.length
    ? html`${eventsTable(events, (at) => runOffset(input, at))}${input.eventsLeftOut ? html`<p class="note">${fmtInt(input.eventsLeftOut)} more events are in fleet-events.ndjson.</p>` : ''}`
    : html`<p class="empty">Nothing notable: no host or target was lost and there were no notes.</p>`;
  const body = html`<div class="page">
${header(input, status)}
${banners(input, status)}
${scenarioSection(detail.scenario)}
${section('headline', 'At a glance', headlineCards(headline(input), detail.scenario?.groups.length ?? 0))}
${thresholds?.length ? section('thresholds', 'Thresholds', thresholdsTable(thresholds), thresholds.every((r) => r.pass) ? 'all held' : `${thresholds.filter((r) => !r.pass).length} of ${thresholds.length} broken`) : ''}
${detail.summary?.capacity ? section('capacity', 'Capacity search', capacityBody(detail.summary.capacity), 'devices per step against p99, failures and drops; the knee marked') : ''}
${groupsSection(input)}
${section('timeline', 'Timeline', fleetBody, timelineHint(input))}
${section('backpressure', 'Backpressure', backpressureBody(input, ctx), 'what the target held for its clients and dropped; what the fleet queued')}
${section('storms', 'Storms and recovery', stormsBody, 'recovered: online back to 99% of before')}
${latencySection(input, ctx)}
${section('causes', 'Why devices dropped', causesBody(input), 'drops and refusals that cluster, named')}
${reasonsSection(input, ctx)}
${generatorSection(input, ctx)}
${section('events', 'Fleet events', eventsBody)}
${section('files', 'Run directory', filesTable(detail.files))}
<footer><span>Fleetsim run report · ${detail.entry.id}</span><span>Generated ${fmtDateTime(input.generatedAt)}</span></footer>
</div>`;
  return selfContainedPage(html`${name} · Fleetsim run report`, REPORT_CSS, body);
}
