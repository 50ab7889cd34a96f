// `fleetsim run` with thresholds (the built bin, a tiny real fleet on the embedded target): a broken
// threshold exits 99, the JSON summary, the recorded summary and the report carry every result.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'fleetsim-thresholds-'));

function fleetsim(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const scenario = join(dir, 'gated.yaml');
writeFileSync(
  scenario,
  `name: gated
ramp: 0
groups:
  - protocol: mqtt
    url: embedded:mqtt
    count: 20
    mqtt: { qos: 1 }
    timers: { heartbeat: { every: 300ms } }
thresholds:
  - connectFailures == 0
  - connects < 1
  - puback.p99 < 10s
  - { check: "disconnects/s < 1", window: 1s }
`,
);

test('a broken threshold: exit 99; --json lists every threshold with its measured value, and names the run directory', async () => {
  const runs = join(dir, 'runs');
  const r = await fleetsim(['run', scenario, '--duration', '3s', '--json', '--record', runs, '--threshold', 'online >= 100%']);
  assert.equal(r.code, 99, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual(
    summary.thresholds.map((x: { check: string; pass: boolean }) => [x.check, x.pass]),
    [
      ['connectFailures == 0', true],
      ['connects < 1', false],
      ['puback.p99 < 10s', true],
      ['disconnects/s < 1', true],
      ['online >= 100%', true],
    ],
  );
  const [failures, connects, puback, drops, online] = summary.thresholds;
  assert.equal(failures.measured, summary.connectFailures);
  assert.equal(connects.measured, summary.connects);
  assert.equal(connects.measured, 20);
  assert.equal(puback.measured, summary.latencyMs.puback.p99);
  assert.ok(puback.measured > 0);
  assert.equal(drops.window, 1000);
  assert.ok(drops.windows.count >= 2, JSON.stringify(drops));
  assert.equal(drops.windows.failed, 0);
  assert.equal(online.measured, 100);
  assert.equal(online.unit, '%');

  assert.ok(summary.runDir.startsWith(runs) && summary.runDir.endsWith('-gated'), summary.runDir);
  const recorded = JSON.parse(readFileSync(join(summary.runDir, 'summary.json'), 'utf8'));
  assert.deepEqual(recorded.thresholds, summary.thresholds);
  assert.equal('runDir' in recorded, false, 'the record does not name where it was first written');
  // --from runs the scenario again with the flag's threshold kept.
  const source = JSON.parse(readFileSync(join(summary.runDir, 'scenario-source.json'), 'utf8'));
  assert.deepEqual(source.thresholds.at(-1), 'online >= 100%');
  const report = readFileSync(join(summary.runDir, 'report.html'), 'utf8');
  const section = /<section id="thresholds">[\s\S]*?<\/section>/.exec(report)?.[0] ?? '';
  assert.match(section, /<h2>Thresholds<\/h2>/);
  assert.match(section, /1 of 5 broken/);
  assert.match(section, /<tr data-threshold="fail"><td class="mono">connects &lt; 1<\/td><td class="num">20<\/td>/);
  assert.equal((section.match(/data-threshold="pass"/g) ?? []).length, 4);
  assert.match(section, /disconnects\/s &lt; 1 \(every 1s window\)/);
});

test('every threshold held: exit 0, each printed with ✓ and its measured value', async () => {
  const held = join(dir, 'held.yaml');
  writeFileSync(held, readFileSync(scenario, 'utf8').replace('  - connects < 1\n', ''));
  const r = await fleetsim(['run', held, '--duration', '2s', '--no-record', '--threshold', 'connack.p99 < 5s', '--threshold', 'connects/s <= 20 every 1s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n {2}thresholds all held\n/);
  assert.match(r.stdout, /\n {2}✓ connectFailures == 0: measured 0\n/);
  assert.match(r.stdout, /\n {2}✓ disconnects\/s < 1 \(every 1s window\): measured 0\/s \(worst window \d+–\d+ s; all \d+ windows held\)\n/);
  assert.match(r.stdout, /\n {2}✓ connack\.p99 < 5s: measured [\d.]+ ms\n/);
  // 20 devices that never reconnect: no second can have more than 20 connects.
  assert.match(r.stdout, /\n {2}✓ connects\/s <= 20 \(every 1s window\): measured (\d|1\d|20)\/s \(worst window \d+–\d+ s; all \d+ windows held\)\n/);
  assert.doesNotMatch(r.stdout, /✗/);
});

test('a bad --threshold: exit 2 naming the flag and what was wrong, nothing started', async () => {
  const runs = join(dir, 'refused-runs');
  const r = await fleetsim(['run', scenario, '--record', runs, '--threshold', 'puback.p99 < 200']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), 'fleetsim run: --threshold "puback.p99 < 200": puback.p99 is a latency: give its unit, ms or s (e.g. "200ms")');
  assert.equal(existsSync(runs), false, 'no record was begun');
});
