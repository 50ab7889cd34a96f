// A past run's backpressure: the outcome in words and the figures behind it, as the summary
// recorded them (the charts beside show them per second). Absent for summaries of older versions.
import type { BackpressureSummary } from '../../src/contract/backpressure.ts';
import { fmtBytes, fmtInt } from '../lib/format.ts';

function Figure({ label, value, testId, warn }: { label: string; value: string; testId: string; warn?: boolean }) {
  return (
    <div className={`gauge bp-row${warn ? ' is-warn' : ''}`}>
      <span className="gauge-label">{label}</span>
      <span className="gauge-value num" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

export function RunBackpressure({ backpressure: bp }: { backpressure: BackpressureSummary | undefined }) {
  // A record from elsewhere may hold anything: only a block of the expected shape is shown.
  if (!bp || typeof bp.outcome !== 'string' || typeof bp.fleet !== 'object' || bp.fleet === null) return null;
  const t = typeof bp.target === 'object' ? bp.target : null;
  return (
    <section className="panel run-backpressure" data-testid="run-backpressure">
      <div className="panel-title">
        <span>Backpressure</span>
        <span className="muted">{t ? 'embedded target and fleet' : 'fleet only: external target'}</span>
      </div>
      <p className="bp-outcome" data-testid="run-bp-outcome">
        {bp.outcome}
      </p>
      <div className="bp-cols">
        {t ? (
          <div className="bp-col">
            <div className="subhead">Target</div>
            <Figure label="buffered, peak" value={fmtBytes(t.peakBufferedBytes)} testId="run-bp-peak" warn={t.stillGrowing} />
            <Figure label="largest client, peak" value={fmtBytes(t.peakMaxClientBufferedBytes)} testId="run-bp-client" />
            <Figure label="slow clients, most" value={fmtInt(t.peakSlowClients)} testId="run-bp-slow" />
            <Figure label="dropped at cap" value={fmtInt(t.droppedSlowClients)} testId="run-bp-dropped" warn={t.droppedSlowClients > 0} />
            <Figure label="of them still online" value={t.droppedButOnline === null ? '—' : fmtInt(t.droppedButOnline)} testId="run-bp-dropped-online" warn={(t.droppedButOnline ?? 0) > 0} />
            <Figure label="refused · shed" value={`${fmtInt(t.refusedByRate)} · ${fmtInt(t.shedByOverload)}`} testId="run-bp-refused" />
          </div>
        ) : null}
        <div className="bp-col">
          <div className="subhead">Fleet</div>
          <Figure label="write queues, peak" value={fmtBytes(bp.fleet.peakWriteQueueBytes)} testId="run-bp-queue" />
          <Figure label="QoS 1 in flight, most" value={fmtInt(bp.fleet.peakInflight)} testId="run-bp-inflight" />
          <Figure label="held back" value={fmtInt(bp.fleet.heldBack)} testId="run-bp-held" />
          <Figure label="slow readers, most" value={fmtInt(bp.fleet.peakSlowReaders)} testId="run-bp-readers" />
        </div>
      </div>
    </section>
  );
}
