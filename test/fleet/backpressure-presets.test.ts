// The backpressure story end to end: slow readers make the target's buffers climb; with a cap
// per client the target drops them instead and its buffers stay flat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS } from '../../src/contract/presets.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { waitFor } from '../helpers/ports.ts';

const MB = 1024 * 1024;

async function run(preset: 'slow-readers' | 'slow-readers-capped', watchMs: number) {
  const v = validateScenario({ ...structuredClone(PRESETS[preset]), duration: '60s' });
  if (!v.ok) throw new Error(v.problems.join('; '));
  const c = new FleetController(v.scenario);
  await c.start();
  let peak = 0;
  let dropped = 0;
  try {
    await waitFor('24 online', () => c.snapshot().gauges.online === 24, 20_000);
    const until = Date.now() + watchMs;
    while (Date.now() < until) {
      const t = c.snapshot().target;
      peak = Math.max(peak, t?.bufferedBytes ?? 0);
      dropped = t?.droppedSlowClients ?? 0;
      if (preset === 'slow-readers' && peak > 8 * MB) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    return { peak, dropped, snapshot: c.snapshot() };
  } finally {
    await c.stop();
  }
}

test('slow readers: the target holds more and more for them', async () => {
  const { peak, snapshot } = await run('slow-readers', 20_000);
  assert.ok(peak > 8 * MB, `target buffered bytes peaked at ${(peak / MB).toFixed(1)} MB`);
  assert.equal(snapshot.backpressure.slowReaders, 4);
  assert.ok((snapshot.target?.slowClients ?? 0) >= 1);
});

test('slow readers with a 1 MB cap per client: dropped instead, buffers stay flat', async () => {
  const { peak, dropped } = await run('slow-readers-capped', 12_000);
  assert.ok(dropped >= 1, 'slow readers were dropped');
  // Each of 4 slow clients may hold up to the cap plus one 64 KB frame.
  assert.ok(peak <= 4 * (MB + 70_000) + MB, `target buffered bytes peaked at ${(peak / MB).toFixed(1)} MB`);
});
