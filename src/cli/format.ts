// Human-readable figures for the terminal.
import type { LatencySummary } from '../contract/metrics.ts';
import type { FleetSnapshot, RunSummary } from '../contract/snapshot.ts';
import { formatDuration } from '../contract/duration.ts';
import type { StormRecord } from '../contract/storm.ts';
import { formatMeasured, thresholdDetail, thresholdLabel, type ThresholdResult } from '../contract/thresholds.ts';

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (ms: number) => (ms >= 100 ? `${Math.round(ms)}ms` : ms >= 1 ? `${ms.toFixed(1)}ms` : `${ms.toFixed(2)}ms`);

export function progressLine(s: FleetSnapshot): string {
  const g = s.gauges;
  const p99 = (k: keyof FleetSnapshot['latency']) => (s.latency[k].count ? `${k} ${fmtMs(s.latency[k].p99)}` : null);
  const lat = [p99('connack'), p99('puback'), p99('ping'), p99('echo')].filter(Boolean).join(' ');
  const lag = Math.max(0, ...s.hosts.map((h) => h.loopLagP99Ms));
  return [
    `${formatDuration(s.elapsedMs)}/${formatDuration(s.durationMs)}`,
    `online ${fmtInt(g.online)}/${fmtInt(s.devices)}`,
    g.connecting ? `connecting ${fmtInt(g.connecting)}` : null,
    g.backoff ? `backoff ${fmtInt(g.backoff)}` : null,
    g.lost ? `lost ${fmtInt(g.lost)}` : null,
    `${fmtInt(s.rates.connectsPerSec)} conn/s`,
    s.ramp ? rampText(s.ramp) : null,
    `${fmtInt(s.rates.sentPerSec)} msg/s out`,
    `${fmtInt(s.rates.receivedPerSec)} in`,
    lat ? `p99 ${lat}` : null,
    `loop lag ${fmtMs(lag)}`,
  ]
    .filter(Boolean)
    .join(' | ');
}

/** "ramp 400/s (adaptive: connack p99 2300 ms > 2000 ms)", "ramp PAUSED (…)". */
export function rampText(r: NonNullable<FleetSnapshot['ramp']>): string {
  if (r.paused) return `ramp PAUSED (${r.pausedReason ?? 'generator saturated'})`;
  const rate = r.rate ? `${fmtInt(r.rate)}/s` : 'unlimited';
  return r.mode === 'adaptive' ? `ramp ${rate} (adaptive: ${r.reason})` : `ramp ${rate}`;
}

function latencyRow(name: string, l: LatencySummary): string {
  if (!l.count) return `  ${name.padEnd(9)} -`;
  return `  ${name.padEnd(9)} p50 ${fmtMs(l.p50).padStart(8)}  p90 ${fmtMs(l.p90).padStart(8)}  p99 ${fmtMs(l.p99).padStart(8)}  max ${fmtMs(l.max).padStart(8)}  (n=${fmtInt(l.count)})`;
}

const reasons = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmtInt(v)}`)
    .join(', ') || 'none';

export function stormLine(r: StormRecord): string {
  const outcome =
    r.error ? `failed: ${r.error}` : r.outcome === 'recovered' ? `recovered in ${formatDuration(r.recoveredAfterMs ?? 0)}` : r.outcome === 'no-impact' ? 'no impact' : r.outcome === 'not-recovered' ? 'NOT recovered' : 'recovering';
  return `  @${r.t}s ${r.label}: ${fmtInt(r.affected)} affected, online ${fmtInt(r.onlineBefore)} → low ${fmtInt(r.minOnline)}, ${outcome}; ${fmtInt(r.reconnectAttempts)} attempts, peak ${fmtInt(r.peakConnectsPerSec)} conn/s, connack p99 ${fmtMs(r.connackP99Ms)}; failures ${reasons(r.failures)}`;
}

function rampSummaryLine(r: NonNullable<RunSummary['ramp']>): string {
  const rate = (n: number) => (n ? `${fmtInt(n)}/s` : 'unlimited');
  const range = r.mode === 'adaptive' ? `adaptive, ${fmtInt(r.changes)} changes, ${rate(r.minRate)} to ${rate(r.maxRate)}, final ${rate(r.finalRate)}` : `fixed ${rate(r.finalRate)}`;
  const paused = r.pauses ? `; paused ${fmtInt(r.pauses)}× for ${r.pausedSeconds} s at generator saturation` : '';
  return `  ramp      ${range}${paused}`;
}

function thresholdLine(r: ThresholdResult): string {
  const detail = thresholdDetail(r);
  return `  ${r.pass ? '✓' : '✗'} ${thresholdLabel(r)}: measured ${formatMeasured(r)}${detail ? ` (${detail})` : ''}`;
}

function thresholdLines(results: ThresholdResult[]): string[] {
  if (results.length === 0) return [];
  const broken = results.filter((r) => !r.pass).length;
  return [`  thresholds ${broken ? `${broken} of ${results.length} BROKEN` : 'all held'}`, ...results.map(thresholdLine)];
}

export function summaryText(s: RunSummary): string {
  const lines = [
    `Run "${s.name}" ended (${s.endReason}) after ${formatDuration(s.durationMs)}`,
    `  devices   ${fmtInt(s.devices)}, online at end ${fmtInt(s.online)}, peak ${fmtInt(s.peakOnline)}${s.lost ? `, lost ${fmtInt(s.lost)}` : ''}${s.gaveUp ? `, gave up ${fmtInt(s.gaveUp)}` : ''}`,
    `  connects  ${fmtInt(s.connects)} of ${fmtInt(s.connectAttempts)} attempts, reconnects ${fmtInt(s.reconnects)}, disconnects ${fmtInt(s.disconnects)}`,
    `  failures  ${reasons(s.failures)}`,
    `  dropped   ${reasons(s.disconnectReasons)}`,
    ...(s.disconnectCauses?.length ? ['  causes', ...s.disconnectCauses.map((c) => `    ${c.text}`)] : []),
    `  sent      heartbeat ${fmtInt(s.sent.heartbeat)}, status ${fmtInt(s.sent.status)}, ping ${fmtInt(s.sent.ping)}; received ${fmtInt(s.received)}`,
    `  latency`,
    ...(Object.entries(s.latencyMs) as Array<[string, LatencySummary]>).map(([k, l]) => latencyRow(k, l)),
    ...(s.ramp ? [rampSummaryLine(s.ramp)] : []),
    ...(s.storms.length ? ['  storms', ...s.storms.map(stormLine)] : []),
    ...(s.backpressure ? [`  backpressure ${s.backpressure.outcome}`] : []),
    ...(s.generatorSaturated
      ? [
          '  WARNING   the generator saturated: figures after that point measure Fleetsim, not the target',
          ...s.saturation.map((r) => `  host #${r.hostId} from ${r.t}s for ~${r.seconds}s: loop lag p99 up to ${fmtMs(r.worstLoopLagP99Ms)}, CPU up to ${r.worstCpuPct}%`),
        ]
      : []),
    ...thresholdLines(s.thresholds ?? []),
    `  hosts`,
    ...s.hosts.map((h) => `  #${h.hostId} pid ${h.pid ?? '-'} ${h.state.padEnd(8)} ${fmtInt(h.devices)} devices, cpu ${h.cpuPct}%, rss ${h.peakRssMB} MB peak, loop lag p99 ${fmtMs(h.loopLagP99Ms)}`),
  ];
  return lines.join('\n');
}
