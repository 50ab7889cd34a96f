// The report's tables: device groups and their figures, latency percentiles, storms and their recovery, reasons
// (failures, drops), generator hosts and saturation, notable fleet events, the run's files.
import type { Scenario } from '../../contract/scenario.ts';
import { LATENCY_KINDS } from '../../contract/metrics.ts';
import type { FleetEvent, GroupStats, SaturationRecord } from '../../contract/snapshot.ts';
import { formatMeasured, thresholdDetail, thresholdLabel, type ThresholdResult } from '../../contract/thresholds.ts';
import { RUN_FILES } from '../run-layout.ts';
import { html, type Html, type HtmlValue } from './html.ts';
import { LATENCY_COLORS, hostColor } from './report-charts.ts';
import { fmtBytes, fmtEvery, fmtInt, fmtMs, fmtNum, fmtOffset, fmtPct, fmtSpan, fmtTimeOfDay } from './report-format.ts';
import type { HostRow, LatencyRow, ReasonRow, StormRow, TimelineLatencyRow } from './report-model.ts';

const num = (v: HtmlValue) => html`<td class="num">${v}</td>`;

function table(head: Html, rows: Html[], cls = ''): Html {
  return html`<div class="table-wrap"><table class="${cls}"><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
}

function timersText(g: Scenario['groups'][number]): string {
  const t: Partial<Scenario['groups'][number]['timers']> = g.timers ?? {};
  const parts: string[] = [];
  if (t.heartbeat) parts.push(`heartbeat every ${fmtEvery(t.heartbeat.every)} · ${fmtBytes(t.heartbeat.bytes)}`);
  if (t.status) parts.push(`status every ${fmtEvery(t.status.every)} · ${fmtBytes(t.status.bytes)}`);
  if (t.ping) parts.push(`ping every ${fmtEvery(t.ping.every)}`);
  return parts.join('\n') || 'none';
}

function reconnectText(g: Scenario['groups'][number]): string {
  const r = g.reconnect;
  if (!r || r.policy === 'none') return 'never';
  const delay = r.policy === 'fixed' ? `every ${fmtEvery(r.base)}` : `${fmtEvery(r.base)} → ${fmtEvery(r.cap)}`;
  return `${r.policy} ${delay}${r.jitter === 'full' ? ', jitter' : ''}${r.maxAttempts ? `, gives up after ${r.maxAttempts}` : ''}`;
}

export function groupsTable(scenario: Scenario): Html {
  const head = html`<tr><th>Group</th><th>Protocol</th><th>URL</th><th class="num">Devices</th><th>Timers</th><th>QoS</th><th>Reconnect</th><th class="num">Ramp</th></tr>`;
  const rows = scenario.groups.map((g) => {
    const qos = g.protocol === 'mqtt' ? `QoS ${g.mqtt?.qos ?? 0}${g.mqtt?.version === 5 ? ' · MQTT 5' : ''}` : `ws · ${g.ws?.send ?? 'echo'}`;
    return html`<tr><td class="strong">${g.name}</td><td>${g.protocol}</td><td class="mono">${g.url}</td>${num(fmtInt(g.count))}<td class="pre">${timersText(g)}</td><td>${qos}</td><td>${reconnectText(g)}</td>${num(g.ramp === undefined ? 'fleet share' : g.ramp === 0 ? 'unlimited' : `${fmtNum(g.ramp)}/s`)}</tr>`;
  });
  return table(head, rows);
}

/** Each group's figures over the run (from the summary): devices, connects, drops by reason, msgs/s, p50/p99 per latency kind. */
export function groupStatsTable(groups: Record<string, GroupStats>): Html {
  const entries = Object.entries(groups);
  const kinds = LATENCY_KINDS.filter((k) => entries.some(([, g]) => (g.latency[k]?.count ?? 0) > 0));
  const head = html`<tr><th>Group</th><th class="num">Devices</th><th class="num">Online</th><th class="num">Connects</th><th class="num">Failed</th><th class="num">Drops</th><th>Reasons</th><th class="num">Sent/s</th><th class="num">Recv/s</th>${kinds.map((k) => html`<th class="num">${k}</th>`)}</tr>`;
  const rows = entries.map(([name, g]) => {
    const reasons = Object.entries(g.disconnectReasons)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([r, n]) => `${r}\u00a0${fmtInt(n)}`)
      .join('\n');
    const lat = kinds.map((k) => num(g.latency[k]?.count ? html`${fmtMs(g.latency[k].p50)} / <b>${fmtMs(g.latency[k].p99)}</b>` : '—'));
    return html`<tr data-group="${name}"><td class="strong">${name}</td>${num(fmtInt(g.devices))}${num(fmtInt(g.online))}${num(fmtInt(g.connects))}${num(fmtInt(g.connectFailures))}${num(fmtInt(g.disconnects))}<td class="pre">${reasons || '—'}</td>${num(fmtNum(g.sentPerSec))}${num(fmtNum(g.receivedPerSec))}${lat}</tr>`;
  });
  return table(head, rows, 'group-stats');
}

export function thresholdsTable(results: ThresholdResult[]): Html {
  const head = html`<tr><th>Threshold</th><th class="num">Measured</th><th>Result</th><th>Detail</th></tr>`;
  const rows = results.map(
    (r) =>
      html`<tr data-threshold="${r.pass ? 'pass' : 'fail'}"><td class="mono">${thresholdLabel(r)}</td>${num(formatMeasured(r))}<td><span class="pill ${r.pass ? 'ok' : 'bad'}">${r.pass ? 'pass' : 'fail'}</span></td><td>${thresholdDetail(r)}</td></tr>`,
  );
  return table(head, rows, 'thresholds');
}

export function latencyTable(rows: LatencyRow[]): Html {
  const head = html`<tr><th>Kind</th><th class="num">Samples</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">max</th></tr>`;
  return table(
    head,
    rows.map(
      (r) =>
        html`<tr data-kind="${r.kind}"><td class="strong"><i class="dot" style="--c:${LATENCY_COLORS[r.kind]}"></i>${r.kind}</td>${num(fmtInt(r.summary.count))}${num(fmtMs(r.summary.p50))}${num(fmtMs(r.summary.p90))}${num(html`<b>${fmtMs(r.summary.p99)}</b>`)}${num(fmtMs(r.summary.max))}</tr>`,
    ),
    'latency',
  );
}

export function timelineLatencyTable(rows: TimelineLatencyRow[]): Html {
  const head = html`<tr><th>Kind</th><th class="num">Seconds with samples</th><th class="num">Typical p50</th><th class="num">Typical p99</th><th class="num">Worst second's p99</th></tr>`;
  return table(
    head,
    rows.map(
      (r) =>
        html`<tr data-kind="${r.kind}"><td class="strong"><i class="dot" style="--c:${LATENCY_COLORS[r.kind]}"></i>${r.kind}</td>${num(fmtInt(r.seconds))}${num(fmtMs(r.medianP50))}${num(fmtMs(r.medianP99))}${num(fmtMs(r.worstP99))}</tr>`,
    ),
    'latency',
  );
}

const OUTCOMES: Record<string, [string, string]> = {
  recovered: ['ok', 'recovered'],
  'no-impact': ['muted', 'no impact'],
  'not-recovered': ['bad', 'not recovered'],
  recovering: ['warn', 'recovering'],
};

function reasonsInline(r: Record<string, number> | undefined): string {
  const entries = Object.entries(r ?? {}).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  return entries.map(([k, n]) => `${k} ${fmtInt(n)}`).join(', ');
}

export function stormsTable(rows: StormRow[]): Html {
  const head = html`<tr><th></th><th>Storm</th><th class="num">At</th><th class="num">Affected</th><th class="num">Online before</th><th class="num">Min online</th><th class="num">Recovered after</th><th>Outcome</th><th class="num">Reconnect attempts</th><th class="num">Peak connects/s</th><th class="num">CONNACK p99</th></tr>`;
  const body = rows.map((s, i) => {
    const [tone, text] = s.error ? ['bad', 'failed'] : (OUTCOMES[s.outcome] ?? ['muted', s.outcome]);
    const approx = s.estimated ? '≈ ' : '';
    const detail = [s.error ? `error: ${s.error}` : '', reasonsInline(s.disconnects) && `drops: ${reasonsInline(s.disconnects)}`, reasonsInline(s.failures) && `failures: ${reasonsInline(s.failures)}`].filter(Boolean).join(' · ');
    return html`<tr data-storm="${i + 1}"><td><span class="tag storm">S${i + 1}</span></td><td><span class="strong">${s.label}</span>${detail ? html`<div class="sub">${detail}</div>` : ''}</td>${num(html`${fmtOffset(s.t)}<div class="sub">${fmtTimeOfDay(s.at)}</div>`)}${num(fmtInt(s.affected))}${num(fmtInt(s.onlineBefore))}${num(approx + fmtInt(s.minOnline))}${num(s.recoveredAfterMs === null ? '—' : approx + fmtSpan(s.recoveredAfterMs))}<td><span class="pill ${tone}">${text}</span></td>${num(s.estimated ? '—' : fmtInt(s.reconnectAttempts))}${num(approx + fmtInt(s.peakConnectsPerSec))}${num(s.connackP99Ms ? approx + fmtMs(s.connackP99Ms) : '—')}</tr>`;
  });
  return table(head, body, 'storms');
}

export function reasonsTable(rows: ReasonRow[], what: string): Html {
  const head = html`<tr><th>Reason</th><th class="num">${what}</th><th class="num">Share</th><th class="bar-col"></th></tr>`;
  return table(
    head,
    rows.map(
      (r) =>
        html`<tr><td class="mono">${r.reason}</td>${num(fmtInt(r.count))}${num(fmtPct(r.share))}<td class="bar-col"><span class="bar" style="width:${Math.max(1, Math.round(r.share))}%"></span></td></tr>`,
    ),
    'reasons',
  );
}

const HOST_STATES: Record<string, string> = { stopped: 'ok', running: 'ok', lost: 'bad' };

export function hostsTable(rows: HostRow[]): Html {
  const head = html`<tr><th>Host</th><th class="num">PID</th><th class="num">Devices</th><th>State</th><th class="num">Peak RSS</th><th class="num">Avg CPU</th><th class="num">Peak CPU</th><th class="num">Loop-lag p99</th><th class="num">Worst second's lag p99</th></tr>`;
  return table(
    head,
    rows.map(
      (h) =>
        html`<tr><td class="strong"><i class="dot" style="--c:${hostColor(h.hostId)}"></i>host ${h.hostId}${h.shard === null ? '' : html` <span class="pill">shard ${h.shard}</span>`}</td>${num(h.pid ?? '—')}${num(fmtInt(h.devices))}<td>${h.state === 'unknown' ? '—' : html`<span class="pill ${HOST_STATES[h.state] ?? 'warn'}">${h.state}</span>`}</td>${num(h.peakRssMB === null ? '—' : `${fmtNum(h.peakRssMB)} MB`)}${num(fmtPct(h.avgCpuPct))}${num(fmtPct(h.peakCpuPct))}${num(fmtMs(h.loopLagP99Ms))}${num(fmtMs(h.worstLoopLagP99Ms))}</tr>`,
    ),
  );
}

export function saturationTable(rows: SaturationRecord[]): Html {
  const head = html`<tr><th>Host</th><th class="num">From</th><th class="num">For about</th><th class="num">Worst loop-lag p99</th><th class="num">Worst CPU</th></tr>`;
  return table(
    head,
    rows.map(
      (r) => html`<tr><td class="strong">host ${r.hostId}${r.shard === undefined ? '' : html` <span class="pill">shard ${r.shard}</span>`}</td>${num(fmtOffset(r.t))}${num(fmtSpan(r.seconds * 1000))}${num(fmtMs(r.worstLoopLagP99Ms))}${num(fmtPct(r.worstCpuPct))}</tr>`,
    ),
  );
}

function eventText(e: FleetEvent): [string, string, string] {
  switch (e.type) {
    case 'host-lost':
      return ['bad', 'host lost', `host ${e.hostId} (${fmtInt(e.devices)} devices): ${e.reason}`];
    case 'target-lost':
      return ['bad', 'target lost', e.reason];
    case 'generator-saturated':
      return ['warn', 'saturated', `host ${e.record.hostId}: loop-lag p99 ${fmtMs(e.record.worstLoopLagP99Ms)}, CPU ${fmtPct(e.record.worstCpuPct)}`];
    case 'note':
      return ['info', 'note', e.message];
    case 'run-state':
      return [e.state === 'failed' ? 'bad' : 'muted', `run ${e.state}`, e.detail ?? ''];
    case 'storm':
      return ['warn', 'storm', e.storm.label];
    case 'ramp':
      return [e.paused ? 'warn' : 'info', e.paused ? 'ramp paused' : 'ramp', `${e.rate ? `${fmtInt(e.rate)} connects/s` : 'unlimited'}: ${e.reason}`];
  }
}

export function eventsTable(events: FleetEvent[], offset: (at: number) => number): Html {
  const head = html`<tr><th class="num">At</th><th>Event</th><th>What happened</th></tr>`;
  return table(
    head,
    events.map((e) => {
      const [tone, kind, text] = eventText(e);
      return html`<tr data-event="${e.type}">${num(html`${fmtOffset(offset(e.at))}<div class="sub">${fmtTimeOfDay(e.at)}</div>`)}<td><span class="pill ${tone}">${kind}</span></td><td class="pre">${text}</td></tr>`;
    }),
    'events',
  );
}

export function filesTable(files: Array<{ name: string; bytes: number }>): Html {
  const listed = files.filter((f) => f.name !== RUN_FILES.report);
  const total = listed.reduce((n, f) => n + f.bytes, 0);
  const rows = listed.map((f) => html`<tr><td class="mono">${f.name}</td>${num(fmtBytes(f.bytes))}</tr>`);
  rows.push(html`<tr class="total"><td>${listed.length} files</td>${num(html`<b>${fmtBytes(total)}</b>`)}</tr>`);
  return html`<div class="table-wrap narrow"><table class="files"><thead><tr><th>File</th><th class="num">Size</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}
