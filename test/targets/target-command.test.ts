// `fleetsim target` run in a child process (it installs signal handlers), through runTargetCommand.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { DeviceCertStore } from '../../src/pki/device-certs.ts';
import { initTestPki } from '../../src/pki/test-pki.ts';
import { mqttOutcome, tally, tcpConnectOutcome } from './helpers.ts';

const BOUND = { timeout: 20_000 };
const command = fileURLToPath(new URL('../../src/cli/target-command.ts', import.meta.url));

/** Runs runTargetCommand(args) in a fresh process; its return value becomes the exit code. */
function run(t: { after(fn: () => unknown): void }, args: string[]) {
  const script = `const { runTargetCommand } = await import(${JSON.stringify(command)});
process.exitCode = await runTargetCommand(${JSON.stringify(args)});`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  /** Resolves once stdout contains the pattern. */
  const output = async (pattern: RegExp): Promise<RegExpMatchArray> => {
    for (;;) {
      const m = stdout.match(pattern);
      if (m) return m;
      await once(child.stdout, 'data');
    }
  };
  return { child, exited, output };
}

test('prints the three URLs, serves, and stops cleanly on SIGINT with exit 0', BOUND, async (t) => {
  const { child, exited, output } = run(t, ['--mqtt-port', '0', '--ws-port', '0', '--rooms-port', '0']);
  const [, mqttPort] = await output(/mqtt:\/\/127\.0\.0\.1:(\d+)\n/);
  await output(/ws:\/\/127\.0\.0\.1:\d+\/mqtt\n/);
  await output(/ws:\/\/127\.0\.0\.1:\d+\/\n/);
  assert.equal(await tcpConnectOutcome(Number(mqttPort)), 'connected');

  child.kill('SIGINT');
  const result = await exited;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /stopped/);
  assert.equal(await tcpConnectOutcome(Number(mqttPort)), 'ECONNREFUSED');
});

test('a bad port number is a usage error (exit 2)', BOUND, async (t) => {
  const result = await run(t, ['--mqtt-port', 'x']).exited;
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'fleetsim target: --mqtt-port: expected a port number 0-65535, got "x"\n');
  const tooBig = await run(t, ['--rooms-port=70000']).exited;
  assert.equal(tooBig.code, 2);
  assert.match(tooBig.stderr, /--rooms-port: expected a port number 0-65535, got "70000"/);
  const unknown = await run(t, ['--nope']).exited;
  assert.equal(unknown.code, 2);
});

test('a port in use exits 1 naming the listener and port', BOUND, async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  t.after(() => blocker.close());
  const taken = (blocker.address() as AddressInfo).port;
  const result = await run(t, ['--mqtt-port', String(taken), '--ws-port', '0', '--rooms-port', '0']).exited;
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`MQTT/TCP listener: port ${taken} is already in use`));
});

test('--accept-rate limits new connections per listener; a bad value is a usage error', BOUND, async (t) => {
  const bad = await run(t, ['--accept-rate', 'many']).exited;
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--accept-rate: expected connections per second \(a number >= 0, 0 = no limit\), got "many"/);

  const { child, exited, output } = run(t, ['--mqtt-port', '0', '--ws-port', '0', '--rooms-port', '0', '--accept-rate', '1']);
  const [, mqttPort] = await output(/mqtt:\/\/127\.0\.0\.1:(\d+)\n/);
  await output(/accept rate: +1 connections\/s per listener\n/);
  const counts = tally(await Promise.all(Array.from({ length: 6 }, () => mqttOutcome(`mqtt://127.0.0.1:${mqttPort}`))));
  assert.ok((counts.refused ?? 0) >= 1, JSON.stringify(counts));

  child.kill('SIGINT');
  const result = await exited;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`stopped .*\\| ${counts.refused} refused by the accept rate`));
});

test('--max-client-buffer sets the backpressure cap (bytes, k or m); a bad value is a usage error', BOUND, async (t) => {
  const bad = await run(t, ['--max-client-buffer', '1.5m']).exited;
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-client-buffer: expected bytes \(a whole number, k or m for KiB or MiB, 0 = no cap\), got "1\.5m"/);

  const { child, exited, output } = run(t, ['--mqtt-port', '0', '--ws-port', '0', '--rooms-port', '0', '--max-client-buffer', '256k']);
  await output(/max client buffer: +262144 bytes/);
  child.kill('SIGINT');
  const result = await exited;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /stopped \|/);
});

test('--overload-attempts/--overload-shed set the overload model; alone or out of range they are usage errors', BOUND, async (t) => {
  const alone = await run(t, ['--overload-attempts', '20']).exited;
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--overload-attempts and --overload-shed go together/);
  const zero = await run(t, ['--overload-attempts', '0', '--overload-shed', '50']).exited;
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /--overload-attempts: expected connection attempts per second \(a number > 0\), got "0"/);
  const tooMuch = await run(t, ['--overload-attempts', '20', '--overload-shed', '150']).exited;
  assert.equal(tooMuch.code, 2);
  assert.match(tooMuch.stderr, /--overload-shed: expected a percentage 0-100, got "150"/);

  const { child, exited, output } = run(t, ['--mqtt-port', '0', '--ws-port', '0', '--rooms-port', '0', '--overload-attempts', '20', '--overload-shed', '50']);
  await output(/overload: +over 20 attempts\/s on a listener, 50% of its clients shed each second\n/);
  child.kill('SIGINT');
  const result = await exited;
  assert.equal(result.code, 0, result.stderr);
});

const ALL_PORTS_FREE = ['--mqtt-port', '0', '--ws-port', '0', '--rooms-port', '0', '--mqtts-port', '0', '--mqtt-wss-port', '0', '--rooms-wss-port', '0'];

test('--tls serves MQTT over TLS, MQTT over WSS and WSS rooms with mutual TLS, and prints their URLs', BOUND, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fleetsim-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pki = await initTestPki(dir);
  const { child, exited, output } = run(t, ['--tls', dir, ...ALL_PORTS_FREE]);
  const [, mqtts] = await output(/MQTT over TLS: +mqtts:\/\/127\.0\.0\.1:(\d+)\n/);
  const [, mqttWss] = await output(/MQTT over WSS: +wss:\/\/127\.0\.0\.1:(\d+)\/mqtt\n/);
  const [, roomsWss] = await output(/WSS rooms: +wss:\/\/127\.0\.0\.1:(\d+)\/\n/);
  await output(/client certificates: +required/);

  const pem = await readFile(await new DeviceCertStore(pki, 'valid').ensure('dev-1'));
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${mqtts}`, { reconnectPeriod: 0, clientId: 'dev-1', ca: await readFile(pki.files.ca), cert: pem, key: pem });
  t.after(() => client.end(true));
  client.on('error', () => {});

  child.kill('SIGINT');
  const result = await exited;
  assert.equal(result.code, 0, result.stderr);
  for (const port of [mqtts, mqttWss, roomsWss]) assert.equal(await tcpConnectOutcome(Number(port)), 'ECONNREFUSED');
});

test('--tls usage errors name the flag; a directory that is not a test PKI exits 2 with the PKI error', BOUND, async (t) => {
  const badCerts = await run(t, ['--tls', '/nowhere', '--client-certs', 'maybe']).exited;
  assert.equal(badCerts.code, 2);
  assert.equal(badCerts.stderr, 'fleetsim target: --client-certs: expected require or none, got "maybe"\n');
  const badPort = await run(t, ['--tls', '/nowhere', '--mqtt-wss-port', 'x']).exited;
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--mqtt-wss-port: expected a port number 0-65535, got "x"/);
  const stray = await run(t, ['--client-certs', 'none']).exited;
  assert.equal(stray.code, 2);
  assert.equal(stray.stderr, 'fleetsim target: --client-certs needs --tls PKI_DIR\n');

  const empty = await mkdtemp(join(tmpdir(), 'fleetsim-nopki-'));
  t.after(() => rm(empty, { recursive: true, force: true }));
  const noPki = await run(t, ['--tls', empty, ...ALL_PORTS_FREE]).exited;
  assert.equal(noPki.code, 2);
  assert.match(noPki.stderr, /^fleetsim target: .* is not a test PKI \(missing ca\.pem.*\): create one with "fleetsim certs init .*"\n$/);
  assert.equal(noPki.stdout, '');
});
