// Every device, virtualized: only the visible window (plus a margin) is fetched a page at a
// time ({offset, limit, …}); the total comes from the page. DeviceTable pages from any source
// (the live run's devices(), or a past run's devices.csv); DevicesTable is the live run's,
// refreshed every 2 s while it runs.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { DevicePage, DeviceQuery, DeviceRow } from '../../src/contract/fleet-api.ts';
import { DEVICE_STATES, type DeviceState } from '../../src/contract/metrics.ts';
import { fmtInt } from '../lib/format.ts';
import { deviceQuery, devicesStore, filterKey, type DevicesStore } from '../state/devices-store.ts';
import { fleetStore, isActive, useFleet } from '../state/fleet-store.ts';
import { getApi } from '../session.ts';

const ROW_HEIGHT = 26;
/** Browsers cap an element's height (~33M px); past this many rows, narrow with the filters. */
const MAX_ROWS = 1_000_000;
/** Rows fetched beyond the visible ones, each side. */
const MARGIN = 30;
const REFRESH_MS = 2000;
const CACHE_LIMIT = 3000;
const NO_GROUPS: readonly string[] = [];

interface Cache {
  key: string;
  rows: Map<number, DeviceRow>;
}

function Filters({ store, total, groups }: { store: DevicesStore; total: number; groups: readonly string[] }) {
  const state = useStore(store, (s) => s.state);
  const group = useStore(store, (s) => s.group);
  const [search, setSearch] = useState(() => store.getState().search);
  useEffect(() => {
    const t = setTimeout(() => store.setState({ search }), 250);
    return () => clearTimeout(t);
  }, [search, store]);
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
      <select value={state} onChange={(e) => store.setState({ state: e.target.value as DeviceState | '' })} data-testid="devices-state-filter">
        <option value="">all states</option>
        {DEVICE_STATES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <select value={group} onChange={(e) => store.setState({ group: e.target.value })} data-testid="devices-group-filter">
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

function Row({ row: r, top, selected, onSelect }: { row: DeviceRow; top: number; selected: boolean; onSelect: (id: string) => void }) {
  return (
    <div
      role="row"
      className={`dev-row${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      data-testid="device-row"
      data-device-id={r.id}
      onClick={() => onSelect(r.id)}
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
        {r.targetDropped ? (
          <span
            className="target-dropped"
            data-testid="target-dropped"
            title={`The target dropped this device (${r.targetDropped === 'cap' ? 'at its buffer cap' : 'shedding under overload'})${r.state === 'online' && r.disconnects === 0 ? ': it still counts itself online, never having seen the close' : ''}`}
          >
            dropped: {r.targetDropped}
          </span>
        ) : null}
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
}

export interface DeviceTableProps {
  /** Filters and the selected device. */
  store: DevicesStore;
  fetchPage(query: DeviceQuery): Promise<DevicePage>;
  groups: readonly string[];
  /** The rows start over when this changes (a new run, another past run). */
  resetKey: string | number;
  /** Refresh the visible rows this often; null when they do not change. */
  refreshMs: number | null;
  /** The visible rows are fetched again when this changes (the run's state). */
  refreshKey?: string;
  /** True when an empty page means "gone" rather than "none": the rows are kept as last seen. */
  keepWhenEmpty?: () => boolean;
  staleText?: string;
  /** Shown when there are no rows (and no error). */
  emptyText: string;
}

export function DeviceTable({ store, fetchPage, groups, resetKey, refreshMs, refreshKey, keepWhenEmpty, staleText, emptyText }: DeviceTableProps) {
  const state = useStore(store, (s) => s.state);
  const group = useStore(store, (s) => s.group);
  const search = useStore(store, (s) => s.search);
  const selectedId = useStore(store, (s) => s.selectedId);
  const key = filterKey({ state, group, search });

  const scrollRef = useRef<HTMLDivElement>(null);
  const cache = useRef<Cache>({ key, rows: new Map() });
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  /** The rows are as last seen (the run has ended and its hosts are gone). */
  const [stale, setStale] = useState(false);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const seq = useRef(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

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
      const f = store.getState();
      try {
        const page = await fetchRef.current(deviceQuery(f, offset, limit));
        if (my !== seq.current || cache.current.key !== filterKey(f)) return;
        const rows = cache.current.rows;
        if (page.total === 0 && rows.size > 0 && keepWhenEmpty?.()) {
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
    [count, store, keepWhenEmpty],
  );

  // New filters or another run: start over from the top.
  useEffect(() => {
    cache.current = { key, rows: new Map() };
    setStale(false);
    setTotal(0);
    scrollRef.current?.scrollTo({ top: 0 });
    windowRef.current = { first: 0, last: 40 };
    void fetchWindow(true);
  }, [key, resetKey]);

  // Scrolled: fetch what is missing (debounced).
  useEffect(() => {
    const t = setTimeout(() => void fetchWindow(false), 60);
    return () => clearTimeout(t);
  }, [first, last, fetchWindow]);

  // Live: refresh the visible window; once more when the run changes state.
  useEffect(() => {
    if (refreshKey !== undefined) void fetchWindow(true);
    if (refreshMs === null) return;
    const t = setInterval(() => void fetchWindow(true), refreshMs);
    return () => clearInterval(t);
  }, [refreshMs, refreshKey]);

  const rows = cache.current.rows;
  const select = useCallback((id: string) => store.setState({ selectedId: id }), [store]);
  return (
    <section className="panel devices-panel">
      <Filters store={store} total={total} groups={groups} />
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
        {count === 0 ? <div className="empty-cell big">{error ? `Could not list devices: ${error}` : emptyText}</div> : null}
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
            return <Row key={v.key} row={r} top={v.start} selected={r.id === selectedId} onSelect={select} />;
          })}
        </div>
      </div>
      {stale && staleText ? <div className="table-note stale">{staleText}</div> : null}
      {total > MAX_ROWS ? <div className="table-note">Showing the first {fmtInt(MAX_ROWS)} of {fmtInt(total)} — narrow with the filters.</div> : null}
    </section>
  );
}

const liveDevices = (query: DeviceQuery): Promise<DevicePage> => getApi()?.devices(query) ?? Promise.resolve({ total: 0, offset: query.offset, rows: [] });
/** After a run its hosts have exited and list nothing: keep the rows as last seen. */
const liveKeepWhenEmpty = () => !isActive(fleetStore.getState().runState);

/** The live run's devices. */
export function DevicesTable() {
  const runState = useFleet((s) => s.runState);
  const runScenario = useFleet((s) => s.runScenario);
  const runSeq = useFleet((s) => s.runSeq);
  const groups = runScenario?.groups.map((g) => g.name) ?? NO_GROUPS;
  const active = isActive(runState);
  const attached = useFleet((s) => s.attach !== null);
  const emptyText = attached
    ? 'Attached to a distributed run: each shard keeps its own devices (open a shard, or its run record, to list them).'
    : !runScenario
    ? 'No run yet — pick a preset and press Start.'
    : active
      ? 'No devices match the filters.'
      : 'The run has ended: devices are listed while a run is in progress.';
  return (
    <DeviceTable
      store={devicesStore}
      fetchPage={liveDevices}
      groups={groups}
      resetKey={runSeq}
      refreshMs={active ? REFRESH_MS : null}
      refreshKey={runState}
      keepWhenEmpty={liveKeepWhenEmpty}
      staleText="The run has ended: rows show each device as last seen while it ran."
      emptyText={emptyText}
    />
  );
}
