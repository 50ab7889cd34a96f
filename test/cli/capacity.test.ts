// `fleetsim capacity` as a user runs it, against Debian's mosquitto refusing clients past
// max_connections: the search stops at the right step, names the target, leaves nothing behind,
// and the record holds capacity.json, the result in summary.json and a report section.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CapacityResult } from '../../src/contract/capacity.ts';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { MOSQUITTO_BIN } from '../helpers/mosquitto.ts';
import { freePort, waitFor, waitForPort } from '../helpers/ports.ts';
import { alive } from '../helpers/processes.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'fleetsim-capacity-'));
let broker: { pid: number; port: number; stop(): Promise<void> };

function fleetsim(args: string[], interruptWhen?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (interruptWhen?.test(stderr)) {
        interruptWhen = undefined;
        child.kill('SIGINT');
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Established TCP connections to `port` on this machine, from /proc (IPv4 loopback). */
function connectionsTo(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => {
      const f = l.trim().split(/\s+/);
      return f[2]?.endsWith(`:${hex}`) && f[3] === '01';
    }).length;
}

before(async () => {
  if (!MOSQUITTO_BIN) throw new Error('mosquitto is not installed (apt-get install mosquitto; .ci/run does it)');
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // max_connections is a listener setting; per_listener_settings false (the shared helper's) would ignore it.
  writeFileSync(conf, ['allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', `listener ${port} 127.0.0.1`, 'max_connections 250', ''].join('\n'));
  const child = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await waitForPort(port);
  broker = {
    pid: child.pid!,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
});

after(async () => {
  await broker?.stop();
});

test('bad input: exit 2, naming the flag', async () => {
  const r = await fleetsim(['capacity', 'demo', '--step', 'lots', '--hold', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--step: expected a device count/);
  assert.match(r.stderr, /--hold: expected a duration/);
  const none = await fleetsim(['capacity']);
  assert.equal(none.code, 2);
});

test('mosquitto refusing past 250 clients, steps of 100: knee at 300, 200 held, the target gave out; nothing left behind; the record holds it', async () => {
  const scenario = join(dir, 'capacity.yaml');
  const url = `mqtt://127.0.0.1:${broker.port}`;
  writeFileSync(
    scenario,
    `name: capacity-test
target: external
ramp: 300
groups:
  - { name: sensors, protocol: mqtt, url: "${url}", clientId: "s-{index}", count: 300, timers: { heartbeat: { every: 1s } } }
  - { name: meters, protocol: mqtt, url: "${url}", clientId: "m-{index}", count: 100, mqtt: { qos: 1 }, timers: { heartbeat: { every: 2s } } }
`,
  );
  const runs = join(dir, 'runs');
  const r = await fleetsim(['capacity', scenario, '--step', '100', '--hold', '2s', '--json', '--record', runs]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as CapacityResult;
  assert.deepEqual(result.plan.stepDevices, [100, 200, 300, 400]);
  assert.deepEqual(result.steps.map((s) => [s.devices, s.held]), [[100, true], [200, true], [300, false]], JSON.stringify(result.steps.map((s) => s.failures)));
  assert.equal(result.knee, 300);
  assert.equal(result.largestHeld, 200);
  assert.equal(result.who, 'target');
  assert.equal(result.ended, 'knee');
  assert.equal(result.firstFailure?.check, 'connect-failures');
  // The admit limit let exactly each step's new devices make a first connect.
  assert.deepEqual(result.steps.slice(0, 2).map((s) => s.attempts), [100, 100]);
  assert.equal(result.steps[1].online, 200);
  assert.ok(result.steps[1].connackP99Ms > 0, 'the held steps measured CONNACK latency');
  assert.ok(result.steps[2].online < 300, `online at the knee: ${result.steps[2].online} (the broker holds about 250)`);

  // Stopped cleanly: every host gone, no connection to the broker left.
  const [id] = readdirSync(runs);
  const runDir = join(runs, id);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  for (const h of summary.hosts) assert.ok(!alive(h.pid), `host ${h.hostId} (pid ${h.pid}) still runs`);
  await waitFor('no connections to the broker', () => connectionsTo(broker.port) === 0, 10_000, () => `${connectionsTo(broker.port)} left`);

  assert.deepEqual(summary.capacity?.knee, 300);
  const recorded = JSON.parse(readFileSync(join(runDir, 'capacity.json'), 'utf8')) as CapacityResult;
  assert.equal(recorded.largestHeld, 200);
  assert.equal(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).status, 'complete');
  assert.ok(existsSync(join(runDir, 'report.html')));
  const report = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(report, /<section id="capacity">/);
  assert.match(report, /data-knee="300"/);
  assert.match(report, /knee at 300 devices: the target gave out/);
  assert.equal((report.match(/<tr class="[^"]*" data-step=/g) ?? []).length, 3);
});

test('Ctrl-C during a hold: the search stops, the fleet closes in order, the record says stopped', async () => {
  const scenario = join(dir, 'interrupt.yaml');
  writeFileSync(scenario, `name: capacity-interrupt\ntarget: external\nramp: 0\ngroups:\n  - { protocol: mqtt, url: "mqtt://127.0.0.1:${broker.port}", clientId: "i-{index}", count: 100 }\n`);
  const runs = join(dir, 'runs-interrupt');
  const r = await fleetsim(['capacity', scenario, '--step', '50', '--hold', '60s', '--record', runs], /step 1\/2: holding/);
  assert.equal(r.code, 130, r.stderr);
  const [id] = readdirSync(runs);
  const result = JSON.parse(readFileSync(join(runs, id, 'capacity.json'), 'utf8')) as CapacityResult;
  assert.equal(result.ended, 'stopped');
  assert.equal(result.steps.length, 0);
  assert.match(result.verdict, /stopped before a knee/);
  const summary = JSON.parse(readFileSync(join(runs, id, 'summary.json'), 'utf8')) as RunSummary;
  assert.equal(summary.connectAttempts, 50, 'the second step never started');
  for (const h of summary.hosts) assert.ok(!alive(h.pid), `host ${h.hostId} still runs`);
  await waitFor('no connections to the broker', () => connectionsTo(broker.port) === 0, 10_000, () => `${connectionsTo(broker.port)} left`);
});
