// ramp: adaptive against a target that admits 100 connections/s: the rate backs off below its
// ceiling and the fleet comes online with far fewer refused attempts than a fixed ramp at the
// ceiling. Asserts counts, not timing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetEvent, RunSummary } from '../../src/contract/snapshot.ts';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';

const DEVICES = 600;

async function runUntilOnline(ramp: ScenarioInput['ramp'], adaptive?: Record<string, unknown>): Promise<{ summary: RunSummary; events: FleetEvent[]; allOnline: boolean }> {
  const v = validateScenario({
    name: `adaptive-${String(ramp)}`,
    duration: '60s',
    hosts: 1,
    ramp,
    ...(adaptive ? { adaptive } : {}),
    embedded: { shards: 1, acceptRate: 100 },
    groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: DEVICES, reconnect: { policy: 'exponential', base: '500ms', cap: '4s', jitter: 'full' } }],
  });
  if (!v.ok) throw new Error(v.problems.join('; '));
  const c = new FleetController(v.scenario);
  const events: FleetEvent[] = [];
  c.on('event', (e) => events.push(e));
  let allOnline = false;
  c.on('snapshot', (s) => {
    if (s.state === 'running' && s.gauges.online === DEVICES && !allOnline) {
      allOnline = true;
      void c.stop();
    }
  });
  await c.start();
  // The run's own duration is the deadline: a fleet not online within it fails the test.
  const summary = await c.done;
  return { summary, events, allOnline };
}

test('adaptive ramp: backs off under refusals and brings the fleet online with far fewer failed attempts than a fixed ramp at its ceiling', async (t) => {
  const fixed = await runUntilOnline(1000);
  const adaptive = await runUntilOnline('adaptive', { ceiling: 1000, floor: 20, start: 200, step: 20 });
  assert.ok(fixed.allOnline, `fixed: ${fixed.summary.online} of ${DEVICES} online`);
  assert.ok(adaptive.allOnline, `adaptive: ${adaptive.summary.online} of ${DEVICES} online`);

  const failed = (s: RunSummary) => s.connectFailures;
  t.diagnostic(`failed attempts: fixed ${failed(fixed.summary)}, adaptive ${failed(adaptive.summary)}; adaptive ramp ${JSON.stringify(adaptive.summary.ramp)}`);
  assert.ok(failed(fixed.summary) > DEVICES / 2, `the fixed ramp overran the target (${failed(fixed.summary)} failed attempts)`);
  assert.ok(
    failed(adaptive.summary) * 3 < failed(fixed.summary),
    `adaptive ${failed(adaptive.summary)} failed attempts vs fixed ${failed(fixed.summary)}: ${JSON.stringify(adaptive.summary.failures)} vs ${JSON.stringify(fixed.summary.failures)}`,
  );

  const ramp = adaptive.summary.ramp;
  assert.equal(ramp?.mode, 'adaptive');
  assert.ok(ramp && ramp.minRate < 200 && ramp.maxRate < 1000 && ramp.changes > 0, `rate stayed below the ceiling and backed off: ${JSON.stringify(ramp)}`);
  const cuts = adaptive.events.filter((e) => e.type === 'ramp' && !e.paused && /connect failures|p99/.test(e.reason));
  assert.ok(cuts.length > 0, 'each cut is an event with its reason');
  assert.equal(fixed.summary.ramp?.mode, 'fixed');
  assert.equal(fixed.summary.ramp?.changes, 0);
});
