// The report's pieces on their own: escaping, axis ticks, the spike-keeping downsampling, the
// chart's SVG, the figures an interrupted run's report derives from its timeline, the thresholds,
// the backpressure section for an external target and for older records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LATENCY_KINDS, type LatencyKind } from '../../src/contract/metrics.ts';
import type { RunDetail } from '../../src/contract/runs.ts';
import type { FleetEvent, TimelinePoint } from '../../src/contract/snapshot.ts';
import { byteTicks, timeTicks, valueTicks } from '../../src/runs/report/axis.ts';
import { downsample } from '../../src/runs/report/downsample.ts';
import { escapeHtml, html, join, raw } from '../../src/runs/report/html.ts';
import { fmtSpan } from '../../src/runs/report/report-format.ts';
import { headline, reasonRows, stormRows, type ReportInput } from '../../src/runs/report/report-model.ts';
import { chartSvg } from '../../src/runs/report/svg-chart.ts';
import { renderReport } from '../../src/runs/report/render-report.ts';
import { EXTERNAL_TARGET_NOTE, summarizeBackpressure } from '../../src/runs/backpressure-summary.ts';
import { summary as fixtureSummary } from '../renderer/fixtures.ts';

test('html: interpolated text is escaped, markup made by html is kept', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const name = '<script>alert(1)</script>';
  assert.equal(html`<h1>${name}</h1>`.text, '<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
  assert.equal(html`<ul>${['<a>', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.text, '<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  assert.equal(html`<p>${null}${undefined}${false}${0}</p>`.text, '<p>0</p>');
  assert.equal(html`<td title="${'" onmouseover="x'}">`.text, '<td title="&quot; onmouseover=&quot;x">');
  assert.equal(join([raw('<b>1</b>'), '<2>'], ', ').text, '<b>1</b>, &lt;2&gt;');
});

test('value ticks are round and reach the top; byte ticks land on binary units', () => {
  assert.deepEqual(valueTicks(40, 4, 1), { max: 40, values: [0, 10, 20, 30, 40] });
  assert.deepEqual(valueTicks(5000), { max: 6000, values: [0, 2000, 4000, 6000] });
  assert.deepEqual(valueTicks(9.3), { max: 10, values: [0, 2.5, 5, 7.5, 10] });
  assert.deepEqual(valueTicks(0.8, 4, 1), { max: 1, values: [0, 1] });
  assert.deepEqual(valueTicks(0), { max: 1, values: [0, 1] });
  assert.deepEqual(byteTicks(5.8 * 1024), { max: 6 * 1024, values: [0, 2048, 4096, 6144] });
});

test('time ticks suit the span: seconds, minutes, hours', () => {
  const short = timeTicks(6);
  assert.deepEqual(short.values, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(short.label(5), '5s');
  const tenMin = timeTicks(600);
  assert.deepEqual(tenMin.values.map(tenMin.label), ['0m', '2m', '4m', '6m', '8m', '10m']);
  const day = timeTicks(86_400);
  assert.deepEqual(day.values.map(day.label), ['0h', '6h', '12h', '18h', '24h']);
  const ninety = timeTicks(5400);
  assert.deepEqual(ninety.values.map(ninety.label), ['0m', '15m', '30m', '45m', '60m', '75m', '90m']);
  assert.equal(fmtSpan(86_400_000), '24 h');
  assert.equal(fmtSpan(185_000), '3 m 05 s');
  assert.equal(fmtSpan(4.2 * 86_400_000), '4 d 4 h');
});

test('downsampling keeps each stretch low and high, in time order, and its gaps', () => {
  const points = Array.from({ length: 86_400 }, (_, i) => ({ t: i + 1, v: i === 30_000 ? 5000 : i === 50_000 ? -1 : 10 }));
  const thin = downsample(points, 1500);
  assert.ok(thin.length <= 1500, `${thin.length} points`);
  assert.ok(thin.some((p) => p.v === 5000), 'the one-second spike is kept');
  assert.ok(thin.some((p) => p.v === -1), 'and the one-second dip');
  assert.ok(thin.every((p, i) => i === 0 || p.t > thin[i - 1].t), 'in time order');
  const gappy = Array.from({ length: 10_000 }, (_, i) => ({ t: i, v: i >= 4000 && i < 6000 ? null : 1 }));
  const g = downsample(gappy, 100);
  assert.ok(g.some((p) => p.v === null), 'a long gap stays a gap');
  assert.deepEqual(downsample(points.slice(0, 10), 1500), points.slice(0, 10), 'short series are left alone');
});

test('a chart: one path per series with every point, isolated values as dots, escaped labels', () => {
  const svg = chartSvg({
    label: 'x <y>',
    span: 10,
    axis: 'count',
    series: [
      { label: 'online', color: '#000', points: Array.from({ length: 10 }, (_, i) => ({ t: i + 1, v: i * 2 })), area: true },
      { label: 'a<b>', color: '#111', points: [{ t: 2, v: 3 }, { t: 3, v: null }, { t: 5, v: 4 }] },
    ],
    markers: [{ t: 4, tag: 'S1', title: 'S1 · drop <b>', tone: 'storm' }],
    bands: [{ from: 1, to: 3, title: 'saturated' }],
    reference: { value: 20, label: '20 devices' },
  });
  assert.match(svg, /^<svg class="chart" xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 560 220" role="img" aria-label="x &lt;y&gt;">/);
  const d = /class="series" data-series="online" d="([^"]+)"/.exec(svg)![1];
  assert.equal(d.match(/[ML]/g)!.length, 10);
  assert.equal((svg.match(/<circle /g) ?? []).length, 2, 'two lone values drawn as dots');
  assert.match(svg, /data-series="a&lt;b&gt;"/);
  assert.match(svg, /<title>S1 · drop &lt;b&gt;<\/title>/);
  assert.match(svg, /class="band"/);
  assert.match(svg, /20 devices/);
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
});

/** A complete recorded run of 100 devices holding `summary` and `timeline`. */
function completeRun(summary: RunDetail['summary'], timeline: TimelinePoint[], startedAt = summary!.startedAt): RunDetail {
  return {
    entry: { id: 'r', name: 'r', dir: '/r', status: 'complete', startedAt, devices: 100, peakOnline: 100, bytes: 0 },
    scenario: null,
    source: null,
    summary,
    timeline,
    skippedRows: 0,
    files: [],
  };
}

function point(t: number, online: number, extra: Partial<TimelinePoint> = {}): TimelinePoint {
  const zeros = () => Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])) as Record<LatencyKind, number>;
  return { t, at: 1_700_000_000_000 + t * 1000, online, connecting: 0, backoff: 0, connects: 0, disconnects: 0, disconnectsByReason: {}, sent: 10, received: 1, bytesSent: 200, writeQueueBytes: 0, inflight: 0, targetBufferedBytes: 0, p50: zeros(), p99: zeros(), hosts: [], ...extra };
}

test('without a summary: headline figures and storm recovery come from the timeline', () => {
  const timeline = [
    point(1, 100, { connects: 100 }),
    point(2, 100),
    point(3, 60, { disconnects: 40, disconnectsByReason: { 'storm-reset': 40 } }),
    point(4, 80, { connects: 20 }),
    point(5, 100, { connects: 20 }),
    point(6, 100),
  ];
  const storm = { id: 1, label: 'drop 40% (destroy)', action: { action: 'drop', percent: 40, mode: 'destroy' }, at: timeline[1].at, t: 2, affected: 40, onlineBefore: 100, minOnline: 100, recoveredAfterMs: null, outcome: 'recovering', reconnectAttempts: 0, peakConnectsPerSec: 0, connackP99Ms: 0, connectP99Ms: 0, failures: {}, disconnects: {} } as const;
  const events: FleetEvent[] = [{ type: 'storm', at: storm.at, storm: { ...storm, action: { ...storm.action }, failures: {}, disconnects: {} } }];
  const detail = {
    entry: { id: 'r', name: 'r', dir: '/r', status: 'incomplete', reason: 'interrupted', startedAt: new Date(timeline[0].at - 1000).toISOString(), devices: 100, peakOnline: null, bytes: 0 },
    scenario: null,
    source: null,
    summary: null,
    timeline,
    skippedRows: 0,
    files: [],
  } satisfies RunDetail;
  const input: ReportInput = { detail, timeline, events, eventsLeftOut: 0, generatedAt: Date.now() };
  const h = headline(input);
  assert.equal(h.fromTimeline, true);
  assert.equal(h.peakOnline, 100);
  assert.equal(h.connects, 140);
  assert.equal(h.disconnects, 40);
  assert.equal(h.sent, 60);
  assert.equal(h.reconnects, null, 'not in the timeline');
  const [s] = stormRows(input);
  assert.equal(s.minOnline, 60);
  assert.equal(s.outcome, 'recovered');
  assert.equal(s.recoveredAfterMs, 3000);
  assert.equal(s.peakConnectsPerSec, 20);
  assert.equal(s.estimated, true);
  assert.deepEqual(reasonRows({ b: 1, a: 3, z: 0 }), [
    { reason: 'a', count: 3, share: 75 },
    { reason: 'b', count: 1, share: 25 },
  ]);
});

test('a Thresholds section lists each threshold with its measured value and result, only when there are any', () => {
  const timeline = [point(1, 100, { connects: 100 }), point(2, 100)];
  const summary = fixtureSummary({
    devices: 100,
    thresholds: [
      { check: 'connack.p99 < 1s', unit: 'ms', measured: 1234.5, pass: false },
      { check: 'online >= 99%', window: 10_000, unit: '%', measured: 100, pass: true, windows: { count: 3, failed: 0, worstFrom: 0, worstTo: 10 } },
      { check: 'echo.p99 < 5ms', unit: 'ms', measured: null, pass: false, note: 'no echo latencies were recorded' },
    ],
  });
  const detail = completeRun(summary, timeline);
  const page = renderReport({ detail, timeline, events: [], eventsLeftOut: 0, generatedAt: Date.now() });
  const section = /<section id="thresholds">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
  assert.match(section, /<h2>Thresholds<\/h2><span class="hint">2 of 3 broken<\/span>/);
  assert.match(section, /<tr data-threshold="fail"><td class="mono">connack.p99 &lt; 1s<\/td><td class="num">1,234.5 ms<\/td><td><span class="pill bad">fail<\/span><\/td><td><\/td><\/tr>/);
  assert.match(section, /<tr data-threshold="pass"><td class="mono">online &gt;= 99% \(every 10s window\)<\/td><td class="num">100%<\/td><td><span class="pill ok">pass<\/span><\/td><td>worst window 0–10 s; all 3 windows held<\/td><\/tr>/);
  assert.match(section, /<td class="num">—<\/td><td><span class="pill bad">fail<\/span><\/td><td>no echo latencies were recorded<\/td>/);
  // The section sits right after the headline figures.
  assert.ok(page.indexOf('id="headline"') < page.indexOf('id="thresholds"') && page.indexOf('id="thresholds"') < page.indexOf('id="timeline"'));

  const without = renderReport({ detail: { ...detail, summary: { ...summary, thresholds: undefined } }, timeline, events: [], eventsLeftOut: 0, generatedAt: Date.now() });
  assert.doesNotMatch(without, /id="thresholds"/);
});

test('a Per group section tables each group; drops by reason over time are stacked bars; latency charts draw p50 beside p99', () => {
  const lat = (connack: number) => ({ ...Object.fromEntries(LATENCY_KINDS.map((k) => [k, 0])), connack }) as Record<LatencyKind, number>;
  const timeline = [
    point(1, 100, { connects: 100, p50: lat(3), p99: lat(9) }),
    point(2, 90, { disconnects: 10, disconnectsByReason: { 'keepalive-timeout': 7, 'server-closed': 3 } }),
    point(3, 95, { disconnects: 2, disconnectsByReason: { 'server-closed': 2 } }),
  ];
  const none = { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const latency = (p50: number, p99: number) => ({ ...Object.fromEntries(LATENCY_KINDS.map((k) => [k, none])), connack: { count: 50, p50, p90: p99, p99, max: p99 } }) as Record<LatencyKind, typeof none>;
  const group = { connectAttempts: 50, connectFailures: 0, sent: 300, received: 30, receivedPerSec: 10 };
  const summary = fixtureSummary({
    devices: 100,
    groups: {
      sensors: { ...group, devices: 50, online: 45, connects: 50, disconnects: 9, disconnectReasons: { 'keepalive-timeout': 7, 'server-closed': 2 }, sentPerSec: 100, latency: latency(2.5, 8) },
      '<panels>': { ...group, devices: 50, online: 50, connects: 52, disconnects: 3, disconnectReasons: { 'server-closed': 3 }, sentPerSec: 40, latency: latency(4, 12.5) },
    },
  });
  const detail = completeRun(summary, timeline);
  const page = renderReport({ detail, timeline, events: [], eventsLeftOut: 0, generatedAt: Date.now() });
  const groups = /<section id="groups">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
  assert.match(groups, /<th class="num">connack<\/th><\/tr>/);
  assert.doesNotMatch(groups, />echo</, 'only kinds some group recorded');
  assert.match(
    groups,
    /<tr data-group="sensors"><td class="strong">sensors<\/td><td class="num">50<\/td><td class="num">45<\/td><td class="num">50<\/td><td class="num">0<\/td><td class="num">9<\/td><td class="pre">keepalive-timeout\u00a07\nserver-closed\u00a02<\/td><td class="num">100<\/td><td class="num">10<\/td><td class="num">2.5 ms \/ <b>8.0 ms<\/b><\/td><\/tr>/,
  );
  assert.match(groups, /<tr data-group="&lt;panels&gt;"><td class="strong">&lt;panels&gt;<\/td>/, 'group names are escaped');
  assert.match(groups, /12.5 ms<\/b>/);

  const reasons = /<figure class="chart-card" data-chart="disconnect-reasons">[\s\S]*?<\/figure>/.exec(page)?.[0] ?? '';
  assert.match(reasons, /<li data-reason="keepalive-timeout">.*<span class="stat">7<\/span><\/li><li data-reason="server-closed">.*<span class="stat">5<\/span><\/li>/);
  // Seconds 2 and 3 had drops: a bar each, second 2 stacked from two reasons.
  const bars = [...reasons.matchAll(/<g class="bar" data-t="(\d+)">([\s\S]*?)<\/g>/g)];
  assert.deepEqual(bars.map((b) => b[1]), ['2', '3']);
  assert.equal([...bars[0][2].matchAll(/<rect /g)].length, 2);
  assert.equal([...bars[1][2].matchAll(/<rect /g)].length, 1);
  assert.match(bars[0][2], /<title>.*keepalive-timeout 7, server-closed 3<\/title>/);

  const connack = /<figure class="chart-card" data-chart="latency-connack">[\s\S]*?<\/figure>/.exec(page)?.[0] ?? '';
  assert.match(connack, /data-series="p99"/);
  assert.match(connack, /data-series="p50"/);

  // A summary of an older version has no groups: no section.
  const older = renderReport({ detail: { ...detail, summary: { ...summary, groups: undefined } }, timeline, events: [], eventsLeftOut: 0, generatedAt: Date.now() });
  assert.doesNotMatch(older, /id="groups"/);
});

test('Backpressure section: an external target says what cannot be seen and how to find it; an older record works it out from its timeline', () => {
  const timeline = [point(1, 100, { writeQueueBytes: 4096, inflight: 12 }), point(2, 100, { inflight: 3 })];
  const base = fixtureSummary({ devices: 100 });
  const detail = (summary: RunDetail['summary']) => completeRun(summary, timeline, base.startedAt);
  const sectionOf = (page: string) => /<section id="backpressure">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
  const external = summarizeBackpressure({ timeline, fleet: { heldBack: 5, peakSlowReaders: 0 }, target: null });
  const page = renderReport({ detail: detail({ ...base, backpressure: external }), timeline, events: [], eventsLeftOut: 0, generatedAt: Date.now() });
  const section = sectionOf(page);
  assert.ok(section.includes(escapeHtml(EXTERNAL_TARGET_NOTE)), 'the external target note');
  assert.match(section, /data-figure="inflight" data-value="12"/);
  assert.match(section, /data-figure="held-back" data-value="5"/);
  assert.doesNotMatch(section, /data-figure="dropped"/, 'nothing the client side cannot know');
  assert.match(section, /data-chart="bp-inflight"/);
  assert.doesNotMatch(page, /data-banner="target-dropped"/);

  // A summary from before: the section comes from the timeline, saying so.
  const older = sectionOf(renderReport({ detail: detail({ ...base, backpressure: undefined }), timeline, events: [], eventsLeftOut: 0, generatedAt: Date.now() }));
  assert.match(older, /Worked out from the per-second timeline/);
  // A block of the wrong shape (a record from elsewhere) is not trusted either.
  const hostile = sectionOf(renderReport({ detail: detail({ ...base, backpressure: { outcome: 7 } as never }), timeline, events: [], eventsLeftOut: 0, generatedAt: Date.now() }));
  assert.match(hostile, /Worked out from the per-second timeline/);
});
