// At generator saturation the ramp pauses: no new device is admitted while a host is saturated,
// and admissions resume once it has been healthy for a while. The host is saturated for real:
// a preloaded module blocks its event loop while a flag file exists.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FleetEvent, FleetSnapshot } from '../../src/contract/snapshot.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';

const DEVICES = 300;
const dir = mkdtempSync(join(tmpdir(), 'fleetsim-busy-'));
const flag = join(dir, 'busy');
process.env.FLEETSIM_TEST_BUSY_FLAG = flag;
process.env.FLEETSIM_HOST_NODE_ARGS = `--import ${fileURLToPath(new URL('../helpers/busy-host.mjs', import.meta.url))}`;

/** Resolves with the first snapshot that passes `ok`; rejects after `ms`. */
function snapshotWhere(c: FleetController, ok: (s: FleetSnapshot) => boolean, ms: number, what: string): Promise<FleetSnapshot> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off('snapshot', on);
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(c.snapshot().ramp)} online ${c.snapshot().gauges.online}`));
    }, ms);
    const on = (s: FleetSnapshot) => {
      if (!ok(s)) return;
      clearTimeout(timer);
      c.off('snapshot', on);
      resolve(s);
    };
    c.on('snapshot', on);
  });
}

const firstAttempts = (s: FleetSnapshot) => s.totals.connectAttempts - s.totals.reconnects;

test('a saturated host pauses the ramp (no new admissions), a recovered one resumes it', async () => {
  const v = validateScenario({ duration: '90s', hosts: 1, ramp: 25, embedded: { shards: 1 }, groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: DEVICES }] });
  if (!v.ok) throw new Error(v.problems.join('; '));
  const c = new FleetController(v.scenario);
  const events: FleetEvent[] = [];
  c.on('event', (e) => events.push(e));
  try {
    await c.start();
    await snapshotWhere(c, (s) => s.gauges.online >= 25, 20_000, '25 online');
    writeFileSync(flag, '');
    const paused = await snapshotWhere(c, (s) => s.ramp?.paused === true, 20_000, 'the pause');
    assert.match(paused.ramp?.pausedReason ?? '', /generator host 0 saturated/);
    // Admissions the host made before the pause reached it show within a batch or two; after that, none.
    const a = await snapshotWhere(c, (s) => s.at > paused.at + 1500, 10_000, 'a later snapshot');
    const b = await snapshotWhere(c, (s) => s.at > a.at + 2500, 10_000, 'another later snapshot');
    assert.ok(a.ramp?.paused && b.ramp?.paused, 'still paused (the host is still busy)');
    assert.equal(firstAttempts(b), firstAttempts(a), 'no new device admitted while paused');
    assert.ok(b.gauges.idle > 0, `devices were waiting to be admitted (${b.gauges.idle})`);
    rmSync(flag);
    const resumed = await snapshotWhere(c, (s) => s.ramp?.paused === false, 30_000, 'the resume');
    await snapshotWhere(c, (s) => s.gauges.online === DEVICES && firstAttempts(s) > firstAttempts(resumed), 40_000, 'every device online');
  } finally {
    rmSync(flag, { force: true });
    await c.stop();
  }
  const rampEvents = events.filter((e) => e.type === 'ramp');
  assert.deepEqual(rampEvents.map((e) => e.type === 'ramp' && e.paused).slice(0, 2), [true, false], 'a pause event, then a resume event');
  assert.ok(events.some((e) => e.type === 'note' && /ramp paused: no new devices admitted/.test(e.message)), 'the pause is said in a note');
  const summary = await c.done;
  assert.ok((summary.ramp?.pauses ?? 0) >= 1 && (summary.ramp?.pausedSeconds ?? 0) > 0, JSON.stringify(summary.ramp));
  assert.equal(summary.online, DEVICES);
  rmSync(dir, { recursive: true, force: true });
});
