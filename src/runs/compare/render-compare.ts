// compare.html: two or more runs on one self-contained page under report.html's rules (inline
// CSS and SVG, no script, nothing fetched, a CSP that forbids it): the runs, their headline
// figures with differences against the first, and their timelines overlaid.
import type { ComparedChart, RunComparison } from '../../contract/run-comparison.ts';
import { html, raw, type Html } from '../report/html.ts';
import { fmtDateTime } from '../report/report-format.ts';
import { REPORT_CSS } from '../report/report-style.ts';
import { selfContainedPage } from '../report/page.ts';
import { chartSvg } from '../report/svg-chart.ts';
import { figureCell, runColor, runTag, thresholdsText } from '../../contract/comparison-format.ts';

const COMPARE_CSS = `
.compare td .delta { display: block; font-size: 11.5px; color: var(--muted); }
.compare th .dot, .legend .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--c); margin-right: 6px; }
`;

function runsTable(c: RunComparison): Html {
  const rows = c.runs.map(
    (r, i) =>
      html`<tr data-run="${r.id}"><td class="strong"><i class="dot" style="--c:${runColor(i)}"></i>${runTag(i)}</td><td>${r.name}</td><td class="mono">${r.id}</td><td>${fmtDateTime(r.startedAt)}</td><td><span class="badge ${r.status}">${r.status}</span>${r.fromTimeline ? html` <span class="pill warn">no summary</span>` : ''}</td><td>${r.thresholds ? html`<span class="pill ${r.thresholds.failed ? 'bad' : 'ok'}">${thresholdsText(r.thresholds)}</span>` : '—'}</td></tr>`,
  );
  return html`<div class="table-wrap"><table class="runs"><thead><tr><th></th><th>Scenario</th><th>Run</th><th>Started</th><th>Status</th><th>Thresholds</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function figuresTable(c: RunComparison): Html {
  const head = html`<tr><th>Figure</th>${c.runs.map((r, i) => html`<th class="num"><i class="dot" style="--c:${runColor(i)}"></i>${runTag(i)}</th>`)}</tr>`;
  const rows = c.figures.map((f) => {
    const cells = c.runs.map((_, i) => {
      const cell = figureCell(f, i);
      return html`<td class="num">${cell.value}${cell.diff ? html`<span class="delta">${cell.diff}</span>` : ''}</td>`;
    });
    return html`<tr data-figure="${f.key}"><td class="strong">${f.label}</td>${cells}</tr>`;
  });
  return html`<div class="table-wrap"><table class="compare figures"><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
}

function chartCard(c: RunComparison, chart: ComparedChart): Html {
  const series = chart.series.map((s) => ({ label: `${runTag(s.run)} ${c.runs[s.run].name}`, color: runColor(s.run), points: s.points }));
  const svg = chartSvg({ label: `${chart.title} (${chart.unit})`, span: c.span, axis: chart.axis, series });
  return html`<figure class="chart-card" data-chart="${chart.id}">
  <figcaption><span class="chart-title">${chart.title}</span><span class="chart-unit">${chart.unit}</span></figcaption>
  <ul class="legend">${series.map((s) => html`<li><i class="swatch" style="--c:${s.color}"></i>${s.label}</li>`)}</ul>
  ${raw(svg)}
</figure>`;
}

/** The page, as one string. */
export function renderComparison(c: RunComparison, generatedAt: number): string {
  const title = `${c.runs.length} runs compared`;
  const body = html`<div class="page">
<header class="report-header"><div class="eyebrow">Fleetsim run comparison</div><div class="title-row"><h1 data-testid="title">${title}</h1></div></header>
<section id="runs"><div class="section-head"><h2>Runs</h2><span class="hint">differences are against the base run</span></div>${runsTable(c)}</section>
<section id="figures"><div class="section-head"><h2>Headline figures</h2></div>${figuresTable(c)}</section>
<section id="timelines"><div class="section-head"><h2>Timelines</h2><span class="hint">aligned by seconds since each run's start</span></div><div class="charts">${c.charts.map((ch) => chartCard(c, ch))}</div></section>
<footer><span>Fleetsim run comparison · ${c.runs.map((r) => r.id).join(' · ')}</span><span>Generated ${fmtDateTime(generatedAt)}</span></footer>
</div>`;
  return selfContainedPage(html`${title} · Fleetsim`, REPORT_CSS + COMPARE_CSS, body);
}
