// One device's counters and recent events, in a drawer over the right edge: the live run's
// (deviceLog, from its host's ring) or a past run's (runDeviceLog, from its event logs).
import { useCallback, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { DeviceLog } from '../../src/contract/device-log.ts';
import { fmtBytes, fmtInt, fmtTimeMs } from '../lib/format.ts';
import { devicesStore, type DevicesStore } from '../state/devices-store.ts';
import { getApi } from '../session.ts';

type Load = { status: 'loading' } | { status: 'ok'; log: DeviceLog; at: number } | { status: 'missing' } | { status: 'error'; error: string };

export type FetchDeviceLog = (deviceId: string) => Promise<DeviceLog | null>;

interface DrawerProps {
  id: string;
  fetchDeviceLog: FetchDeviceLog;
  close: () => void;
  kicker: string;
  missingText: string;
}

function DrawerBody({ id, fetchDeviceLog, close, kicker, missingText }: DrawerProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [refreshing, setRefreshing] = useState(false);

  const fetchLog = useCallback(async () => {
    setRefreshing(true);
    try {
      const log = await fetchDeviceLog(id);
      setLoad(log ? { status: 'ok', log, at: Date.now() } : { status: 'missing' });
    } catch (err) {
      setLoad({ status: 'error', error: (err as Error).message });
    } finally {
      setRefreshing(false);
    }
  }, [id, fetchDeviceLog]);

  useEffect(() => {
    void fetchLog();
  }, [fetchLog]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [close]);

  const d = load.status === 'ok' ? load.log.device : null;
  const events = load.status === 'ok' ? [...load.log.events].reverse() : [];
  return (
    <aside className="drawer" data-testid="device-drawer" role="dialog" aria-label={`device ${id}`}>
      <header className="drawer-head">
        <div>
          <div className="drawer-kicker">{kicker}</div>
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
      {load.status === 'missing' ? <div className="empty-cell big">{missingText}</div> : null}
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

const liveDeviceLog: FetchDeviceLog = (deviceId) => getApi()?.deviceLog(deviceId) ?? Promise.resolve(null);

interface DeviceDrawerProps {
  /** The table whose selected device is shown (default: the live run's). */
  store?: DevicesStore;
  fetchDeviceLog?: FetchDeviceLog;
  kicker?: string;
  missingText?: string;
}

export function DeviceDrawer({
  store = devicesStore,
  fetchDeviceLog = liveDeviceLog,
  kicker = 'Device',
  missingText = 'No log for this device (the run is over or its host is gone).',
}: DeviceDrawerProps) {
  const id = useStore(store, (s) => s.selectedId);
  const close = useCallback(() => store.setState({ selectedId: null }), [store]);
  if (!id) return null;
  // Not modal: the dashboard (and Stop) stay usable while a device is open.
  return <DrawerBody key={id} id={id} fetchDeviceLog={fetchDeviceLog} close={close} kicker={kicker} missingText={missingText} />;
}
