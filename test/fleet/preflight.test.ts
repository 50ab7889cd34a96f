// The preflight: what a machine's limits mean for a scenario, with the fix; and a run refused
// before any process starts when it would not hold.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PreflightReport } from '../../src/contract/preflight.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import type { MachineFacts } from '../../src/fleet/machine-facts.ts';
import { readMachineFacts } from '../../src/fleet/machine-facts.ts';
import { preflight } from '../../src/fleet/preflight.ts';

const facts: MachineFacts = {
  fdLimit: { soft: 20_000, hard: 20_000 },
  portRange: [32768, 60999],
  somaxconn: 4096,
  synBacklog: 2048,
  memAvailableBytes: 24 * 2 ** 30,
  cores: 2,
};

function scenario(input: Record<string, unknown>) {
  const v = validateScenario({ target: 'external', ...input });
  assert.ok(v.ok, v.ok ? '' : v.problems.join('\n'));
  return v.scenario;
}

const mqtt = (count: number, extra: Record<string, unknown> = {}) => ({ name: 'm', protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count, ...extra });
const byTopic = (r: PreflightReport, topic: string) => r.checks.filter((c) => c.topic === topic);

test('the machine this runs on is read: files, ports, backlogs, memory, cores', () => {
  const f = readMachineFacts();
  assert.ok(f.fdLimit && f.fdLimit.soft > 0);
  assert.ok(f.portRange && f.portRange[1] > f.portRange[0]);
  assert.ok(f.somaxconn && f.somaxconn > 0);
  assert.ok(f.memAvailableBytes > 2 ** 20);
  assert.ok(f.cores >= 1);
});

test('a fleet within every limit passes with an ok per topic', () => {
  const r = preflight(scenario({ hosts: 'auto', groups: [mqtt(10_000)] }), facts);
  assert.equal(r.ok, true);
  assert.deepEqual(new Set(r.checks.map((c) => c.level)), new Set(['ok']));
  assert.deepEqual(r.checks.map((c) => c.topic).sort(), ['cpu', 'files', 'kernel', 'memory', 'ports']);
  assert.equal(r.hosts, 2);
});

test('more connections per (source, target) than ephemeral ports: refused, with the source addresses that fix it', () => {
  const r = preflight(scenario({ groups: [mqtt(60_000)] }), facts);
  assert.equal(r.ok, false);
  const [ports] = byTopic(r, 'ports');
  assert.equal(ports.level, 'error');
  assert.match(ports.message, /60,000 connections from any source → 127\.0\.0\.1:1883 \(group m\) but only 28,232 ephemeral ports/);
  assert.match(ports.fix ?? '', /sourceAddresses: 127\.0\.0\.1-127\.0\.0\.9/);
  // Spread over 16 addresses: 3,750 each, 13% of the range.
  const spread = preflight(scenario({ groups: [mqtt(60_000, { sourceAddresses: '127.0.0.1-127.0.0.16' })] }), facts);
  assert.equal(byTopic(spread, 'ports')[0].level, 'ok');
  // Bound addresses over a quarter full: a warning (binding gets slow).
  const crowded = preflight(scenario({ groups: [mqtt(40_000, { sourceAddresses: '127.0.0.1-127.0.0.2' })] }), facts);
  assert.equal(byTopic(crowded, 'ports')[0].level, 'warn');
  assert.match(byTopic(crowded, 'ports')[0].message, /use 71% of its 28,232 ports/);
  // Two groups to the same target through the same source add up.
  const shared = preflight(scenario({ groups: [mqtt(20_000), { ...mqtt(20_000), name: 'n' }] }), facts);
  assert.match(byTopic(shared, 'ports')[0].message, /40,000 connections .*\(group m, n\)/);
});

test('more devices per host than open files: refused; hosts: auto sizes by the limit', () => {
  const fixed = preflight(scenario({ hosts: 4, groups: [mqtt(100_000, { sourceAddresses: '127.0.0.1-127.0.0.20' })] }), facts);
  const [files] = byTopic(fixed, 'files');
  assert.equal(files.level, 'error');
  assert.match(files.message, /4 host\(s\) would hold 25,000 devices each, but a process may open only 20,000 files/);
  assert.match(files.fix ?? '', /hosts: 6 or more/);
  const auto = preflight(scenario({ hosts: 'auto', groups: [mqtt(100_000, { sourceAddresses: '127.0.0.1-127.0.0.20' })] }), facts);
  assert.equal(auto.hosts, 6);
  assert.equal(byTopic(auto, 'files')[0].level, 'ok');
  assert.equal(byTopic(auto, 'cpu')[0].level, 'warn', '6 hosts on 2 cores');
  // A soft limit below the hard one: say how to raise it.
  const low = preflight(scenario({ hosts: 4, groups: [mqtt(8_000)] }), { ...facts, fdLimit: { soft: 1024, hard: 65536 } });
  assert.match(byTopic(low, 'files')[0].fix ?? '', /ulimit -n 65536/);
});

test('the embedded target, memory and listen backlogs are checked too', () => {
  const embedded = preflight(scenario({ target: 'embedded', groups: [{ name: 'e', protocol: 'mqtt', url: 'embedded:mqtt', count: 15_000 }] }), facts);
  assert.equal(byTopic(embedded, 'target')[0].level, 'ok');
  assert.match(byTopic(embedded, 'target')[0].message, /^the embedded target holds 15,000 connections of 19,936 it may open$/);
  const tight = preflight(scenario({ groups: [mqtt(20_000, { url: 'mqtts://127.0.0.1:8883', tls: { pki: '/tmp/pki' }, sourceAddresses: '127.0.0.1-127.0.0.4' })] }), { ...facts, memAvailableBytes: 2 * 2 ** 30 });
  const [memory] = byTopic(tight, 'memory');
  assert.equal(memory.level, 'error', memory.message);
  assert.match(memory.message, /about 2\.\d GB for the fleet, of 2\.0 GB available/);
  const backlog = preflight(scenario({ ramp: 0, groups: [mqtt(5_000)] }), { ...facts, somaxconn: 128 });
  const [kernel] = byTopic(backlog, 'kernel');
  assert.equal(kernel.level, 'warn');
  assert.match(kernel.fix ?? '', /sysctl -w net\.core\.somaxconn=4096/);
});

test('a run that would not hold is refused before any process starts, with the reason and the fix', async () => {
  const v = validateScenario({ target: 'external', hosts: 1, groups: [mqtt(30_000)] });
  assert.ok(v.ok);
  const controller = new FleetController(v.scenario);
  await assert.rejects(controller.start(), /preflight: ports: 30,000 connections from any source → 127\.0\.0\.1:1883 .* — fix: spread the group/);
  assert.equal(controller.snapshot().state, 'failed');
  assert.deepEqual(controller.snapshot().hosts, [], 'no host was launched');
});

test('fleetsim preflight prints every check and exits 1 when the run would be refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-preflight-'));
  const file = join(dir, 'big.yaml');
  writeFileSync(file, 'name: big\ntarget: external\nhosts: 2\ngroups:\n  - protocol: mqtt\n    url: mqtt://127.0.0.1:1883\n    count: 50000\n');
  const bin = join(import.meta.dirname, '../../bin/fleetsim.mjs');
  const bad = spawnSync(process.execPath, [bin, 'preflight', file], { encoding: 'utf8' });
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /FAIL {2}ports: 50,000 connections/);
  assert.match(bad.stdout, /FAIL {2}files: 2 host\(s\) would hold 25,000 devices each/);
  assert.match(bad.stdout, /the run would be refused/);
  const good = spawnSync(process.execPath, [bin, 'preflight', 'demo', '--json'], { encoding: 'utf8' });
  assert.equal(good.status, 0, good.stderr);
  const report = JSON.parse(good.stdout) as PreflightReport;
  assert.equal(report.ok, true);
  assert.equal(report.devices, 1200);
});

test('past one process worth of connections the embedded target runs as several, and ports count each', () => {
  const big = preflight(scenario({ target: 'embedded', groups: [{ name: 'e', protocol: 'mqtt', url: 'embedded:mqtt', count: 60_000 }] }), facts);
  assert.equal(big.ok, true, JSON.stringify(big.checks));
  const [target] = byTopic(big, 'target');
  assert.equal(target.level, 'ok');
  assert.match(target.message, /^the embedded target runs as 4 processes of ≤ 15,000 connections each .* of 19,936 it may open$/);
  // 60,000 connections from one source would overflow one target port; over 4 processes each port takes 15,000.
  assert.match(byTopic(big, 'ports')[0].message, /at most 15,000 connections per source address and target/);
  // Memory counts each process's base: fleet 60,000 × 8 KB (lean MQTT) + 4 hosts × 65 MB; target 4 × 90 MB + 60,000 × 24 KB.
  assert.equal(big.hosts, 4);
  assert.equal(big.memoryEstimateBytes, 60_000 * 8 * 1024 + 4 * 65 * 2 ** 20 + 4 * 90 * 2 ** 20 + 60_000 * 24 * 1024);
});

test('embedded.shards forcing too few processes is refused with the count that holds', () => {
  const s = scenario({ target: 'embedded', groups: [{ name: 'e', protocol: 'mqtt', url: 'embedded:mqtt', count: 50_000 }] });
  (s.embedded as { shards?: number }).shards = 2;
  const [target] = byTopic(preflight(s, facts), 'target');
  assert.equal(target.level, 'error');
  assert.match(target.message, /embedded\.shards is 2: one embedded target process would hold 25,000 connections, but a process may open only 20,000 files/);
  assert.match(target.fix ?? '', /embedded\.shards: auto \(3 processes here\), or 3 or more/);
  (s.embedded as { shards?: number }).shards = 5;
  assert.match(byTopic(preflight(s, facts), 'target')[0].message, /runs as 5 processes of ≤ 10,000 connections each/);
});

test('a group spread over urls counts each target port on its own, as devices pick them', () => {
  const spread = preflight(scenario({ groups: [mqtt(60_000, { urls: ['mqtt://127.0.0.1:1884', 'mqtt://127.0.0.1:1885'] })] }), facts);
  assert.equal(spread.ok, true);
  assert.match(byTopic(spread, 'ports')[0].message, /at most 20,000 connections per source address and target/);
  // A bound source address takes its port before the target is known: its pool serves every url.
  const paired = preflight(scenario({ groups: [mqtt(40_000, { urls: ['mqtt://127.0.0.1:1884'], sourceAddresses: '127.0.0.1-127.0.0.2' })] }), facts);
  const [ports] = byTopic(paired, 'ports');
  assert.equal(ports.level, 'warn');
  assert.match(ports.message, /^20,000 connections from 127\.0\.0\.1 \(bound, to any target\) use 71%/);
  // WebSocket devices spread by room: 3 rooms of 10,000 over 2 urls put 20,000 on the first.
  const rooms = preflight(scenario({ groups: [{ name: 'w', protocol: 'ws', url: 'ws://127.0.0.1:8080/', urls: ['ws://127.0.0.1:8081/'], count: 30_000, ws: { roomSize: 10_000 } }] }), facts);
  assert.match(byTopic(rooms, 'ports')[0].message, /at most 20,000 connections/);
});
