// Storms in the UI: form → action (accepted by the contract's schema), the run's storm records,
// recovery texts, marker labels and their rows, and the trigger action's refusals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FleetApi, FleetUpdate, StormResult } from '../../src/contract/fleet-api.ts';
import { stormActionSchema, type StormAction, type StormRecord } from '../../src/contract/storm.ts';
import { startSession, triggerStorm } from '../../renderer/session.ts';
import { stormStore } from '../../renderer/state/storm-store.ts';
import {
  ALL_GROUPS,
  SHORTCUTS,
  defaultStormForm,
  dipShare,
  labelRows,
  newestFirst,
  recoveryParts,
  recoveryText,
  runStorms,
  stormActionFromForm,
  stormShortLabel,
  stormsDrawKey,
  type StormForm,
} from '../../renderer/state/storms.ts';
import { TimelineBuffer } from '../../renderer/state/timeline.ts';
import { point, snapshot, summary } from './fixtures.ts';

function storm(over: Partial<StormRecord> = {}): StormRecord {
  const action: StormAction = { action: 'drop', percent: 30, mode: 'destroy' };
  return {
    id: 1,
    label: 'drop 30% (destroy)',
    action,
    at: 1_700_000_005_000,
    t: 5,
    affected: 360,
    onlineBefore: 1200,
    minOnline: 840,
    recoveredAfterMs: 4200,
    outcome: 'recovered',
    reconnectAttempts: 400,
    peakConnectsPerSec: 310,
    connackP99Ms: 12,
    connectP99Ms: 40,
    failures: {},
    disconnects: { 'storm-reset': 360 },
    ...over,
  };
}

const form = (over: Partial<StormForm>): StormForm => ({ ...defaultStormForm(), ...over });

describe('storm form → action', () => {
  test('each action sends only its own fields, durations as text, "all groups" as no group', () => {
    assert.deepEqual(stormActionFromForm(form({ action: 'drop', percent: '30', mode: 'destroy' })), { action: 'drop', percent: 30, mode: 'destroy' });
    assert.deepEqual(stormActionFromForm(form({ action: 'drop', percent: ' 12.5 ', group: 'ws-rooms' })), { action: 'drop', percent: 12.5, mode: 'close', group: 'ws-rooms' });
    assert.deepEqual(stormActionFromForm(form({ action: 'blip', for: ' 5s ', group: ALL_GROUPS })), { action: 'blip', for: '5s' });
    assert.deepEqual(stormActionFromForm(form({ action: 'kill-host', host: 2, restart: false })), { action: 'kill-host', host: 2, restart: false });
    assert.deepEqual(stormActionFromForm(form({ action: 'target-kick', percent: '50' })), { action: 'target-kick', percent: 50 });
    assert.deepEqual(stormActionFromForm(form({ action: 'target-pause', for: '2s' })), { action: 'target-pause', for: '2s' });
    assert.deepEqual(stormActionFromForm(form({ action: 'target-restart' })), { action: 'target-restart' });
  });

  test('what the form sends is what the fleet accepts (the contract schema)', () => {
    for (const f of [
      form({ action: 'drop', percent: '30', mode: 'half-open', group: 'g' }),
      form({ action: 'blip', for: '5s' }),
      form({ action: 'kill-host', host: 0, restart: true }),
      form({ action: 'target-kick', percent: '10' }),
      form({ action: 'target-pause', for: '1500ms' }),
      form({ action: 'target-restart' }),
    ]) {
      const parsed = stormActionSchema.safeParse(stormActionFromForm(f));
      assert.ok(parsed.success, `${f.action}: ${parsed.error?.message}`);
    }
    const blip = stormActionSchema.parse(stormActionFromForm(form({ action: 'blip', for: '5s' })));
    assert.equal(blip.action === 'blip' && blip.for, 5000);
    for (const s of Object.values(SHORTCUTS)) assert.ok(stormActionSchema.safeParse(s).success);
  });

  test('a percent that is not a number is sent as typed, so the fleet says why', () => {
    const a = stormActionFromForm(form({ action: 'drop', percent: 'lots' }));
    assert.equal(a.percent, 'lots');
    assert.equal(stormActionSchema.safeParse(a).success, false);
  });
});

describe('storm records', () => {
  test('the summary once the run ended, else the live snapshot; a stable empty list', () => {
    const live = [storm({ outcome: 'recovering' })];
    const final = [storm()];
    assert.equal(runStorms({ snapshot: snapshot({ storms: live }), summary: null }), live);
    assert.equal(runStorms({ snapshot: snapshot({ storms: live }), summary: summary({ storms: final }) }), final);
    assert.equal(runStorms({ snapshot: null, summary: null }), runStorms({ snapshot: null, summary: null }), 'same array each time (a zustand selector)');
    assert.deepEqual(runStorms({ snapshot: null, summary: null }), []);
  });

  test('newest first, without touching the input', () => {
    const list = [storm({ id: 1, at: 10 }), storm({ id: 2, at: 30 }), storm({ id: 3, at: 20 })];
    assert.deepEqual(newestFirst(list).map((s) => s.id), [2, 3, 1]);
    assert.deepEqual(list.map((s) => s.id), [1, 2, 3]);
  });

  test('the draw key changes when a storm is added or settles, not when its figures move', () => {
    const a = [storm({ outcome: 'recovering', minOnline: 900 })];
    assert.equal(stormsDrawKey(a), stormsDrawKey([storm({ outcome: 'recovering', minOnline: 800, reconnectAttempts: 9 })]));
    assert.notEqual(stormsDrawKey(a), stormsDrawKey([storm({ outcome: 'recovered' })]));
    assert.notEqual(stormsDrawKey(a), stormsDrawKey([...a, storm({ id: 2, outcome: 'recovering' })]));
    assert.notEqual(stormsDrawKey([]), stormsDrawKey(a));
  });
});

describe('storm texts', () => {
  test('short marker labels', () => {
    assert.equal(stormShortLabel(storm()), 'drop 30%');
    assert.equal(stormShortLabel({ action: { action: 'blip', for: 5000 } }), 'blip 5s');
    assert.equal(stormShortLabel({ action: { action: 'blip', for: 1500 } }), 'blip 1.5s');
    assert.equal(stormShortLabel({ action: { action: 'kill-host', host: 0, restart: true } }), 'kill host 0');
    assert.equal(stormShortLabel({ action: { action: 'target-kick', percent: 20 } }), 'kick 20%');
    assert.equal(stormShortLabel({ action: { action: 'target-pause', for: 60_000 } }), 'pause 60s');
    assert.equal(stormShortLabel({ action: { action: 'target-restart' } }), 'target restart');
  });

  test('recovery per outcome', () => {
    assert.equal(recoveryText(storm()), 'recovered after 4.2s');
    assert.equal(recoveryText(storm({ recoveredAfterMs: 15_400 })), 'recovered after 15s');
    assert.deepEqual(recoveryParts(storm()), { status: 'recovered', detail: 'after 4.2s' });
    const open = storm({ outcome: 'recovering', recoveredAfterMs: null });
    assert.equal(recoveryText(open), 'recovering…');
    assert.deepEqual(recoveryParts(open, open.at + 7_900), { status: 'recovering…', detail: '0:07 so far' });
    assert.equal(recoveryText(storm({ outcome: 'not-recovered', recoveredAfterMs: null })), 'not recovered');
    assert.equal(recoveryText(storm({ outcome: 'no-impact', recoveredAfterMs: null })), 'no impact');
    assert.deepEqual(recoveryParts(storm({ outcome: 'not-recovered', error: 'no host 7 (hosts: 0-1)' })), { status: 'failed', detail: 'no host 7 (hosts: 0-1)' });
  });

  test('dip share', () => {
    assert.equal(dipShare({ onlineBefore: 1200, minOnline: 840 }), 0.3);
    assert.equal(dipShare({ onlineBefore: 0, minOnline: 0 }), 0);
    assert.equal(dipShare({ onlineBefore: 100, minOnline: 120 }), 0);
  });
});

describe('marker label rows', () => {
  test('labels that would overlap go to the next row; past the last row they share it', () => {
    assert.deepEqual(labelRows([], 2), []);
    assert.deepEqual(labelRows([{ x: 0, w: 50 }, { x: 60, w: 50 }], 2), [0, 0]);
    assert.deepEqual(labelRows([{ x: 0, w: 50 }, { x: 30, w: 50 }, { x: 60, w: 50 }], 2), [0, 1, 0]);
    assert.deepEqual(labelRows([{ x: 0, w: 100 }, { x: 10, w: 100 }, { x: 20, w: 100 }], 2), [0, 1, 1]);
    assert.deepEqual(labelRows([{ x: 0, w: 50 }, { x: 52, w: 10 }], 2, 4), [0, 1], 'closer than the gap');
  });
});

describe('timeline x of a wall-clock time', () => {
  test('on the same axis as the points; null before the first', () => {
    const tl = new TimelineBuffer();
    assert.equal(tl.xAt(1_700_000_005_000), null);
    tl.push(point(1));
    tl.push(point(2));
    assert.equal(tl.xAt(1_700_000_005_500), 5.5);
    tl.reset();
    assert.equal(tl.xAt(1_700_000_005_500), null);
  });
});

describe('triggerStorm', () => {
  test('sends the action; a refusal\'s problems go to the storm store, a success clears them', async () => {
    const sent: unknown[] = [];
    let answer: StormResult = { ok: false, problems: ['percent: must be 0 to 100'] };
    const listeners = new Set<(u: FleetUpdate) => void>();
    const api = {
      storm: async (a: unknown) => {
        sent.push(a);
        return answer;
      },
      onUpdate: (l: (u: FleetUpdate) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    } as unknown as FleetApi;
    const stop = startSession(api);
    try {
      const refused = await triggerStorm({ action: 'drop', percent: 130 });
      assert.equal(refused.ok, false);
      assert.deepEqual(sent, [{ action: 'drop', percent: 130 }]);
      assert.deepEqual(stormStore.getState().problems, ['percent: must be 0 to 100']);
      assert.equal(stormStore.getState().busy, false);

      answer = { ok: true, storm: storm() };
      assert.equal((await triggerStorm({ ...SHORTCUTS.drop30 })).ok, true);
      assert.deepEqual(stormStore.getState().problems, []);

      api.storm = async () => {
        throw new Error('bridge closed');
      };
      await triggerStorm({ action: 'target-restart' });
      assert.deepEqual(stormStore.getState().problems, ['bridge closed']);
    } finally {
      stop();
      stormStore.setState({ problems: [], busy: false });
    }
  });
});
