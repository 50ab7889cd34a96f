// One device's counters and recent events (deviceLog), in a drawer over the right edge.
import { useCallback, useEffect, useState } from 'react';
import type { DeviceLog } from '../../src/contract/device-log.ts';
import { fmtBytes, fmtInt, fmtTimeMs } from '../lib/format.ts';
import { devicesStore, useDevices } from '../state/devices-store.ts';
import { getApi } from '../session.ts';

type Load = { status: 'loading' } | { status: 'ok'; log: DeviceLog; at: number } | { status: 'missing' } | { status: 'error'; error: string };

const close = () => devicesStore.setState({ selectedId: null });

function DrawerBody({ id }: { id: string }) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [refreshing, setRefreshing] = useState(false);

  const fetchLog = useCallback(async () => {
    const api = getApi();
    if (!api) return;
    setRefreshing(true);
    try {
      const log = await api.deviceLog(id);
      setLoad(log ? { status: 'ok', log, at: Date.now() } : { status: 'missing' });
    } catch (err) {
      setLoad({ status: 'error', error: (err as Error).message });
    } finally {
      setRefreshing(false);
    }
  }, [id]);

  useEffect(() => {
    void fetchLog();
  }, [fetchLog]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const d = load.status === 'ok' ? load.log.device : null;
  const events = load.status === 'ok' ? [...load.log.events].reverse() : [];
  return (
    <aside className="drawer" data-testid="device-drawer" role="dialog" aria-label={`device ${id}`}>
      <header className="drawer-head">
        <div>
          <div className="drawer-kicker">Device</div>
          <div className="drawer-title mono">{id}</div>
        </div>
        <span className="spacer" />
        {d ? <span className={`st st-${d.state}`}>{d.state}</span> : null}
        <button type="button" className="btn btn-ghost" onClick={() => void fetchLog()} disabled={refreshing} data-testid="device-log-refresh">
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
        <button type="button" className="btn btn-ghost icon" onClick={close} aria-label="close" title="Close (Esc)">
          ✕
        </button>
      </header>
      {load.status === 'loading' ? <div className="empty-cell big">Loading…</div> : null}
      {load.status === 'missing' ? <div className="empty-cell big">No log for this device (the run is over or its host is gone).</div> : null}
      {load.status === 'error' ? <div className="alert alert-error">{load.error}</div> : null}
      {d ? (
        <>
          <dl className="kv">
            <div>
              <dt>group</dt>
              <dd>{d.group}</dd>
            </div>
            <div>
              <dt>index</dt>
              <dd className="num">{fmtInt(d.index)}</dd>
            </div>
            <div>
              <dt>host</dt>
              <dd className="num">{d.hostId}</dd>
            </div>
            <div>
              <dt>connects</dt>
              <dd className="num">{fmtInt(d.connects)}</dd>
            </div>
            <div>
              <dt>disconnects</dt>
              <dd className="num">{fmtInt(d.disconnects)}</dd>
            </div>
            <div>
              <dt>last reason</dt>
              <dd>{d.lastReason ?? '—'}</dd>
            </div>
            <div>
              <dt>sent</dt>
              <dd className="num">
                {fmtInt(d.sent)} <span className="muted">· {fmtBytes(d.bytesSent)}</span>
              </dd>
            </div>
            <div>
              <dt>received</dt>
              <dd className="num">
                {fmtInt(d.received)} <span className="muted">· {fmtBytes(d.bytesReceived)}</span>
              </dd>
            </div>
            <div>
              <dt>write queue</dt>
              <dd className="num" data-testid="device-write-queue">{fmtBytes(d.writeQueueBytes ?? 0)}</dd>
            </div>
            <div>
              <dt>QoS 1 in flight</dt>
              <dd className="num">{fmtInt(d.inflight ?? 0)}</dd>
            </div>
          </dl>
          <div className="subhead drawer-sub">
            Events <span className="muted">{events.length} · newest first</span>
          </div>
          <ol className="log">
            {events.length === 0 ? <li className="empty-cell">no events recorded</li> : null}
            {events.map((e, i) => (
              <li key={`${e.t}-${i}`} className={`log-line k-${e.kind}`} data-testid="device-log-line">
                <span className="log-time num">{fmtTimeMs(e.t)}</span>
                <span className="log-kind">{e.kind}</span>
                <span className="log-detail">{e.detail ?? ''}</span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </aside>
  );
}

export function DeviceDrawer() {
  const id = useDevices((s) => s.selectedId);
  if (!id) return null;
  // Not modal: the dashboard (and Stop) stay usable while a device is open.
  return <DrawerBody key={id} id={id} />;
}
