import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rampLabel } from '../../renderer/lib/ramp-label.ts';

test('the ramp label: fixed, adaptive with its reason, paused as a warning', () => {
  assert.deepEqual(rampLabel({ mode: 'fixed', rate: 500, reason: 'fixed', changedAt: 0, paused: false }).text, 'ramp 500/s');
  assert.equal(rampLabel({ mode: 'fixed', rate: 0, reason: 'fixed', changedAt: 0, paused: false }).text, 'ramp unlimited');
  const cut = rampLabel({ mode: 'adaptive', rate: 1200, reason: 'connect failures: timeout 4', changedAt: 0, paused: false });
  assert.equal(cut.text, 'ramp 1,200/s adaptive');
  assert.match(cut.title, /last change: connect failures: timeout 4/);
  assert.equal(cut.warn, true);
  assert.equal(rampLabel({ mode: 'adaptive', rate: 300, reason: 'calm: no failures, connack p99 under the bound', changedAt: 0, paused: false }).warn, false);
  const paused = rampLabel({ mode: 'fixed', rate: 500, reason: 'fixed', changedAt: 0, paused: true, pausedReason: 'generator host 2 saturated (loop lag p99 80 ms, CPU 97%)' });
  assert.equal(paused.text, 'ramp paused (500/s)');
  assert.match(paused.title, /generator host 2 saturated/);
  assert.equal(paused.warn, true);
});

test('the editor writes ramp: adaptive and its settings back as a file would hold them', async () => {
  const { scenarioToInput } = await import('../../renderer/state/editor-model.ts');
  const { validateScenario } = await import('../../src/contract/validate.ts');
  const input = { ramp: 'adaptive', adaptive: { ceiling: 800, connackP99: '1500ms' }, pauseOnSaturation: false, groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 5 }] };
  const first = validateScenario(input);
  assert.ok(first.ok);
  if (!first.ok) return;
  const again = validateScenario(scenarioToInput(first.scenario));
  assert.ok(again.ok);
  if (!again.ok) return;
  const ramp = (s: typeof first.scenario) => ({ ramp: s.ramp, adaptive: s.adaptive, pause: s.pauseOnSaturation });
  assert.deepEqual(ramp(again.scenario), ramp(first.scenario));
  assert.equal(again.scenario.adaptive?.connackP99, 1500);
  assert.equal(again.scenario.pauseOnSaturation, false);
});
