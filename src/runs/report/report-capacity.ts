// The report's "Capacity search" section (runs made by `fleetsim capacity`): the verdict, who
// gave out, a table of the steps and two charts against devices per step, the knee marked.
import type { CapacityResult } from '../../contract/capacity.ts';
import { capacityChartSvg } from './capacity-chart.ts';
import { html, raw, type Html } from './html.ts';
import { fmtInt, fmtMs } from './report-format.ts';

const WHO: Record<CapacityResult['who'], string> = {
  target: 'the target (the generator was healthy)',
  generator: 'the generator itself (its figures are not the target’s)',
  none: 'nobody: no step failed',
};

function chartCard(id: string, title: string, unit: string, legend: Array<[string, string]>, svg: string): Html {
  return html`<figure class="chart-card" data-chart="${id}"><figcaption><span class="chart-title">${title}</span><span class="chart-unit">${unit}</span></figcaption>
  <ul class="legend">${legend.map(([label, color]) => html`<li><i class="swatch" style="--c:${color}"></i>${label}</li>`)}</ul>${raw(svg)}</figure>`;
}

export function capacityBody(r: CapacityResult): Html {
  const devices = r.steps.map((s) => s.devices);
  const latency = capacityChartSvg('CONNACK and PUBACK p99 per step (ms)', devices, [
    { label: 'CONNACK p99', color: '#2f80ed', values: r.steps.map((s) => s.connackP99Ms) },
    { label: 'PUBACK p99', color: '#12a372', values: r.steps.map((s) => s.pubackP99Ms) },
  ], r.knee);
  const losses = capacityChartSvg('Connect failures and drops per step', devices, [
    { label: 'connect failures', color: '#e59a0b', values: r.steps.map((s) => s.connectFailures) },
    { label: 'drops', color: '#e5484d', values: r.steps.map((s) => s.drops) },
  ], r.knee);
  const rows = r.steps.map(
    (s) => html`<tr class="${s.held ? '' : 'bad'}" data-step="${s.index}"><td class="num">${s.index}</td><td class="num">${fmtInt(s.devices)}</td><td class="num">${fmtInt(s.online)}</td><td class="num">${fmtInt(s.attempts)}</td><td class="num">${fmtInt(s.connectFailures)}</td><td class="num">${fmtInt(s.drops)}</td><td class="num">${fmtMs(s.connackP99Ms)}</td><td class="num">${fmtMs(s.pubackP99Ms)}</td><td class="num">${fmtMs(s.loopLagP99Ms)}</td><td class="num">${s.cpuPct}%</td><td>${s.held ? 'held' : s.failures.map((f) => f.detail).join('; ')}</td></tr>`,
  );
  const c = r.criteria;
  return html`<div class="capacity-verdict" data-who="${r.who}"><p><strong data-testid="capacity-verdict">${r.verdict}</strong></p>
<div class="facts"><span>Largest step held <b>${fmtInt(r.largestHeld)}</b></span><span>Knee <b>${r.knee === null ? 'none' : fmtInt(r.knee)}</b></span><span>Who gave out <b>${WHO[r.who]}</b></span><span>Hold <b>${r.plan.holdMs / 1000} s</b> per step</span></div></div>
<div class="table-wrap"><table class="capacity-steps"><thead><tr><th class="num">Step</th><th class="num">Devices</th><th class="num">Online</th><th class="num">Attempts</th><th class="num">Failures</th><th class="num">Drops</th><th class="num">CONNACK p99</th><th class="num">PUBACK p99</th><th class="num">Loop lag p99</th><th class="num">CPU</th><th>Verdict</th></tr></thead><tbody>${rows}</tbody></table></div>
<div class="charts">${chartCard('capacity-latency', 'Latency p99 per step', 'ms', [['CONNACK p99', '#2f80ed'], ['PUBACK p99', '#12a372']], latency)}${chartCard('capacity-losses', 'Failures and drops per step', 'count', [['connect failures', '#e59a0b'], ['drops', '#e5484d']], losses)}</div>
<p class="note">Criteria: connect failures ≤ ${c.maxConnectFailurePct}% of a step’s attempts, drops (not from storms) ≤ ${c.maxDropPct}% of online, CONNACK p99 ≤ ${c.maxConnackP99Ms} ms, PUBACK p99 ≤ ${c.maxPubackP99Ms} ms over the step’s window; the generator saturated when a host’s loop lag p99 &gt; ${c.maxLoopLagP99Ms} ms or CPU &gt; ${c.maxCpuPct}% for at least 1 s and a tenth of the step.</p>`;
}
