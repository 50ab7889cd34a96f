// The `fleetsim` command as a user runs it (the built bin): exit codes, errors, summaries.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { alive } from '../helpers/processes.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'fleetsim-cli-'));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function fleetsim(args: string[], opts: { interruptWhen?: RegExp } = {}): Promise<Result> {
  return new Promise((resolve) => {
    // Its own process group, so an interrupt reaches every process of the run, as Ctrl-C in a terminal does.
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (opts.interruptWhen?.test(stderr)) {
        opts.interruptWhen = undefined;
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('a bad scenario: exit 2, one line per problem naming the field, nothing started', async () => {
  const bad = file(
    'bad.yaml',
    `groups:
  - protocol: mqtt
    url: http://example
    count: 10
    timers:
      heartbeat: { every: 15 }
  - protocol: carrier-pigeon
    url: ws://127.0.0.1:1
    count: -1
`,
  );
  const r = await fleetsim(['run', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /groups\[0\]\.timers\.heartbeat\.every: expected a duration like "15s"/);
  assert.match(r.stderr, /groups\[1\]\.protocol: /);
  assert.match(r.stderr, /groups\[1\]\.count: /);
  assert.equal(r.stdout, '');
});

test('unreadable input: a missing file or broken YAML exits 2', async () => {
  const missing = await fleetsim(['run', join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file, and not a preset/);
  const broken = await fleetsim(['run', file('broken.yaml', 'groups: [\n')]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /not valid YAML/);
  const flag = await fleetsim(['run', '--bogus']);
  assert.equal(flag.code, 2);
});

test('a run that cannot start: exit 1 with the reason', async () => {
  const s = file('tls.json', JSON.stringify({ target: 'external', groups: [{ name: 'secure', protocol: 'mqtt', url: 'mqtts://127.0.0.1:1', count: 1, tls: { ca: join(dir, 'missing-ca.pem') } }] }));
  const r = await fleetsim(['run', s]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /could not start: .*groups\[0\]\.tls\.ca: cannot read ".*missing-ca\.pem": ENOENT/);
});

test('run --record DIR keeps the run in DIR/<time>-<name>/ and says where', async () => {
  const s = file('rec.yaml', `name: rec\nramp: 0\ngroups:\n  - protocol: mqtt\n    url: embedded:mqtt\n    count: 10\n`);
  const runs = join(dir, 'runs');
  const r = await fleetsim(['run', s, '--duration', '2s', '--record', runs]);
  assert.equal(r.code, 0, r.stderr);
  const where = /run recorded in (\S+)/.exec(r.stderr)?.[1] ?? '';
  assert.ok(where.startsWith(runs) && where.endsWith('-rec'), r.stderr);
  for (const f of ['scenario.json', 'timeline.csv', 'summary.json', 'run.json']) assert.ok(existsSync(join(where, f)), f);
  assert.equal(JSON.parse(readFileSync(join(where, 'run.json'), 'utf8')).status, 'complete');
});

test('run --json: only the summary JSON on stdout, exit 0', async () => {
  const s = file('small.yaml', `name: small\nramp: 0\ngroups:\n  - protocol: mqtt\n    url: embedded:mqtt\n    count: 30\n    mqtt: { qos: 1 }\n    timers: { heartbeat: { every: 300ms } }\n  - protocol: ws\n    url: embedded:ws\n    count: 10\n    ws: { send: echo }\n    timers: { heartbeat: { every: 300ms } }\n`);
  const r = await fleetsim(['run', s, '--duration', '3s', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  for (const key of ['devices', 'online', 'peakOnline', 'connects', 'disconnects', 'reconnects', 'failures', 'sent', 'received', 'latencyMs', 'hosts', 'storms', 'generatorSaturated', 'saturation']) {
    assert.ok(key in summary, `summary has ${key}`);
  }
  assert.equal(summary.devices, 40);
  assert.equal(summary.online, 40);
  assert.equal(summary.endReason, 'duration');
  assert.ok(summary.sent.heartbeat > 40);
  for (const k of ['connect', 'connack', 'puback', 'ping', 'echo']) {
    assert.deepEqual(Object.keys(summary.latencyMs[k]).sort(), ['count', 'max', 'p50', 'p90', 'p99']);
  }
  assert.ok(summary.latencyMs.puback.count > 0 && summary.latencyMs.echo.count > 0);
  for (const h of summary.hosts) assert.deepEqual(['cpuPct', 'loopLagP99Ms', 'pid', 'rssMB'].filter((k) => !(k in h)), []);
});

test('Ctrl-C stops the run cleanly: summary printed, exit 130, hosts reaped', async () => {
  const r = await fleetsim(['run', 'demo', '--duration', '60s'], { interruptWhen: /fleetsim: demo/ });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout, /Run "demo" ended \(signal\)/);
  assert.doesNotMatch(r.stdout + r.stderr, /lost/, 'no host died of the interrupt');
  const pids = [...r.stdout.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
  assert.ok(pids.length >= 1);
  assert.ok(pids.every((p) => !alive(p)), 'every host process is gone');
});

test('validate and presets', async () => {
  const ok = await fleetsim(['validate', 'seed-mqtt']);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /valid: 1 group\(s\), 2000 devices/);
  const presets = await fleetsim(['presets']);
  assert.match(presets.stdout, /seed-mqtt/);
  assert.match(presets.stdout, /seed-ws-rooms/);
  assert.match(presets.stdout, /demo/);
  const unknown = await fleetsim(['fly']);
  assert.equal(unknown.code, 2);
});

test('a controller killed outright leaves no host or target process behind', async () => {
  const child = spawn(process.execPath, [BIN, 'run', 'demo', '--duration', '60s'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/online/.test(stderr)) resolve();
    });
  });
  const { execFileSync } = await import('node:child_process');
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
  assert.ok(children.length >= 2, `the run has a target and hosts: ${children.join(', ')}`);
  child.kill('SIGKILL');
  const until = Date.now() + 10_000;
  while (children.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(children.filter(alive), [], 'orphans left running');
});
