// The benchmark at a small scale (the full one is run by hand): it runs end to end for each
// protocol and prints the goal figures as one JSON line. Figures are checked for shape and
// completeness only; their values belong to the benchmark, not to a pass/fail test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');

for (const protocol of ['mqtt', 'ws']) {
  test(`npm run bench -- --protocol ${protocol} --json prints the goal figures`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hold.ts', '--devices', '300', '--seconds', '2', '--ramp', '1000', '--protocol', protocol, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one JSON line on stdout');
    const result = JSON.parse(lines[0]) as Record<string, unknown>;
    for (const key of ['devices', 'online', 'connectRate', 'rssKBPerDevice', 'cpuPctPer1kMsgs', 'loopLagP99Ms']) assert.equal(typeof result[key], 'number', key);
    assert.equal(result.devices, 300);
    assert.equal(result.online, 300);
    assert.equal(result.disconnects, 0);
    assert.equal(result.connectFailures, 0);
    assert.equal(result.protocol, protocol);
  });
}
