import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptiveRampSchema } from '../../../src/contract/adaptive-ramp.ts';
import { validateScenario } from '../../../src/contract/validate.ts';
import { AdaptiveRampControl, type RampSecond } from '../../../src/fleet/adaptive-ramp.ts';

const settings = (over: Record<string, unknown> = {}) => adaptiveRampSchema.parse({ ceiling: 1000, floor: 20, start: 200, step: 100, connackP99: '2s', ...over });
const calm = (attempts: number): RampSecond => ({ connackP99Ms: 50, connectP99Ms: 5, failures: {}, attempts, inFlight: 0 });

test('calm seconds raise the rate step by step up to the ceiling, never above', () => {
  const c = new AdaptiveRampControl(settings());
  const rates: number[] = [];
  for (let i = 0; i < 12; i++) rates.push(c.decide(calm(c.current)).rate);
  assert.deepEqual(rates, [300, 400, 500, 600, 700, 800, 900, 1000, 1000, 1000, 1000, 1000]);
});

test('a rate not in use is not raised', () => {
  const c = new AdaptiveRampControl(settings());
  const d = c.decide(calm(10));
  assert.equal(d.rate, 200);
  assert.equal(d.changed, false);
});

test('rising connack p99 halves the rate, with a reason; one cut per two seconds', () => {
  const c = new AdaptiveRampControl(settings({ start: 800 }));
  const slow = { ...calm(800), connackP99Ms: 2500 };
  const first = c.decide(slow);
  assert.equal(first.rate, 400);
  assert.match(first.reason, /connack p99 2500 ms > 2000 ms/);
  assert.equal(c.decide(slow).changed, false, 'the cut just made needs time to show');
  assert.equal(c.decide(slow).rate, 200);
});

test('connect timeouts or refusals cut the rate even when latency is fine', () => {
  for (const reason of ['timeout', 'refused', 'econnreset']) {
    const c = new AdaptiveRampControl(settings({ start: 600 }));
    const d = c.decide({ ...calm(600), failures: { [reason]: 3 } });
    assert.equal(d.rate, 300);
    assert.match(d.reason, new RegExp(`${reason} 3`));
  }
  const slowTransport = new AdaptiveRampControl(settings({ start: 600 }));
  assert.equal(slowTransport.decide({ ...calm(600), connectP99Ms: 3000 }).rate, 300);
});

test('the floor holds however long the trouble lasts; calm then recovers', () => {
  const c = new AdaptiveRampControl(settings({ start: 1000, decrease: 0.5 }));
  for (let i = 0; i < 30; i++) c.decide({ ...calm(c.current), failures: { timeout: 10 } });
  assert.equal(c.current, 20);
  assert.equal(c.decide(calm(20)).rate, 120);
});

test('scenario: ramp adaptive with defaults, settings validated with their paths', () => {
  const groups = [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 10 }];
  const ok = validateScenario({ ramp: 'adaptive', groups });
  assert.ok(ok.ok);
  if (ok.ok) {
    assert.deepEqual(ok.scenario.adaptive, { ceiling: 2000, floor: 20, start: 200, step: 100, decrease: 0.5, connackP99: 2000 });
    assert.equal(ok.scenario.ramp, 200, 'the run starts at adaptive.start');
    assert.equal(ok.scenario.pauseOnSaturation, true);
  }
  const fixed = validateScenario({ ramp: 300, groups });
  assert.ok(fixed.ok && fixed.scenario.adaptive === null && fixed.scenario.ramp === 300);
  const bad = validateScenario({ ramp: 'adaptive', adaptive: { ceiling: 100, floor: 200 }, groups });
  assert.ok(!bad.ok);
  assert.match(JSON.stringify(bad), /adaptive\.floor: must be at most ceiling \(100\)/);
  const soon = validateScenario({ ramp: 'adaptive', adaptive: { connackP99: 'soon' }, groups });
  assert.match(JSON.stringify(soon), /adaptive\.connackP99: expected a duration/);
  const orphan = validateScenario({ ramp: 100, adaptive: { ceiling: 100 }, groups });
  assert.ok(!orphan.ok);
  assert.match(JSON.stringify(orphan), /needs ramp: adaptive/);
  const word = validateScenario({ ramp: 'fast', groups });
  assert.ok(!word.ok);
  assert.match(JSON.stringify(word), /ramp: expected connects\/s \(0 = unlimited\) or .*adaptive/);
});

test('a backlog of attempts in flight cuts the rate before any latency is recorded', () => {
  const c = new AdaptiveRampControl(settings({ start: 800 }));
  // 800/s with a 2 s bound may have up to 1600 in flight if every attempt ends within the bound.
  assert.equal(c.decide({ ...calm(800), inFlight: 1500 }).rate, 900);
  const d = c.decide({ ...calm(900), connackP99Ms: 0, connectP99Ms: 0, inFlight: 5000 });
  assert.equal(d.rate, 450);
  assert.match(d.reason, /5000 attempts in flight > 1800/);
  // A small fleet's handful in flight is never a backlog.
  const slow = new AdaptiveRampControl(settings({ start: 20 }));
  assert.equal(slow.decide({ ...calm(20), inFlight: 45 }).rate, 120);
});
