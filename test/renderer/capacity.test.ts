// The app's Capacity mode without a browser: the editor's mode switch and its settings (defaults
// filled in, problems next to their fields), the run store following a search's pushes and a
// restored status, and the panel's rows and words.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CRITERIA, type CapacityProgress, type CapacityStep } from '../../src/contract/capacity.ts';
import { PRESETS } from '../../src/contract/presets.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { capacityPhaseText, capacityRows, failuresText } from '../../renderer/state/capacity-view.ts';
import { scenarioToInput } from '../../renderer/state/editor-model.ts';
import { createEditorStore } from '../../renderer/state/editor-store.ts';
import { createFleetStore } from '../../renderer/state/fleet-store.ts';
import { TimelineBuffer } from '../../renderer/state/timeline.ts';
import { demoScenario, summary } from './fixtures.ts';

const presets = Object.entries(PRESETS).map(([name, scenario]) => ({ name, description: name, scenario }));

function step(index: number, devices: number, held: boolean): CapacityStep {
  return {
    index, devices, startedAt: 0, endedAt: 1, online: held ? devices : devices - 4, attempts: 10, connectFailures: held ? 0 : 4,
    failureReasons: held ? {} : { 'server-close': 4 }, drops: 0, dropReasons: {}, connackP99Ms: 3, pubackP99Ms: 0, loopLagP99Ms: 1, cpuPct: 5, generatorSaturated: false, held,
    failures: held ? [] : [{ check: 'connect-failures', value: 40, limit: 0.1, detail: 'connect failures 40% of 10 attempts (limit 0.1%): server-close 4' }],
  };
}

function progress(patch: Partial<CapacityProgress> = {}): CapacityProgress {
  return { plan: { stepDevices: [10, 20, 30, 40, 50, 60, 70, 80], holdMs: 1000, totalDevices: 80 }, criteria: DEFAULT_CRITERIA, phase: null, steps: [], result: null, ...patch };
}

describe('editor: capacity mode', () => {
  test('switching fills in the settings the draft lacks with the defaults, keeps those it has, and places problems at their fields', () => {
    const ed = createEditorStore();
    ed.setPresets(presets);
    ed.choosePreset('demo');
    ed.setField('capacity.step', 50);
    ed.setMode('capacity');
    const block = ed.getState().draft.capacity as Record<string, unknown>;
    assert.deepEqual(block, { step: 50, hold: '60s', maxConnectFailures: '0.1%', maxDrops: '0.1%', maxConnackP99: '1s', maxPubackP99: '2s', maxLoopLag: '50ms', maxCpu: '90%' });
    assert.deepEqual(ed.getState().problems, []);
    ed.setField('capacity.hold', '1');
    ed.setField('capacity.maxCpu', 'lots');
    const byPath = ed.getState().problemsByPath;
    assert.match(byPath['capacity.hold']?.[0].message ?? '', /expected a duration of at least 1s/);
    assert.match(byPath['capacity.maxCpu']?.[0].message ?? '', /expected a CPU share of one core/, JSON.stringify(byPath));
    // A preset loaded in capacity mode gets the defaults too.
    ed.choosePreset('demo');
    assert.equal((ed.getState().draft.capacity as Record<string, unknown>).hold, '60s');
    // Back to a plain run: a bad block is still the scenario's problem, shown at the top.
    ed.setField('capacity.until', 'soon');
    ed.setMode('run');
    assert.equal(ed.getState().mode, 'run');
    assert.equal(ed.getState().problemsByPath['capacity.until'], undefined);
    assert.ok(ed.getState().problemsByPath['']?.some((p) => p.path === 'capacity.until'));
  });

  test('a running scenario read back keeps its capacity block', () => {
    const v = validateScenario({ ...PRESETS.demo, capacity: { step: '25%', hold: '5s' } });
    assert.ok(v.ok, JSON.stringify(v));
    assert.deepEqual(scenarioToInput(v.scenario).capacity, { step: '25%', hold: '5s' });
  });
});

describe('run store: capacity pushes', () => {
  test('each push replaces the progress in one set(); a new run clears it; status() restores it', () => {
    const store = createFleetStore({ timeline: new TimelineBuffer(), feedFlushMs: 10_000 });
    let sets = 0;
    store.subscribe(() => sets++);
    const p = progress({ steps: [step(1, 10, true)] });
    store.applyUpdate({ type: 'capacity', capacity: p });
    assert.equal(sets, 1);
    assert.equal(store.getState().capacity, p);
    store.applyUpdate({ type: 'started', scenario: demoScenario() });
    assert.equal(store.getState().capacity, null);
    store.applyStatus({ state: 'running', scenario: demoScenario(), snapshot: null, timeline: [], summary: null, events: [], recordDir: null, metricsUrl: null, capacity: p });
    assert.deepEqual(store.getState().capacity, p);
    store.applyStatus({ state: 'stopped', scenario: demoScenario(), snapshot: null, timeline: [], summary: summary(), events: [], recordDir: null, metricsUrl: null });
    assert.equal(store.getState().capacity, null, 'an older server without capacity: none');
  });
});

describe('capacity panel model', () => {
  test('rows: finished steps, the current one, three planned and a count of the rest; at the end only the finished', () => {
    const running = progress({ steps: [step(1, 10, true)], phase: { step: 2, of: 8, devices: 20, stage: 'holding', text: '' } });
    const { rows, morePlanned } = capacityRows(running);
    assert.deepEqual(rows.map((r) => [r.kind, r.devices]), [['done', 10], ['current', 20], ['planned', 30], ['planned', 40], ['planned', 50]]);
    assert.equal(morePlanned, 3);
    assert.equal(capacityPhaseText(running), 'step 2 of 8 · holding 20 devices for 1 s');
    assert.equal(capacityPhaseText(progress()), 'starting the fleet');
    const steps = [step(1, 10, true), step(2, 20, false)];
    const ended = progress({ steps, result: { plan: running.plan, criteria: DEFAULT_CRITERIA, steps, knee: 20, largestHeld: 10, firstFailure: steps[1].failures[0], who: 'target', verdict: 'knee at 20 devices', ended: 'knee' } });
    assert.deepEqual(capacityRows(ended), { rows: steps.map((s) => ({ kind: 'done', index: s.index, devices: s.devices, step: s })), morePlanned: 0 });
    assert.equal(capacityPhaseText(ended), 'ended: knee found');
    assert.equal(failuresText(steps[1]), '4 (40%)');
    assert.equal(failuresText(steps[0]), '0');
  });
});
