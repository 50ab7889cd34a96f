// The hold bench's verdict from the facts a run measured: held or not, how far it got and who
// gave out, by the capacity search's criteria.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holdVerdict, type HoldFacts } from '../../bench/hold-verdict.ts';
import { DEFAULT_CRITERIA } from '../../src/contract/capacity.ts';
import { onlineSwings } from '../../src/fleet/capacity/online-swings.ts';
import type { WindowFigures } from '../../src/fleet/capacity/step-window.ts';

const healthy: WindowFigures = { attempts: 50_000, connectFailures: 0, failureReasons: {}, drops: 0, dropReasons: {}, connackP99Ms: 40, pubackP99Ms: 30, loopLagP99Ms: 3, cpuPct: 60, saturatedShare: 0, saturatedMs: 0 };
const facts = (over: Partial<HoldFacts>): HoldFacts => ({
  devices: 50_000,
  holdSeconds: 60,
  allOnlineAfterS: 90,
  heldSeconds: 60,
  minOnlineDuringHold: 50_000,
  connectBudgetS: 330,
  runEnded: null,
  swings: onlineSwings([0, 25_000, 50_000, 50_000].map((online, t) => ({ t, online }))),
  window: healthy,
  firstFailure: null,
  criteria: DEFAULT_CRITERIA,
  connectRate: 550,
  ramp: 600,
  ...over,
});

test('every device online for the hold: held N/N for S s', () => {
  const v = holdVerdict(facts({}));
  assert.equal(v.held, true);
  assert.equal(v.line, 'held 50,000/50,000 for 60 s');
  assert.equal(v.who, 'none');
});

test('a saturated generator that never got every device online: the generator gave out', () => {
  const swings = onlineSwings([0, 20_000, 40_280, 40_100].map((online, t) => ({ t: t * 100, online })));
  const window: WindowFigures = { ...healthy, connectFailures: 900, attempts: 41_000, failureReasons: { 'connect-timeout': 800, reset: 100 }, loopLagP99Ms: 400, cpuPct: 100, saturatedShare: 0.6, saturatedMs: 200_000 };
  const v = holdVerdict(facts({ allOnlineAfterS: null, heldSeconds: 0, minOnlineDuringHold: null, swings, window, firstFailure: { t: 95, kind: 'connect-failure', reason: 'connect-timeout' } }));
  assert.equal(v.held, false);
  assert.equal(v.who, 'generator');
  assert.equal(v.connectTimeouts, 800);
  assert.equal(v.peakOnline, 40_280);
  assert.match(v.line, /^did not hold: reached 40,280 of 50,000 \(peak at 200 s, connect budget 330 s\)/);
  assert.match(v.line, /first failure at 95 s \(connect-failure connect-timeout\)/);
  assert.match(v.line, /connect timeouts 800 of 900 failed attempts/);
  assert.match(v.line, /who gave out: generator \(loop lag p99 400 ms \/ CPU 100%/);
});

test('latency and refusals while the generator was healthy: the target gave out', () => {
  const swings = onlineSwings([0, 30_000, 45_000, 44_000].map((online, t) => ({ t, online })));
  const window: WindowFigures = { ...healthy, connectFailures: 5000, failureReasons: { refused: 5000 }, connackP99Ms: 4000 };
  const v = holdVerdict(facts({ allOnlineAfterS: null, heldSeconds: 0, minOnlineDuringHold: null, swings, window }));
  assert.equal(v.who, 'target');
  assert.deepEqual(v.failures.map((f) => f.check), ['connect-failures', 'connack-p99']);
  assert.match(v.line, /who gave out: target \(connect failures 10% of 50000 attempts.*CONNACK p99 4000 ms.*while the generator was healthy/);
});

test('a fleet that swings after its peak is called an oscillation, even when every device was online once', () => {
  const swings = onlineSwings([0, 50_000, 30_000, 49_000, 20_000, 48_000].map((online, t) => ({ t, online })));
  const v = holdVerdict(facts({ allOnlineAfterS: 1, heldSeconds: 60, minOnlineDuringHold: 20_000, swings, window: { ...healthy, drops: 60_000, dropReasons: { 'keepalive-timeout': 60_000 } } }));
  assert.equal(v.held, false);
  assert.equal(v.oscillating, true);
  assert.match(v.line, /^did not hold: all 50,000 online after 1 s, then held 60 of 60 s with as few as 20,000 online, online fell 2 times/);
  assert.match(v.line, /drops 60,000 \(keepalive-timeout 60,000\)/);
});

test('a run that ended before the hold did says so', () => {
  const v = holdVerdict(facts({ allOnlineAfterS: null, heldSeconds: 0, minOnlineDuringHold: null, runEnded: 'the run is stopped; host 0 lost (killed by SIGKILL)' }));
  assert.equal(v.held, false);
  assert.match(v.line, /the run ended first: the run is stopped; host 0 lost/);
});

test('no criterion broken but not every device online in the budget: the verdict gives the pace against the ramp', () => {
  const swings = onlineSwings([0, 300, 523].map((online, t) => ({ t, online })));
  const v = holdVerdict(facts({ devices: 3000, allOnlineAfterS: null, heldSeconds: 0, minOnlineDuringHold: null, swings, connectBudgetS: 4, connectRate: 244, ramp: 1000 }));
  assert.equal(v.who, 'none');
  assert.equal(v.line, 'did not hold: reached 523 of 3,000 (peak at 2 s, connect budget 4 s), no connect failure or drop, who gave out: neither broke a criterion (244 connects/s against a ramp of 1,000/s: too slow for the connect budget)');
});
