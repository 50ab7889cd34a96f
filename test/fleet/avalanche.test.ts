// The avalanche preset at small scale: same fleet, same overloadable target; naive retries
// never settle, jittered backoff with a ramp recovers. Asserts the relative outcome only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avalanche } from '../../src/contract/presets.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';

test('avalanche vs cure: the naive group never recovers, the jittered and ramped one does', async () => {
  const PER_GROUP = 600;
  // The run's duration is only the deadline: it stops as soon as the cured group is back after the
  // storm, so a slow box takes longer instead of failing.
  const v = validateScenario({ ...avalanche(PER_GROUP), duration: '90s', storms: [{ at: '8s', action: 'drop', percent: 50, mode: 'destroy' }] });
  if (!v.ok) throw new Error(v.problems.join('; '));
  const c = new FleetController(v.scenario);
  let naivePeak = 0;
  let atEnd = { naive: 0, cured: 0 };
  let startedAt = 0;
  c.on('snapshot', (s) => {
    naivePeak = Math.max(naivePeak, s.groups.naive?.online ?? 0);
    if (s.state !== 'running') return;
    startedAt ||= Date.now();
    atEnd = { naive: s.groups.naive?.online ?? 0, cured: s.groups.cured?.online ?? 0 };
    // Back after the storm (8 s in, plus a few seconds for its drops to land).
    if (Date.now() - startedAt > 12_000 && atEnd.cured >= PER_GROUP * 0.99) void c.stop();
  });
  await c.start();
  const summary = await c.done;
  const target = c.snapshot().target;

  assert.ok(atEnd.cured >= PER_GROUP * 0.99, `the cured group is back (${atEnd.cured} of ${PER_GROUP} online at the end)`);
  assert.ok(naivePeak < PER_GROUP * 0.9, `the naive group never got past ${naivePeak} of ${PER_GROUP}`);
  assert.ok(atEnd.naive < atEnd.cured, `naive ${atEnd.naive} vs cured ${atEnd.cured} at the end`);
  assert.ok((target?.shedByOverload ?? 0) > 0 && (target?.refusedByRate ?? 0) > 0, 'the target was overloaded and refusing');
  assert.equal(summary.storms.length, 1);
});
