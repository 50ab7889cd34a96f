// The soak at a small scale (the hour-long one is run by hand): a few hundred devices for 51 s with
// a storm every 8 s, one of each kind. Checked: every storm was made and the fleet came back from
// it with its sockets and timers back, and the run record is complete. Memory slopes are reported
// but, fitted over well under ten minutes, not judged.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');

test('npm run soak -- --json: four storms, back after each, sockets and timers back, record complete', (t) => {
  const record = mkdtempSync(join(tmpdir(), 'fleetsim-soak-'));
  t.after(() => rmSync(record, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/soak.ts', '--devices', '200', '--minutes', '0.85', '--storm-every', '8', '--record', record, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON line on stdout');
  const result = JSON.parse(lines[0]);
  assert.equal(result.pass, true, result.verdict);
  assert.match(result.verdict, /^soak passed: 200 devices for 0.85 min, 4 storms, back to 200 after each/);
  assert.deepEqual(
    result.storms.map((s: { label: string }) => s.label),
    ['drop 20% (destroy)', 'network blip for 10s', 'kill host 0 and restart it', 'target restarts'],
  );
  for (const s of result.storms) {
    assert.equal(s.error, null, s.label);
    assert.ok(s.affected > 0, `${s.label} touched devices`);
    assert.equal(s.recovered, true, s.label);
    assert.equal(s.sockets, 200, `${s.label}: one socket per device once back`);
    assert.equal(s.wheelTimers, result.baseline.wheelTimers, `${s.label}: device timers back to the baseline`);
  }
  assert.deepEqual(result.checks, { allOnline: true, memoryFlat: null, recoveredEveryStorm: true, handlesBack: true, recordComplete: true });
  assert.equal(result.memoryJudged, false);
  assert.ok(result.hosts.length >= 1 && typeof result.slopes.rssMBPerHour === 'number', 'memory slopes reported');
  assert.equal(result.record.storms, 4);
  assert.deepEqual(result.record.problems, []);
  assert.ok(result.record.timelineRows >= 48, `timeline rows: ${result.record.timelineRows}`);
});
