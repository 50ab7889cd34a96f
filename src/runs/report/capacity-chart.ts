// A capacity search's chart as inline SVG: one line per figure against the devices of each step
// (not time), a dot per step, and the knee marked with a red dashed line.
import { valueTicks } from './axis.ts';
import { escapeHtml } from './html.ts';
import { fmtCompact } from './report-format.ts';

export interface StepSeries {
  label: string;
  color: string;
  /** One value per step, in step order. */
  values: number[];
}

const W = 560;
const H = 220;
const M = { left: 46, right: 14, top: 22, bottom: 30 };
const r1 = (n: number) => Math.round(n * 10) / 10;

export function capacityChartSvg(label: string, devices: number[], series: StepSeries[], knee: number | null): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const xMax = Math.max(1, ...devices);
  const ticks = valueTicks(Math.max(0, ...series.flatMap((s) => s.values)));
  const x = (d: number) => r1(M.left + (d / xMax) * plotW);
  const y = (v: number) => r1(M.top + plotH - (Math.max(0, v) / ticks.max) * plotH);
  const parts: string[] = [];
  for (const v of ticks.values) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="${v === 0 ? '#cbd2dc' : '#edf0f4'}"/>`);
    parts.push(`<text x="${M.left - 7}" y="${r1(y(v) + 3.5)}" text-anchor="end" class="tick">${escapeHtml(fmtCompact(v))}</text>`);
  }
  devices.forEach((d, i) => {
    const anchor = i === devices.length - 1 && devices.length > 1 ? 'end' : 'middle';
    parts.push(`<text x="${x(d)}" y="${H - 14}" text-anchor="${anchor}" class="tick">${escapeHtml(fmtCompact(d))}</text>`);
  });
  parts.push(`<text x="${r1(M.left + plotW / 2)}" y="${H - 2}" text-anchor="middle" class="tick">devices</text>`);
  if (knee !== null) {
    const xx = x(knee);
    parts.push(
      `<g class="marker knee" data-knee="${knee}"><title>knee: ${knee} devices</title><line x1="${xx}" x2="${xx}" y1="${M.top - 3}" y2="${M.top + plotH}" stroke="#dc2626" stroke-width="1.4" stroke-dasharray="4 3"/>` +
        `<rect x="${r1(Math.min(xx - 18, W - 40))}" y="3" width="36" height="15" rx="3" fill="#dc2626"/><text x="${r1(Math.min(xx, W - 22))}" y="14" text-anchor="middle" class="tag">knee</text></g>`,
    );
  }
  for (const s of series) {
    const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(devices[i])} ${y(v)}`).join('');
    parts.push(`<path class="series" data-series="${escapeHtml(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.7"><title>${escapeHtml(s.label)}</title></path>`);
    parts.push(`<g fill="${s.color}">${s.values.map((v, i) => `<circle cx="${x(devices[i])}" cy="${y(v)}" r="2.8"><title>${escapeHtml(`${s.label}: ${v} at ${devices[i]} devices`)}</title></circle>`).join('')}</g>`);
  }
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(label)}">${parts.join('')}</svg>`;
}
