// The run store: one set() per snapshot push, run state, batched feed, restore from status().
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FEED_CAP } from '../../renderer/state/feed.ts';
import { createFleetStore } from '../../renderer/state/fleet-store.ts';
import { TimelineBuffer } from '../../renderer/state/timeline.ts';
import { demoScenario, point, snapshot, summary } from './fixtures.ts';

function setup() {
  const timeline = new TimelineBuffer();
  const store = createFleetStore({ timeline, feedFlushMs: 10_000 });
  let sets = 0;
  store.subscribe(() => sets++);
  return { store, timeline, sets: () => sets };
}

describe('fleet store', () => {
  test('a snapshot push is exactly one set(), and the run state follows it', () => {
    const { store, sets } = setup();
    store.applyUpdate({ type: 'snapshot', snapshot: snapshot({ state: 'running' }) });
    assert.equal(sets(), 1);
    assert.equal(store.getState().runState, 'running');
    assert.equal(store.getState().snapshot?.gauges.online, 600);
  });

  test('timeline pushes go to the buffer, not the store', () => {
    const { store, timeline, sets } = setup();
    store.applyUpdate({ type: 'timeline', point: point(1) });
    store.applyUpdate({ type: 'timeline', point: point(2) });
    assert.equal(sets(), 0);
    assert.equal(timeline.length, 2);
  });

  test('started resets the run and the timeline; ended keeps the summary and says so in the feed', () => {
    const { store, timeline } = setup();
    timeline.push(point(1));
    store.applyUpdate({ type: 'snapshot', snapshot: snapshot() });
    const seq = store.getState().runSeq;
    store.applyUpdate({ type: 'started', scenario: demoScenario() });
    let s = store.getState();
    assert.equal(s.runState, 'starting');
    assert.equal(s.snapshot, null);
    assert.equal(s.runScenario?.name, 'demo');
    assert.equal(s.runSeq, seq + 1);
    assert.equal(timeline.length, 0);
    assert.equal(s.feed[0].kind, 'started');

    store.applyUpdate({ type: 'event', event: { type: 'run-state', at: 1, state: 'running' } });
    assert.equal(store.getState().runState, 'running', 'run-state events apply at once');
    store.applyUpdate({ type: 'ended', summary: summary({ endReason: 'stopped', peakOnline: 1100 }) });
    s = store.getState();
    assert.equal(s.runState, 'stopped');
    assert.equal(s.summary?.peakOnline, 1100);
    assert.equal(s.feed[0].kind, 'ended');
    assert.match(s.feed[0].title, /Run ended \(stopped\) after 30s/);
    assert.match(s.feed[0].detail ?? '', /peak 1,100\/1,200 online/);
    assert.equal(s.feed[1].kind, 'run-state', 'queued events are flushed before the end');
  });

  test('events are batched into one set() and capped, newest first', () => {
    const { store, sets } = setup();
    for (let i = 0; i < FEED_CAP + 20; i++) {
      store.applyUpdate({ type: 'event', event: { type: 'host-lost', at: i, hostId: i, devices: 10, reason: `r${i}` } });
    }
    assert.equal(sets(), 0);
    store.flushFeed();
    assert.equal(sets(), 1);
    const feed = store.getState().feed;
    assert.equal(feed.length, FEED_CAP);
    assert.equal(feed[0].at, FEED_CAP + 19);
    assert.equal(feed[0].level, 'error');
    assert.match(feed[0].title, /Host 119 lost/);
  });

  test('status() restores a run in progress: state, scenario, snapshot, timeline, events', () => {
    const { store, timeline } = setup();
    store.applyStatus({
      state: 'running',
      scenario: demoScenario(),
      snapshot: snapshot(),
      timeline: [point(1), point(2), point(3)],
      summary: null,
      events: [
        { type: 'run-state', at: 1, state: 'starting' },
        { type: 'run-state', at: 2, state: 'running' },
      ],
      recordDir: null,
      metricsUrl: null,
    });
    const s = store.getState();
    assert.equal(s.runState, 'running');
    assert.equal(s.synced, true);
    assert.equal(s.runScenario?.groups.length, 2);
    assert.equal(timeline.length, 3);
    assert.deepEqual(
      s.feed.map((f) => f.title),
      ['Run running', 'Run starting'],
    );
  });

  test('patchGroupTimers keeps the running scenario in step with a live change', () => {
    const { store } = setup();
    store.applyUpdate({ type: 'started', scenario: demoScenario() });
    const g = store.getState().runScenario!.groups[0];
    store.patchGroupTimers(g.name, { ...g.timers, heartbeat: { ...g.timers.heartbeat!, every: 5000 } });
    assert.equal(store.getState().runScenario!.groups[0].timers.heartbeat?.every, 5000);
    assert.equal(store.getState().runScenario!.groups[1].timers.heartbeat?.every, 15_000);
  });
});

describe('fleet store: an attached view', () => {
  const attach = { prometheusUrl: 'http://127.0.0.1:9090', runId: 'r1', windowSeconds: 30, health: 'ok' as const, shards: 3, message: null, lastPollAt: 1 };

  test('attaching starts a fresh view; polls update its status; detaching keeps the figures, stopped', () => {
    const { store, timeline } = setup();
    store.applyUpdate({ type: 'timeline', point: point(1) });
    const seq = store.getState().runSeq;
    store.applyUpdate({ type: 'attach', attach: { ...attach, health: 'connecting', shards: 0 } });
    assert.equal(timeline.length, 0, 'the last run\'s timeline is cleared');
    assert.equal(store.getState().runState, 'running');
    assert.equal(store.getState().runSeq, seq + 1);
    store.applyUpdate({ type: 'snapshot', snapshot: snapshot({ state: 'running' }) });
    store.applyUpdate({ type: 'timeline', point: point(2) });
    store.applyUpdate({ type: 'attach', attach });
    assert.equal(store.getState().attach?.shards, 3);
    assert.equal(timeline.length, 1, 'a status update of the same attachment keeps the timeline');
    assert.equal(store.getState().runSeq, seq + 1);
    store.applyUpdate({ type: 'attach', attach: null });
    assert.equal(store.getState().attach, null);
    assert.equal(store.getState().runState, 'stopped');
    assert.equal(store.getState().snapshot?.gauges.online, 600);
  });

  test('status() restores the attachment', () => {
    const { store } = setup();
    store.applyStatus({ state: 'running', scenario: null, snapshot: null, timeline: [], summary: null, events: [], recordDir: null, metricsUrl: null, attach });
    assert.equal(store.getState().attach?.runId, 'r1');
  });
});
