// The report's "Why devices dropped" section: the causes named from the run's drops and refusals.
import { clusterSpan, type DisconnectCause } from '../../contract/disconnect-causes.ts';
import { html, type Html } from './html.ts';
import { fmtInt } from './report-format.ts';
import type { ReportInput } from './report-model.ts';

const MEASURE: Record<NonNullable<DisconnectCause['stat']>['measure'], string> = {
  sinceRx: 'since last byte received',
  sinceTx: 'since last byte sent',
  age: 'connection age',
};

function causeRow(c: DisconnectCause): Html {
  const stat = c.stat ? `${clusterSpan(c.stat.meanMs, c.stat.spreadMs)} ${MEASURE[c.stat.measure]}` : '';
  return html`<tr data-cause="${c.kind}"><td class="num">${fmtInt(c.count)}</td><td>${c.text}</td><td class="mono">${c.reason}</td><td>${stat}</td></tr>`;
}

export function causesBody(input: ReportInput): Html {
  const summary = input.detail.summary;
  if (!summary) return html`<p class="empty">Unknown: named causes are only in the summary.</p>`;
  const causes = summary.disconnectCauses;
  if (!causes) return html`<p class="empty">Not in this summary (an older version, or a run merged from shards: each shard's summary has its own).</p>`;
  if (causes.length === 0) return html`<p class="empty">No cluster of drops or refusals pointed at a cause.</p>`;
  const head = html`<tr><th class="num">Count</th><th>Cause</th><th>Reason</th><th>Cluster</th></tr>`;
  return html`<div class="table-wrap"><table class="causes"><thead>${head}</thead><tbody>${causes.map(causeRow)}</tbody></table></div>`;
}
