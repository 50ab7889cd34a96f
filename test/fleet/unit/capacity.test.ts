// Capacity search logic without a fleet: step plans, admit limits over hosts, criteria, verdicts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CRITERIA, type CapacityStep } from '../../../src/contract/capacity.ts';
import { blockProblem, defaultCapacityBlock, mergeCapacityFlags, parseCapacityFlags } from '../../../src/contract/capacity-options.ts';
import { resolveCapacityOptions } from '../../../src/contract/capacity-request.ts';
import { validateScenario } from '../../../src/contract/validate.ts';
import { summarize } from '../../../src/fleet/capacity/capacity-search.ts';
import { evaluateStep, whoGaveOut } from '../../../src/fleet/capacity/criteria.ts';
import { planSteps, splitAdmitLimit } from '../../../src/fleet/capacity/step-plan.ts';
import type { WindowFigures } from '../../../src/fleet/capacity/step-window.ts';

test('steps: absolute, percent (rounded), the last step is exactly the total or --until', () => {
  assert.deepEqual(planSteps(400, { step: 100 }), [100, 200, 300, 400]);
  assert.deepEqual(planSteps(350, { step: 100 }), [100, 200, 300, 350]);
  assert.deepEqual(planSteps(1000, { step: { percent: 25 } }), [250, 500, 750, 1000]);
  assert.deepEqual(planSteps(1005, { step: { percent: 10 } }), [101, 202, 303, 404, 505, 606, 707, 808, 909, 1005]);
  assert.deepEqual(planSteps(3, { step: { percent: 10 } }), [1, 2, 3], 'a share under one device is one device');
  assert.deepEqual(planSteps(1000, { step: 300, untilDevices: 700 }), [300, 600, 700]);
  assert.deepEqual(planSteps(100, { step: 300 }), [100]);
  assert.throws(() => planSteps(1_000_000, { step: 1 }), /at most 1000/);
});

test('admit limits split over hosts in proportion to their devices, never more than a host has', () => {
  assert.deepEqual(splitAdmitLimit(100, [200, 200]), [50, 50]);
  assert.deepEqual(splitAdmitLimit(101, [200, 200]), [51, 50]);
  assert.deepEqual(splitAdmitLimit(30, [100, 200]), [10, 20]);
  assert.deepEqual(splitAdmitLimit(500, [100, 200]), [100, 200]);
  assert.equal(splitAdmitLimit(7, [3, 3, 3]).reduce((a, b) => a + b, 0), 7);
});

const calm: WindowFigures = { attempts: 100, connectFailures: 0, failureReasons: {}, drops: 0, dropReasons: {}, connackP99Ms: 5, pubackP99Ms: 8, loopLagP99Ms: 3, cpuPct: 20, saturatedShare: 0, saturatedMs: 0 };

test('criteria: a calm window holds; each bound, when crossed, fails with its figures', () => {
  assert.deepEqual(evaluateStep(calm, 100, DEFAULT_CRITERIA), []);
  assert.deepEqual(evaluateStep({ ...calm, connectFailures: 1, attempts: 2000, failureReasons: { 'connect-timeout': 1 } }, 100, DEFAULT_CRITERIA), [], '0.05% is within 0.1%');
  const refused = evaluateStep({ ...calm, attempts: 300, connectFailures: 50, failureReasons: { ECONNRESET: 50 } }, 250, DEFAULT_CRITERIA);
  assert.equal(refused.length, 1);
  assert.equal(refused[0].check, 'connect-failures');
  assert.match(refused[0].detail, /16\.67% of 300 attempts.*ECONNRESET 50/);
  assert.equal(whoGaveOut(refused), 'target');
  const slow = evaluateStep({ ...calm, connackP99Ms: 1500, pubackP99Ms: 2500 }, 100, DEFAULT_CRITERIA);
  assert.deepEqual(slow.map((f) => f.check), ['connack-p99', 'puback-p99']);
  assert.deepEqual(evaluateStep({ ...calm, drops: 1, dropReasons: { 'server-close': 1 } }, 100, DEFAULT_CRITERIA).map((f) => f.check), ['drops']);
  assert.deepEqual(evaluateStep(calm, 100, { ...DEFAULT_CRITERIA, maxConnackP99Ms: 4 }).map((f) => f.check), ['connack-p99'], 'bounds are settable');
});

test('who: the generator when it was saturated for a second and a tenth of the step, even with the target slow too', () => {
  const failures = evaluateStep({ ...calm, connackP99Ms: 3000, loopLagP99Ms: 180, saturatedShare: 0.2, saturatedMs: 1500 }, 100, DEFAULT_CRITERIA);
  assert.deepEqual(failures.map((f) => f.check), ['generator', 'connack-p99']);
  assert.equal(whoGaveOut(failures), 'generator');
  assert.match(failures[0].detail, /loop lag p99 180 ms/);
  assert.deepEqual(evaluateStep({ ...calm, loopLagP99Ms: 180, saturatedShare: 0.05, saturatedMs: 1500 }, 100, DEFAULT_CRITERIA), [], 'a small share of a long step is not saturation');
  assert.deepEqual(evaluateStep({ ...calm, loopLagP99Ms: 180, saturatedShare: 0.5, saturatedMs: 250 }, 100, DEFAULT_CRITERIA), [], 'one late batch is not saturation');
  assert.equal(whoGaveOut([]), 'none');
});

function step(index: number, devices: number, failures: CapacityStep['failures']): CapacityStep {
  return { index, devices, startedAt: 0, endedAt: 0, online: devices, attempts: 100, connectFailures: 0, failureReasons: {}, drops: 0, dropReasons: {}, connackP99Ms: 1, pubackP99Ms: 0, loopLagP99Ms: 1, cpuPct: 1, generatorSaturated: false, held: failures.length === 0, failures };
}

test('verdict: knee, largest held, what failed first and who; or every step held', () => {
  const fail = evaluateStep({ ...calm, attempts: 215, connectFailures: 165, failureReasons: { 'server-close': 165 } }, 250, DEFAULT_CRITERIA);
  const r = summarize({ steps: [100, 200, 300, 400], holdMs: 2000, criteria: DEFAULT_CRITERIA }, 400, [step(1, 100, []), step(2, 200, []), step(3, 300, fail)], 'knee');
  assert.equal(r.knee, 300);
  assert.equal(r.largestHeld, 200);
  assert.equal(r.who, 'target');
  assert.equal(r.firstFailure?.check, 'connect-failures');
  assert.match(r.verdict, /knee at 300 devices: the target gave out/);
  const all = summarize({ steps: [100, 200], holdMs: 2000, criteria: DEFAULT_CRITERIA }, 200, [step(1, 100, []), step(2, 200, [])], 'completed');
  assert.equal(all.knee, null);
  assert.equal(all.largestHeld, 200);
  assert.equal(all.who, 'none');
  const first = summarize({ steps: [100], holdMs: 2000, criteria: DEFAULT_CRITERIA }, 100, [step(1, 100, fail)], 'knee');
  assert.equal(first.largestHeld, 0);
});

test('flags: steps, hold, until and criteria parse; bad ones name the flag', () => {
  const ok = parseCapacityFlags({ step: '5%', hold: '3s', until: '10m', 'max-connack-p99': '500ms', 'max-drops': '1%', 'max-cpu': '80' });
  assert.ok(ok.ok);
  assert.deepEqual(ok.options.step, { percent: 5 });
  assert.equal(ok.options.holdMs, 3000);
  assert.equal(ok.options.untilMs, 600_000);
  assert.equal(ok.options.criteria.maxConnackP99Ms, 500);
  assert.equal(ok.options.criteria.maxDropPct, 1);
  assert.equal(ok.options.criteria.maxCpuPct, 80);
  const n = parseCapacityFlags({ step: '100', until: '5000' });
  assert.ok(n.ok);
  assert.equal(n.options.step, 100);
  assert.equal(n.options.untilDevices, 5000);
  const bad = parseCapacityFlags({ step: '0', hold: '10', until: 'soon', 'max-drops': '120%', 'max-puback-p99': '-1' });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems.map((p) => p.split(':')[0]), ['--step', '--hold', '--until', '--max-drops', '--max-puback-p99']);
});

test('a scenario may carry the settings; the flags win; a bad setting names its field', () => {
  const groups = [{ protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 10 }];
  const ok = validateScenario({ groups, capacity: { step: '20%', hold: '5s', maxConnackP99: '250ms', maxDrops: 0.5 } });
  assert.ok(ok.ok, JSON.stringify(ok));
  const flags = parseCapacityFlags(mergeCapacityFlags(ok.scenario.capacity, { hold: '2s' }));
  assert.ok(flags.ok);
  assert.deepEqual(flags.options.step, { percent: 20 });
  assert.equal(flags.options.holdMs, 2000, 'the flag wins');
  assert.equal(flags.options.criteria.maxConnackP99Ms, 250);
  assert.equal(flags.options.criteria.maxDropPct, 0.5);
  const bad = validateScenario({ groups, capacity: { step: 'half', maxCpu: 0 } });
  assert.ok(!bad.ok);
  assert.ok(bad.problems.some((p) => p.startsWith('capacity.step') && /expected a device count/.test(p)), bad.problems.join('\n'));
  assert.ok(bad.problems.some((p) => p.startsWith('capacity.maxCpu')), bad.problems.join('\n'));
  assert.ok(!validateScenario({ groups, capacity: { stepp: 10 } }).ok, 'unknown keys are refused');
});

test('the app: the defaults as a block parse to the defaults; the request wins over the block, key by key; problems by field path', () => {
  const block = defaultCapacityBlock();
  assert.deepEqual(parseCapacityFlags(mergeCapacityFlags(block, {})), parseCapacityFlags({}));
  assert.deepEqual(block, { step: '10%', hold: '60s', maxConnectFailures: '0.1%', maxDrops: '0.1%', maxConnackP99: '1s', maxPubackP99: '2s', maxLoopLag: '50ms', maxCpu: '90%' });
  const r = resolveCapacityOptions({ step: 50, hold: '10s', maxCpu: 80 }, { step: '25%', until: 400 });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual([r.options.step, r.options.holdMs, r.options.untilDevices, r.options.criteria.maxCpuPct], [{ percent: 25 }, 10_000, 400, 80]);
  assert.equal(blockProblem('--max-connack-p99: expected a time'), 'capacity.maxConnackP99: expected a time');
  const bad = resolveCapacityOptions(undefined, { hold: 'x', maxLoopLag: 0, nope: 1 });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems.map((p) => p.split(':')[0]).sort(), ['capacity', 'capacity.hold', 'capacity.maxLoopLag']);
});
