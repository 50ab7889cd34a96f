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
    assert.equal(result.held, true);
    assert.equal(result.verdict, 'held 300/300 for 2 s');
    assert.equal(result.who, 'none');
  });
}

test('a bench that cannot get every device online still prints its figures over what it held, and says why', () => {
  // 30 connects/s with a 4 s budget: about 120 of the 300 come online.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hold.ts', '--devices', '300', '--seconds', '2', '--ramp', '30', '--connect-budget', '4', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
  const online = result.online as number;
  assert.ok(online > 0 && online < 300, `some but not all online: ${online}`);
  assert.equal(result.held, false);
  assert.equal(result.allOnlineAfterS, null);
  assert.match(result.verdict as string, new RegExp(`^did not hold: reached ${online} of 300 \\(peak at \\d+ s, connect budget 4 s\\)`));
  assert.equal(result.who, 'none');
  // The figures are measured over the devices that were held, not left at zero.
  for (const key of ['connectRate', 'rssMB', 'rssKBPerDevice', 'hostCpuPct', 'heldDevices']) assert.ok((result[key] as number) > 0, `${key}: ${result[key]}`);
  assert.ok(((result.latencyMs as Record<string, { p99: number }>).connack.p99) > 0, 'CONNACK p99');
});

test('a target that refuses connections: the verdict says the target gave out while the generator was healthy', () => {
  // The embedded target lets in 50 new connections a second and closes the rest at once.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hold.ts', '--devices', '300', '--seconds', '2', '--ramp', '300', '--accept-rate', '50', '--connect-budget', '4', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
  assert.equal(result.target, 'embedded');
  assert.equal(result.held, false);
  assert.equal(result.who, 'target');
  assert.ok((result.failedChecks as string[]).includes('connect-failures'), String(result.failedChecks));
  assert.equal((result.firstFailure as { kind: string }).kind, 'connect-failure');
  assert.ok((result.connectFailures as number) > 0);
  assert.match(result.verdict as string, /^did not hold: reached \d+ of 300 .*who gave out: target \(connect failures .* while the generator was healthy/);
});

test('--ramp adaptive: the fleet ramps by what the target takes and the result says so; a ramp that is neither is refused', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hold.ts', '--devices', '300', '--seconds', '2', '--ramp', 'adaptive', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
  assert.equal(result.ramp, 'adaptive');
  assert.equal(result.held, true);
  assert.equal(result.online, 300);

  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bench/hold.ts', '--ramp', 'fast'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--ramp: expected connects\/s \(0: no limit\) or adaptive, got fast/);
});
