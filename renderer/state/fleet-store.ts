// The run as the UI sees it: state, running scenario, latest snapshot, summary and the event
// feed. Every push is applied with one set(); components select narrowly. The timeline goes
// to the TimelineBuffer (charts read it without React).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { AttachStatus } from '../../src/contract/attach.ts';
import type { CapacityProgress } from '../../src/contract/capacity.ts';
import type { FleetUpdate, RunStatus } from '../../src/contract/fleet-api.ts';
import type { GroupTimers, Scenario } from '../../src/contract/scenario.ts';
import type { FleetEvent, FleetSnapshot, RunState, RunSummary } from '../../src/contract/snapshot.ts';
import { FEED_CAP, feedFromEvent, feedFromStarted, feedFromSummary, prependFeed, type FeedItem } from './feed.ts';
import { timeline as defaultTimeline, type TimelineBuffer } from './timeline.ts';

export type UiRunState = RunState | 'idle';

export interface FleetState {
  runState: UiRunState;
  /** The scenario of the current (or last) run, as validated by the fleet. */
  runScenario: Scenario | null;
  snapshot: FleetSnapshot | null;
  summary: RunSummary | null;
  /** Newest first, at most FEED_CAP. */
  feed: FeedItem[];
  /** Set once status() has answered (the UI knows whether a run is in progress). */
  synced: boolean;
  /** Bumped when a new run starts or the run is restored (views holding run data start over). */
  runSeq: number;
  /** Set while the view is attached to a distributed run (fed from Prometheus, no local run). */
  attach: AttachStatus | null;
  /** The capacity search of the current (or last) run: plan, phase, finished steps, result; null for a plain run. */
  capacity: CapacityProgress | null;
}

export const ACTIVE_STATES: ReadonlySet<UiRunState> = new Set(['starting', 'running', 'stopping']);
export const isActive = (s: UiRunState) => ACTIVE_STATES.has(s);

export interface FleetStoreOptions {
  timeline?: TimelineBuffer;
  /** Feed items are batched and applied at most this often (event storms stay cheap). */
  feedFlushMs?: number;
}

export interface FleetStore extends StoreApi<FleetState> {
  applyUpdate(update: FleetUpdate): void;
  applyStatus(status: RunStatus): void;
  /** After a successful live setTimers: keep the run's scenario in step. */
  patchGroupTimers(group: string, timers: GroupTimers): void;
  /** Applies queued feed items now (tests; also runs on a timer). */
  flushFeed(): void;
}

export function initialFleetState(): FleetState {
  return { runState: 'idle', runScenario: null, snapshot: null, summary: null, feed: [], synced: false, runSeq: 0, attach: null, capacity: null };
}

export function createFleetStore(options: FleetStoreOptions = {}): FleetStore {
  const tl = options.timeline ?? defaultTimeline;
  const flushMs = options.feedFlushMs ?? 250;
  const store = createStore<FleetState>()(() => initialFleetState());
  let queue: FeedItem[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  const flushFeed = () => {
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    store.setState((s) => ({ feed: prependFeed(s.feed, items, FEED_CAP) }));
  };
  const enqueue = (it: FeedItem) => {
    queue.push(it);
    if (queue.length > FEED_CAP) queue.splice(0, queue.length - FEED_CAP);
    flushTimer ??= setTimeout(flushFeed, flushMs);
  };

  const applyEvent = (e: FleetEvent) => {
    enqueue(feedFromEvent(e));
    // A run-state change must show at once (the Start/Stop buttons depend on it).
    if (e.type === 'run-state' && store.getState().runState !== e.state) store.setState({ runState: e.state });
  };

  const applyUpdate = (u: FleetUpdate) => {
    switch (u.type) {
      case 'snapshot':
        store.setState({ snapshot: u.snapshot, runState: u.snapshot.state });
        break;
      case 'timeline':
        tl.push(u.point);
        break;
      case 'event':
        applyEvent(u.event);
        break;
      case 'started':
        tl.reset();
        flushFeed();
        store.setState((s) => ({
          runState: 'starting',
          runScenario: u.scenario,
          runSeq: s.runSeq + 1,
          snapshot: null,
          summary: null,
          capacity: null,
          feed: prependFeed(s.feed, [feedFromStarted(u.scenario, Date.now())]),
        }));
        break;
      case 'capacity':
        store.setState({ capacity: u.capacity });
        break;
      case 'attach': {
        const was = store.getState().attach;
        if (!u.attach) {
          // Detached: the last figures stay on screen, as after a run.
          if (was) store.setState({ attach: null, runState: 'stopped' });
        } else if (!was || was.runId !== u.attach.runId || was.prometheusUrl !== u.attach.prometheusUrl) {
          tl.reset();
          store.setState((s) => ({ attach: u.attach, runState: 'running', runScenario: null, runSeq: s.runSeq + 1, snapshot: null, summary: null, capacity: null }));
        } else store.setState({ attach: u.attach });
        break;
      }
      case 'ended':
        flushFeed();
        store.setState((s) => ({
          summary: u.summary,
          runState: isActive(s.runState) ? 'stopped' : s.runState,
          feed: prependFeed(s.feed, [feedFromSummary(u.summary)]),
        }));
        break;
    }
  };

  const applyStatus = (st: RunStatus) => {
    tl.reset(st.timeline);
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    queue = [];
    const items = st.events.map(feedFromEvent);
    if (st.summary) items.push(feedFromSummary(st.summary));
    store.setState((s) => ({
      runSeq: s.runSeq + 1,
      runState: st.state,
      runScenario: st.scenario,
      snapshot: st.snapshot,
      summary: st.summary,
      feed: prependFeed([], items, FEED_CAP),
      synced: true,
      attach: st.attach ?? null,
      capacity: st.capacity ?? null,
    }));
  };

  const patchGroupTimers = (group: string, timers: GroupTimers) => {
    const s = store.getState().runScenario;
    if (!s) return;
    store.setState({ runScenario: { ...s, groups: s.groups.map((g) => (g.name === group ? { ...g, timers } : g)) } });
  };

  return Object.assign(store, { applyUpdate, applyStatus, patchGroupTimers, flushFeed });
}

/** The app's run store. */
export const fleetStore = createFleetStore();

/** Narrow selection from the run store: `useFleet((s) => s.snapshot?.gauges.online ?? 0)`. */
export function useFleet<T>(selector: (s: FleetState) => T): T {
  return useStore(fleetStore, selector);
}
