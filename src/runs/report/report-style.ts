// The report's stylesheet, inlined into the page: a light, print-friendly layout with system
// fonts only (the file must open anywhere with no network).
export const REPORT_CSS = `
:root {
  color-scheme: light;
  --bg: #f4f6f9;
  --panel: #ffffff;
  --line: #e3e7ee;
  --line-2: #eef1f5;
  --text: #1c2433;
  --text-2: #4a5568;
  --muted: #718096;
  --accent: #2f80ed;
  --ok: #12a372;
  --warn: #c77c02;
  --bad: #d93b40;
  --info: #2f80ed;
  --radius: 10px;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  font-variant-numeric: tabular-nums;
}
.page { max-width: 1200px; margin: 0 auto; padding: 28px 28px 48px; }
h1, h2, h3 { margin: 0; line-height: 1.25; }
a { color: var(--accent); }

/* Header */
.report-header {
  background: var(--panel);
  border: 1px solid var(--line);
  border-radius: var(--radius);
  padding: 22px 26px 20px;
  border-top: 4px solid var(--accent);
}
.report-header.status-complete { border-top-color: var(--ok); }
.report-header.status-incomplete { border-top-color: var(--warn); }
.report-header.status-interrupted { border-top-color: var(--bad); }
.eyebrow { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
.title-row { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; margin: 4px 0 14px; }
.title-row h1 { font-size: 28px; font-weight: 700; word-break: break-word; }
.status-reason { margin: -6px 0 14px; font-weight: 600; overflow-wrap: anywhere; }
.status-reason.incomplete { color: #95600a; }
.status-reason.interrupted { color: #b3262b; }
.meta { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px 24px; margin: 0; }
.meta div { min-width: 0; }
.meta dt { font-size: 12px; color: var(--muted); }
.meta dd { margin: 1px 0 0; font-weight: 600; color: var(--text); overflow-wrap: anywhere; }
.run-id { margin-top: 12px; font-size: 12px; color: var(--muted); }

/* Badges and pills */
.badge { display: inline-flex; align-items: center; gap: 6px; padding: 3px 11px; border-radius: 999px; font-size: 12.5px; font-weight: 700; letter-spacing: .02em; text-transform: uppercase; border: 1px solid transparent; }
.badge::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.badge.complete { color: #0b7a55; background: #e3f6ee; border-color: #bfe8d6; }
.badge.incomplete { color: #95600a; background: #fdf3e1; border-color: #f4dcae; }
.badge.interrupted { color: #b3262b; background: #fde8e8; border-color: #f6c4c5; }
.badge.recording { color: #1d5fbf; background: #e6f0fd; border-color: #c4dafa; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; background: #edf0f4; color: var(--text-2); }
.pill.ok { background: #e3f6ee; color: #0b7a55; }
.pill.warn { background: #fdf3e1; color: #95600a; }
.pill.bad { background: #fde8e8; color: #b3262b; }
.pill.info { background: #e6f0fd; color: #1d5fbf; }
.pill.muted { background: #edf0f4; color: var(--muted); }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 11.5px; font-weight: 700; color: #fff; background: #d97706; }

/* Banners */
.banner { display: flex; gap: 12px; margin-top: 14px; padding: 12px 16px; border-radius: var(--radius); border: 1px solid; background: #fff; }
.banner .icon { flex: none; width: 22px; height: 22px; border-radius: 50%; color: #fff; font-weight: 800; display: grid; place-items: center; font-size: 13px; margin-top: 1px; }
.banner strong { display: block; }
.banner p { margin: 2px 0 0; color: var(--text-2); }
.banner.bad { border-color: #f6c4c5; background: #fff6f6; }
.banner.bad .icon { background: var(--bad); }
.banner.warn { border-color: #f4dcae; background: #fffaf0; }
.banner.warn .icon { background: var(--warn); }
.banner.info { border-color: #c4dafa; background: #f5f9ff; }
.banner.info .icon { background: var(--info); }

/* Sections */
section { margin-top: 30px; }
.section-head { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; margin-bottom: 12px; border-bottom: 1px solid var(--line); padding-bottom: 8px; }
.section-head h2 { font-size: 18px; font-weight: 700; }
.section-head .hint { color: var(--muted); font-size: 12.5px; text-align: right; }
h3 { font-size: 14.5px; font-weight: 700; margin: 20px 0 8px; color: var(--text); }
.split h3 { margin-top: 4px; }
.bp-outcome { font-size: 15px; margin: 0 0 12px; padding: 10px 14px; background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--warn); border-radius: var(--radius); }
.note { color: var(--muted); font-size: 12.5px; margin: 8px 0 0; }
.empty { color: var(--muted); background: var(--panel); border: 1px dashed var(--line); border-radius: var(--radius); padding: 14px 16px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 26px; margin: 0 0 12px; color: var(--text-2); }
.facts b { color: var(--text); }

/* Headline cards */
.cards { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 12px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 13px 15px 12px; min-width: 0; }
.card .label { font-size: 12.5px; color: var(--muted); font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card .value { font-size: 25px; font-weight: 700; margin-top: 3px; letter-spacing: -.01em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card .sub { font-size: 12px; color: var(--muted); margin-top: 1px; }
.card.ok .value { color: #0b7a55; }
.card.warn .value { color: #95600a; }
.card.bad .value { color: #b3262b; }
.card.primary { border-left: 4px solid var(--ok); }

/* Charts */
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 14px; }
.charts.three { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.charts.one, .charts.one.three { grid-template-columns: minmax(0, 1fr); }
.chart-card { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 14px 6px; min-width: 0; display: flex; flex-direction: column; }
.chart-card svg.chart { margin-top: auto; }
.chart-card figcaption { display: flex; align-items: baseline; gap: 8px; }
.chart-title { font-weight: 700; font-size: 14px; }
.chart-title::first-letter { text-transform: uppercase; }
.chart-unit { color: var(--muted); font-size: 12px; }
.legend { list-style: none; margin: 6px 0 2px; padding: 0; display: flex; flex-wrap: wrap; gap: 3px 16px; font-size: 12.5px; color: var(--text-2); }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.legend .stat { color: var(--muted); }
.swatch { width: 14px; height: 3px; border-radius: 2px; background: var(--c); display: inline-block; }
.swatch.dashed { background: repeating-linear-gradient(90deg, var(--c) 0 4px, transparent 4px 7px); }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--c); margin-right: 7px; vertical-align: 0; }
svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
svg.chart .tick { font-size: 10.5px; fill: #7a8597; font-family: inherit; }
svg.chart .tick.ref { fill: #64748b; font-weight: 600; }
svg.chart .tag { font-size: 10px; font-weight: 700; fill: #fff; font-family: inherit; }
.chart-notes { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-top: 10px; font-size: 12.5px; color: var(--muted); }
.chart-notes span { display: inline-flex; align-items: center; gap: 6px; }
.key-line { width: 0; height: 12px; border-left: 2px dashed; display: inline-block; }
.key-band { width: 14px; height: 12px; background: rgba(220, 38, 38, .12); display: inline-block; border-radius: 2px; }

/* Tables */
.table-wrap.narrow { display: inline-block; max-width: 100%; }
.table-wrap { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { padding: 8px 12px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line-2); }
th { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 700; background: #f9fafc; vertical-align: bottom; }
table.storms td:nth-child(2) { min-width: 190px; }
table.storms th { white-space: normal; }
table.events th:first-child { width: 110px; }
table.events th:nth-child(2) { width: 150px; }
table.files { width: auto; min-width: 360px; }
table.causes td.mono, table.causes td:last-child { white-space: nowrap; }
table.files td.num { padding-left: 40px; }
tbody tr:last-child td { border-bottom: none; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
td.strong, .strong { font-weight: 600; }
td.mono, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; overflow-wrap: anywhere; }
td.pre { white-space: pre-line; }
td .sub, .sub { font-size: 11.5px; color: var(--muted); font-weight: 400; }
.bar-col { width: 28%; }
.bar { display: block; height: 8px; border-radius: 4px; background: var(--accent); opacity: .75; margin-top: 6px; }
.failures .bar { background: var(--bad); }
.split { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 14px; }

/* Scenario JSON */
details { margin-top: 12px; background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); }
details summary { cursor: pointer; padding: 10px 14px; font-weight: 600; color: var(--text-2); }
details pre { margin: 0; padding: 12px 16px 16px; border-top: 1px solid var(--line-2); overflow: auto; max-height: 560px; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }

footer { margin-top: 36px; padding-top: 14px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; display: flex; justify-content: space-between; gap: 16px; flex-wrap: wrap; }

@media (max-width: 1100px) {
  .cards { grid-template-columns: repeat(4, minmax(0, 1fr)); }
}
@media (max-width: 860px) {
  .charts, .charts.three, .split { grid-template-columns: minmax(0, 1fr); }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .page { padding: 16px; }
}

@media print {
  @page { size: A4; margin: 12mm; }
  body { background: #fff; font-size: 11.5px; }
  .page { max-width: none; padding: 0; }
  .report-header, .card, .chart-card, .table-wrap, details, .banner { box-shadow: none; }
  .report-header { border-left: 1px solid var(--line); }
  section { margin-top: 18px; }
  .section-head { break-after: avoid; }
  h3 { break-after: avoid; }
  .card, .chart-card, tr, .banner { break-inside: avoid; }
  .cards { grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px; }
  .card { padding: 9px 11px; }
  .card .label { white-space: normal; }
  .card .value { font-size: 19px; }
  /* Two charts a row on paper, axis labels drawn larger so they survive the scaling. */
  .charts, .charts.three { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
  .charts.one { grid-template-columns: minmax(0, 1fr); }
  .chart-card { padding: 8px 10px 4px; }
  .legend { font-size: 10.5px; }
  svg.chart .tick { font-size: 14px; }
  .charts.three svg.chart .tick { font-size: 11px; }
  .split { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  table { font-size: 10.5px; }
  th, td { padding: 5px 6px; }
  th { font-size: 9px; }
  table.storms { font-size: 9.5px; }
  table.storms th, table.storms td { padding: 4px 3px; letter-spacing: 0; }
  table.storms td:nth-child(2) { min-width: 90px; }
  table.storms .pill { padding: 1px 5px; font-size: 9.5px; }
  td .sub, .sub { font-size: 9.5px; }
  td.mono, .mono { font-size: 10px; }
  .table-wrap { overflow: visible; }
  details pre { max-height: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
