// One recorded run, read back from disk: what it was, its headline figures (or why there are
// none), the same charts as the live view, storms, reasons, devices and files.
import { useMemo } from 'react';
import { formatDuration } from '../../src/contract/duration.ts';
import type { RunDetail } from '../../src/contract/runs.ts';
import { fmtBytes, fmtDateTime, fmtInt } from '../lib/format.ts';
import { recordedChartSource } from '../state/chart-source.ts';
import { runDurationMs } from '../state/runs-model.ts';
import { useRuns } from '../state/runs-store.ts';
import { GroupTable } from './GroupTable.tsx';
import { Charts } from './Charts.tsx';
import { RunBackpressure } from './RunBackpressure.tsx';
import { CopyPath } from './CopyPath.tsx';
import { RunActionResults, RunButtons } from './RunActions.tsx';
import { RunDevices } from './RunDevices.tsx';
import { RunFiles, RunHeadline, RunLatencyCard, RunReasons, RunStorms, RunThresholds } from './RunFigures.tsx';
import { RunStatusBadge } from './RunsList.tsx';

function RunHeader({ detail }: { detail: RunDetail }) {
  const e = detail.entry;
  const duration = runDurationMs(e);
  return (
    <section className="panel run-header">
      <div className="run-header-top">
        <div className="run-header-title">
          <span className="run-title" data-testid="run-title" title={e.name}>
            {e.name}
          </span>
          <RunStatusBadge entry={e} />
        </div>
        <span className="spacer" />
        <RunButtons detail={detail} />
      </div>
      <div className="run-meta num">
        <span>
          started <b>{fmtDateTime(e.startedAt)}</b>
        </span>
        {duration !== null ? (
          <span>
            lasted <b>{formatDuration(duration)}</b>
          </span>
        ) : null}
        <span>
          <b>{fmtInt(e.devices)}</b> devices
        </span>
        {e.mergedShards ? (
          <span data-testid="run-merged" title="fleetsim runs merge: hosts are numbered fleet-wide, shard 0's first">
            merged from <b>{e.mergedShards}</b> shards
          </span>
        ) : null}
        <span>
          <b>{fmtBytes(e.bytes)}</b> on disk
        </span>
        <span className="mono muted" title="run id">
          {e.id}
        </span>
      </div>
      <CopyPath path={e.dir} label="Directory" testId="run-dir" />
    </section>
  );
}

function RunNotes({ detail }: { detail: RunDetail }) {
  const { entry, summary, skippedRows } = detail;
  return (
    <>
      {!summary ? (
        <div className="alert alert-warn run-banner" data-testid="run-no-summary" role="status">
          <b>No summary:</b>{' '}
          {entry.status === 'recording'
            ? 'the run is still in progress; its summary is written when it ends.'
            : `${entry.reason ?? 'the run did not finish'}. The charts, devices and events show what was recorded until it stopped.`}
        </div>
      ) : entry.status === 'incomplete' && entry.reason ? (
        <div className="alert alert-warn run-banner" data-testid="run-incomplete" role="status">
          <b>Incomplete record:</b> {entry.reason}
        </div>
      ) : null}
      {summary?.generatorSaturated ? (
        <div className="alert alert-warn run-banner" data-testid="run-saturated">
          <b>The generator saturated</b> (host {summary.saturation.map((s) => s.hostId).join(', ')}): latencies and rates may reflect the load generator, not the target.
        </div>
      ) : null}
      {skippedRows > 0 ? (
        <div className="alert alert-info run-banner">
          {fmtInt(skippedRows)} timeline row{skippedRows === 1 ? '' : 's'} could not be read (a torn last line after a crash) and {skippedRows === 1 ? 'was' : 'were'} left out.
        </div>
      ) : null}
    </>
  );
}

function RunDetailBody({ detail }: { detail: RunDetail }) {
  const source = useMemo(() => recordedChartSource(detail.timeline, detail.summary?.storms ?? []), [detail]);
  const hasTargetSeconds = useMemo(() => detail.timeline.some((p) => p.targetSlowClients !== undefined), [detail]);
  return (
    <div className="run-detail" data-testid="run-detail" data-run-id={detail.entry.id}>
      <RunHeader detail={detail} />
      <RunActionResults id={detail.entry.id} />
      <RunNotes detail={detail} />
      {detail.summary ? <RunHeadline summary={detail.summary} /> : null}
      {detail.summary ? <RunThresholds summary={detail.summary} /> : null}
      {detail.summary ? <RunStorms summary={detail.summary} /> : null}
      <GroupTable groups={detail.summary?.groups} rateNote="averaged over the run" />
      <RunBackpressure backpressure={detail.summary?.backpressure} />
      <Charts source={source} aside={<RunLatencyCard detail={detail} />} target={hasTargetSeconds} />
      <div className="lower">
        <RunDevices detail={detail} />
        <div className="side-stack">
          <RunReasons summary={detail.summary} />
          <RunFiles files={detail.files} />
        </div>
      </div>
    </div>
  );
}

export function RunDetailView() {
  const status = useRuns((s) => s.detailStatus);
  const detail = useRuns((s) => s.detail);
  const openId = useRuns((s) => s.openId);
  const error = useRuns((s) => s.detailError);
  const seq = useRuns((s) => s.detailSeq);
  if (status === 'ok' && detail) return <RunDetailBody key={seq} detail={detail} />;
  if (status === 'error') return <div className="alert alert-error">Could not open {openId}: {error}</div>;
  return (
    <div className="empty-cell big run-placeholder" data-testid="run-placeholder">
      {status === 'loading'
        ? `Reading ${openId ?? 'the run'} from disk…`
        : status === 'missing'
          ? `There is no run ${openId} in the runs directory any more (moved or deleted?).`
          : 'Pick a run on the left: its figures, charts, storms and devices, read back from its directory.'}
    </div>
  );
}
