// Every example in examples/ runs for real, small and short: counts and duration cut down, URLs
// pointed at a Debian mosquitto, nginx in front of a room server, or the embedded target.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { startEmbeddedTarget } from '../../src/targets/embedded-target.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { startWsProxy } from '../helpers/nginx.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fleetsim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'fleetsim-examples-'));
const stops: Array<() => Promise<void>> = [];
after(async () => {
  for (const stop of stops.reverse()) await stop();
});

type Group = Record<string, unknown> & { count: number; url: string };
type Scenario = Record<string, unknown> & { groups: Group[] };

function example(name: string): Scenario {
  return parseYaml(readFileSync(join(ROOT, 'examples', name), 'utf8')) as Scenario;
}

function fleetsim(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the (patched) example as a user would and returns its summary. */
async function run(name: string, scenario: Scenario, duration = '4s'): Promise<RunSummary> {
  const file = join(dir, name.replace(/\.yaml$/, '.json'));
  writeFileSync(file, JSON.stringify(scenario));
  const r = await fleetsim(['run', file, '--duration', duration, '--json', '--no-record']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as RunSummary;
}

const total = (s: Scenario) => s.groups.reduce((n, g) => n + g.count, 0);

test('seed-mqtt-own-mosquitto: the seed fleet comes online on a real mosquitto', async () => {
  const broker = await startMosquitto();
  stops.push(broker.stop);
  const s = example('seed-mqtt-own-mosquitto.yaml');
  s.ramp = 0;
  s.groups[0].count = 20;
  s.groups[0].url = `mqtt://127.0.0.1:${broker.port}`;
  const summary = await run('seed-mqtt-own-mosquitto.yaml', s);
  assert.equal(summary.peakOnline, 20, JSON.stringify(summary.failures));
  assert.equal(summary.connectFailures, 0);
});

test('mutual-tls-own-files: devices present their own certificate files to a mosquitto that requires them', async () => {
  const pki = join(dir, 'pki');
  const init = await fleetsim(['certs', 'init', pki]);
  assert.equal(init.code, 0, init.stderr);
  const issue = await fleetsim(['certs', 'issue', pki, '--count', '10', '--client-id', 'meter-{index}']);
  assert.equal(issue.code, 0, issue.stderr);
  const broker = await startMosquitto('', { pkiDir: pki, requireCertificate: true });
  stops.push(broker.stop);
  const s = example('mutual-tls-own-files.yaml');
  s.ramp = 0;
  const group = s.groups[0] as Group & { tls: Record<string, string> };
  group.count = 10;
  group.url = `mqtts://127.0.0.1:${broker.tlsPort}`;
  // The example's relative paths, made absolute: fleetsim runs here from another directory.
  for (const f of ['ca', 'cert'] as const) group.tls[f] = join(dir, group.tls[f]);
  const summary = await run('mutual-tls-own-files.yaml', s);
  assert.equal(summary.peakOnline, 10, JSON.stringify(summary.failures));

  // The broker does require them: without a client certificate nobody gets in.
  delete group.tls.cert;
  group.reconnect = { policy: 'none' };
  const refused = await run('mutual-tls-no-cert.yaml', s, '2s');
  assert.equal(refused.peakOnline, 0);
  assert.ok(refused.connectFailures >= 10, JSON.stringify(refused.failures));
});

test('websocket-rooms-behind-proxy: room clients come online through nginx', async () => {
  const rooms = await startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 } });
  stops.push(() => rooms.stop());
  const proxy = await startWsProxy(rooms.ports.rooms, '/rooms/');
  stops.push(proxy.stop);
  const s = example('websocket-rooms-behind-proxy.yaml');
  s.ramp = 0;
  const group = s.groups[0] as Group & { timers: Record<string, unknown> };
  group.count = 30;
  group.url = group.url.replace('127.0.0.1:8080', `127.0.0.1:${proxy.port}`);
  group.timers.status = { every: '500ms', bytes: 100 };
  const summary = await run('websocket-rooms-behind-proxy.yaml', s);
  assert.equal(summary.peakOnline, 30, JSON.stringify(summary.failures));
  // Broadcasts crossed the proxy both ways: the room server relayed them, members received them.
  assert.ok(rooms.stats().roomFramesIn > 0, JSON.stringify(rooms.stats()));
  assert.ok(summary.received > 0);
});

test('storms: the fleet comes online, every scheduled storm runs', async () => {
  const s = example('storms.yaml');
  s.ramp = 0;
  s.groups[0].count = 50;
  // The same three storms, on a 6 s run's clock.
  const storms = s.storms as Array<Record<string, unknown>>;
  assert.deepEqual(
    storms.map((x) => x.action),
    ['drop', 'blip', 'target-restart'],
  );
  storms[0].at = '1s';
  Object.assign(storms[1], { at: '2500ms', for: '500ms' });
  storms[2].at = '4s';
  const summary = await run('storms.yaml', s, '6s');
  assert.equal(summary.peakOnline, 50, JSON.stringify(summary.failures));
  assert.deepEqual(
    summary.storms.map((x) => x.action.action),
    ['drop', 'blip', 'target-restart'],
  );
  assert.ok(summary.storms[0].affected > 0, JSON.stringify(summary.storms[0]));
});

test('backpressure: senders, slow readers and bursty QoS 1 devices all come online', async () => {
  const s = example('backpressure.yaml');
  s.ramp = 0;
  const [senders, slow, bursty] = s.groups;
  senders.count = 10;
  slow.count = 2;
  bursty.count = 20;
  const summary = await run('backpressure.yaml', s);
  assert.equal(summary.peakOnline, total(s), JSON.stringify(summary.failures));
  assert.ok(summary.sent.heartbeat > 0 && summary.sent.status > 0, JSON.stringify(summary.sent));
});

test('thresholds-ci: every threshold holds on a healthy run (exit 0); one made impossible breaks it (exit 99)', async () => {
  const s = example('thresholds-ci.yaml');
  s.groups[0].count = 30;
  s.ramp = 0;
  const file = join(dir, 'thresholds-ci.json');
  writeFileSync(file, JSON.stringify(s));
  const held = await fleetsim(['run', file, '--duration', '4s', '--json', '--no-record']);
  const summary = JSON.parse(held.stdout) as RunSummary;
  assert.equal(held.code, 0, JSON.stringify(summary.thresholds));
  assert.equal(summary.thresholds?.length, (s.thresholds as unknown[]).length);
  assert.ok(summary.thresholds?.every((t) => t.pass), JSON.stringify(summary.thresholds));
  const broken = await fleetsim(['run', file, '--duration', '4s', '--json', '--no-record', '--threshold', 'connects > 1000000']);
  assert.equal(broken.code, 99, broken.stderr);
  const failed = (JSON.parse(broken.stdout) as RunSummary).thresholds?.filter((t) => !t.pass).map((t) => t.check);
  assert.deepEqual(failed, ['connects > 1000000']);
});
