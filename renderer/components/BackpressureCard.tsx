// Backpressure: the fleet's side (write queues, QoS 1 in flight, held back, slow readers) and,
// for the embedded target, its side (bytes buffered towards clients, slow and dropped clients).
// Amber when the target's buffers keep growing or it has slow clients, red when both.
import { useSyncExternalStore } from 'react';
import { fmtBytes, fmtInt } from '../lib/format.ts';
import { GROWTH_WINDOW, backpressureLevel, fleetBackpressure, isGrowing, targetStats } from '../state/backpressure.ts';
import { useFleet } from '../state/fleet-store.ts';
import { timeline } from '../state/timeline.ts';

const subscribeTimeline = (listener: () => void) => timeline.subscribe(listener);
const targetGrowing = () => isGrowing(timeline.cols.targetBufferedBytes);

function Row({ label, value, testId, cls }: { label: string; value: string; testId?: string; cls?: string }) {
  return (
    <div className={`gauge bp-row${cls ? ` ${cls}` : ''}`}>
      <span className="gauge-label">{label}</span>
      <span className="gauge-value num" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

export function BackpressureCard() {
  const bp = useFleet((s) => fleetBackpressure(s.snapshot));
  const target = useFleet((s) => targetStats(s.snapshot));
  const growing = useSyncExternalStore(subscribeTimeline, targetGrowing);
  const slowClients = target?.slowClients ?? 0;
  const level = target ? backpressureLevel(growing, slowClients) : 'ok';
  const status = !target ? '' : growing ? 'buffers growing' : slowClients > 0 ? 'slow clients' : 'ok';
  const flag = (on: boolean) => (on ? (level === 'alert' ? 'is-alert' : 'is-warn') : undefined);
  return (
    <section className={`panel backpressure-card bp-${level}`} data-testid="backpressure-card">
      <div className="panel-title">
        <span>Backpressure</span>
        {status ? (
          <span
            className="bp-status muted"
            data-testid="backpressure-status"
            title={`Amber: the target's buffered bytes rose over the last ${GROWTH_WINDOW} s, or it has slow clients; red: both.`}
          >
            {status}
          </span>
        ) : null}
      </div>
      <div className="bp-cols">
        <div className="bp-col">
          <div className="subhead">Fleet</div>
          <Row label="write queue" value={fmtBytes(bp.writeQueueBytes)} testId="fleet-write-queue" />
          <Row label="largest device" value={fmtBytes(bp.maxWriteQueueBytes)} />
          <Row label="QoS 1 in flight" value={fmtInt(bp.inflight)} />
          <Row label="held back" value={fmtInt(bp.heldBack)} />
          <Row label="slow readers" value={fmtInt(bp.slowReaders)} />
        </div>
        <div className="bp-col">
          <div className="subhead">
            Target
            {target ? <span className="bp-clients num"> · {fmtInt(target.mqttClients + target.wsClients)} clients</span> : null}
          </div>
          {target ? (
            <>
              <Row label="buffered to clients" value={fmtBytes(target.bufferedBytes)} testId="target-buffered" cls={flag(growing)} />
              <Row label="largest client" value={fmtBytes(target.maxClientBufferedBytes)} />
              <Row label="slow clients" value={fmtInt(slowClients)} cls={flag(slowClients > 0)} />
              <Row label="dropped slow" value={fmtInt(target.droppedSlowClients)} testId="target-dropped-slow" />
              <Row label="refused (accept rate)" value={fmtInt(target.refusedByRate ?? 0)} />
            </>
          ) : (
            <div className="muted small">external target: not measured</div>
          )}
        </div>
      </div>
    </section>
  );
}
