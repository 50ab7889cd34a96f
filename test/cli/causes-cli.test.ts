// `fleetsim run` behind a real idle cut (haproxy, timeout client/server 2s, in front of Debian's
// mosquitto): the human summary and --json name the idle timeout, and so does the run's report.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { HAPROXY_BIN, startHaproxyTcp, type Middlebox } from '../helpers/middleboxes.ts';
import { MOSQUITTO_BIN, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'fleetsim-causes-cli-'));
const skip = (!HAPROXY_BIN || !MOSQUITTO_BIN) && 'haproxy or mosquitto not installed';
let broker: Mosquitto;
let haproxy: Middlebox;
let scenarioFile = '';

before(async () => {
  if (skip) return;
  broker = await startMosquitto();
  haproxy = await startHaproxyTcp(broker.port, 2);
  const group = (name: string, ping: string) => ({ name, protocol: 'mqtt', url: `mqtt://127.0.0.1:${haproxy.port}`, count: 15, clientId: `${name}-{index}`, timers: { heartbeat: 'off', status: 'off', ping: { every: ping } } });
  scenarioFile = join(dir, 'behind-haproxy.json');
  writeFileSync(scenarioFile, JSON.stringify({ name: 'behind-haproxy', target: 'external', ramp: 0, hosts: 1, groups: [group('quiet', '10s'), group('chatty', '1s')] }));
});

after(async () => {
  await haproxy?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function fleetsim(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const IDLE = /\d+ connections closed by the peer after [12]\.\d+ ± 0\.\d+ s without traffic from the server: an idle timeout between you and the target; a ping interval under [12]\.\d s keeps them open/;

test('run: the summary lists the idle timeout under causes, and report.html has it', { skip }, async () => {
  const runs = join(dir, 'runs');
  const r = await fleetsim(['run', scenarioFile, '--duration', '5s', '--record', runs]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout + r.stderr;
  assert.match(out, new RegExp(`\\n  causes\\n    ${IDLE.source}`), out);
  const where = /run recorded in (\S+)/.exec(r.stderr)?.[1] ?? '';
  const report = readFileSync(join(where, 'report.html'), 'utf8');
  assert.match(report, /<section id="causes">.*Why devices dropped/s);
  assert.match(report, new RegExp(`<tr data-cause="idle-timeout"><td class="num">\\d+</td><td>${IDLE.source}</td><td class="mono">server-close</td><td>[12]\\.\\d+ ± 0\\.\\d+ s since last byte received</td></tr>`));
});

test('run --json: disconnectCauses in the summary', { skip }, async () => {
  const r = await fleetsim(['run', scenarioFile, '--duration', '5s', '--json', '--no-record']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as RunSummary;
  const idle = summary.disconnectCauses?.find((c) => c.kind === 'idle-timeout');
  assert.ok(idle, JSON.stringify(summary.disconnectCauses));
  assert.equal(idle.reason, 'server-close');
  assert.equal(idle.phase, 'disconnect');
  assert.equal(idle.stat?.measure, 'sinceRx');
  assert.ok(Math.abs(idle.stat!.meanMs - 2000) < 400, JSON.stringify(idle.stat));
  assert.ok(idle.count >= 15 && idle.count <= summary.disconnects, `${idle.count} of ${summary.disconnects}`);
  assert.match(idle.text, IDLE);
});
