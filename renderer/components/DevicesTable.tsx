// Every device, virtualized: only the visible window (plus a margin) is fetched with
// devices({offset, limit, …}); the total comes from the page. Refreshed every 2 s while running.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { DeviceRow } from '../../src/contract/fleet-api.ts';
import { DEVICE_STATES, type DeviceState } from '../../src/contract/metrics.ts';
import { fmtInt } from '../lib/format.ts';
import { deviceQuery, devicesStore, filterKey, useDevices } from '../state/devices-store.ts';
import { fleetStore, isActive, useFleet } from '../state/fleet-store.ts';
import { getApi } from '../session.ts';

const ROW_HEIGHT = 26;
/** Browsers cap an element's height (~33M px); past this many rows, narrow with the filters. */
const MAX_ROWS = 1_000_000;
/** Rows fetched beyond the visible ones, each side. */
const MARGIN = 30;
const REFRESH_MS = 2000;
const CACHE_LIMIT = 3000;

interface Cache {
  key: string;
  rows: Map<number, DeviceRow>;
}

function Filters({ total }: { total: number }) {
  const state = useDevices((s) => s.state);
  const group = useDevices((s) => s.group);
  const runScenario = useFleet((s) => s.runScenario);
  const groups = useMemo(() => runScenario?.groups.map((g) => g.name) ?? [], [runScenario]);
  const [search, setSearch] = useState(() => devicesStore.getState().search);
  useEffect(() => {
    const t = setTimeout(() => devicesStore.setState({ search }), 250);
    return () => clearTimeout(t);
  }, [search]);
  return (
    <div className="panel-title devices-title">
      <span>Devices</span>
      <span className="muted num" data-testid="devices-total">
        {fmtInt(total)}
      </span>
      <span className="spacer" />
      <input
        className="search"
        type="search"
        placeholder="Search id…"
        value={search}
        spellCheck={false}
        data-testid="devices-search"
        onChange={(e) => setSearch(e.target.value)}
      />
      <select value={state} onChange={(e) => devicesStore.setState({ state: e.target.value as DeviceState | '' })} data-testid="devices-state-filter">
        <option value="">all states</option>
        {DEVICE_STATES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <select value={group} onChange={(e) => devicesStore.setState({ group: e.target.value })} data-testid="devices-group-filter">
        <option value="">all groups</option>
        {groups.map((g) => (
          <option key={g} value={g}>
            {g}
          </option>
        ))}
      </select>
    </div>
  );
}

export function DevicesTable() {
  const state = useDevices((s) => s.state);
  const group = useDevices((s) => s.group);
  const search = useDevices((s) => s.search);
  const selectedId = useDevices((s) => s.selectedId);
  const runState = useFleet((s) => s.runState);
  const runScenario = useFleet((s) => s.runScenario);
  const runSeq = useFleet((s) => s.runSeq);
  const key = filterKey({ state, group, search });

  const scrollRef = useRef<HTMLDivElement>(null);
  const cache = useRef<Cache>({ key, rows: new Map() });
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  /** The run has ended and its hosts are gone: the rows are as last seen. */
  const [stale, setStale] = useState(false);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const seq = useRef(0);

  const count = Math.min(total, MAX_ROWS);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const last = items.length ? items[items.length - 1].index : 0;
  const windowRef = useRef({ first, last });
  windowRef.current = { first, last };

  const fetchWindow = useCallback(
    async (force: boolean) => {
      const api = getApi();
      if (!api) return;
      const { first: a, last: b } = windowRef.current;
      const offset = Math.max(0, Math.floor((a - MARGIN) / 10) * 10);
      const limit = Math.min(400, b + MARGIN - offset + 1);
      const c = cache.current;
      if (!force) {
        let missing = false;
        for (let i = offset; i < offset + limit && i < count; i++) {
          if (!c.rows.has(i)) {
            missing = true;
            break;
          }
        }
        if (!missing && count > 0) return;
      }
      const my = ++seq.current;
      const f = devicesStore.getState();
      try {
        const page = await api.devices(deviceQuery(f, offset, limit));
        if (my !== seq.current || cache.current.key !== filterKey(f)) return;
        const rows = cache.current.rows;
        // After a run its hosts have exited and list nothing: keep the rows as last seen.
        if (page.total === 0 && rows.size > 0 && !isActive(fleetStore.getState().runState)) {
          setStale(true);
          return;
        }
        setStale(false);
        if (rows.size > CACHE_LIMIT) rows.clear();
        page.rows.forEach((r, i) => rows.set(page.offset + i, r));
        // Rows past the end of a shrunken result are gone.
        for (let i = page.offset + page.rows.length; i < offset + limit; i++) rows.delete(i);
        setError(null);
        setTotal(page.total);
        rerender();
      } catch (err) {
        if (my === seq.current) setError((err as Error).message);
      }
    },
    [count],
  );

  // New filters or a new run: start over from the top.
  useEffect(() => {
    cache.current = { key, rows: new Map() };
    setStale(false);
    setTotal(0);
    scrollRef.current?.scrollTo({ top: 0 });
    windowRef.current = { first: 0, last: 40 };
    void fetchWindow(true);
  }, [key, runSeq]);

  // Scrolled: fetch what is missing (debounced).
  useEffect(() => {
    const t = setTimeout(() => void fetchWindow(false), 60);
    return () => clearTimeout(t);
  }, [first, last, fetchWindow]);

  // Live: refresh the visible window; once more when the run changes state.
  const active = isActive(runState);
  useEffect(() => {
    void fetchWindow(true);
    if (!active) return;
    const t = setInterval(() => void fetchWindow(true), REFRESH_MS);
    return () => clearInterval(t);
  }, [active, runState]);

  const rows = cache.current.rows;
  return (
    <section className="panel devices-panel">
      <Filters total={total} />
      <div className="dev-row dev-head" role="row">
        <span>device id</span>
        <span>group</span>
        <span className="r">host</span>
        <span>state</span>
        <span className="r">conn</span>
        <span className="r">disc</span>
        <span className="r">sent</span>
        <span className="r">recv</span>
        <span>last reason</span>
      </div>
      <div className="dev-scroll" ref={scrollRef} data-testid="devices-table" role="table">
        {count === 0 ? (
          <div className="empty-cell big">{error
              ? `Could not list devices: ${error}`
              : !runScenario
                ? 'No run yet — pick a preset and press Start.'
                : isActive(runState)
                  ? 'No devices match the filters.'
                  : 'The run has ended: devices are listed while a run is in progress.'}</div>
        ) : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const r = rows.get(v.index);
            if (!r) {
              return (
                <div key={v.key} className="dev-row placeholder" style={{ transform: `translateY(${v.start}px)` }}>
                  <span className="muted">…</span>
                </div>
              );
            }
            return (
              <div
                key={v.key}
                role="row"
                className={`dev-row${r.id === selectedId ? ' selected' : ''}`}
                style={{ transform: `translateY(${v.start}px)` }}
                data-testid="device-row"
                data-device-id={r.id}
                onClick={() => devicesStore.setState({ selectedId: r.id })}
              >
                <span className="mono id" title={r.id}>
                  {r.id}
                </span>
                <span className="ellipsis" title={r.group}>
                  {r.group}
                </span>
                <span className="num r muted">{r.hostId}</span>
                <span>
                  <span className={`st st-${r.state}`}>{r.state}</span>
                </span>
                <span className="num r">{fmtInt(r.connects)}</span>
                <span className={`num r${r.disconnects ? ' warn' : ''}`}>{fmtInt(r.disconnects)}</span>
                <span className="num r">{fmtInt(r.sent)}</span>
                <span className="num r">{fmtInt(r.received)}</span>
                <span className="ellipsis muted" title={r.lastReason}>
                  {r.lastReason ?? ''}
                </span>
              </div>
            );
          })}
        </div>
      </div>
      {stale ? <div className="table-note stale">The run has ended: rows show each device as last seen while it ran.</div> : null}
      {total > MAX_ROWS ? <div className="table-note">Showing the first {fmtInt(MAX_ROWS)} of {fmtInt(total)} — narrow with the filters.</div> : null}
    </section>
  );
}
