// `fleetsim certs` as a user runs it: init, issue ahead of a run, show, and errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-certs-'));

function fleetsim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'certs', ...args], { encoding: 'utf8', env: { ...process.env, FLEETSIM_HOME: home }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('certs init makes the default PKI under FLEETSIM_HOME, then keeps it', () => {
  const first = fleetsim('init', '--name', 'broker.lan');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`created a test PKI in ${join(home, 'pki')}`));
  assert.match(first.stdout, /names: localhost, 127\.0\.0\.1, ::1, broker\.lan/);
  const server = new X509Certificate(readFileSync(join(home, 'pki', 'server.pem')));
  assert.ok(server.checkHost('broker.lan'));
  const again = fleetsim('init');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already holds a test PKI/);
});

test('certs issue makes device certificates ahead of a run; show counts them', () => {
  const dir = join(home, 'other');
  assert.equal(fleetsim('init', dir).code, 0);
  const issued = fleetsim('issue', dir, '--count', '5', '--client-id', 'meter-{index}', '--first', '10');
  assert.equal(issued.code, 0, issued.stderr);
  assert.match(issued.stdout, /5 valid device certificates .*: 5 issued, 0 already there/);
  const cert = new X509Certificate(readFileSync(join(dir, 'devices', 'valid', 'meter-14.pem')));
  assert.equal(cert.subject, 'CN=meter-14');
  assert.match(fleetsim('issue', dir, '--count', '5', '--client-id', 'meter-{index}', '--first', '10').stdout, /0 issued, 5 already there/);
  assert.match(fleetsim('issue', dir, '--count', '2', '--variant', 'expired').stdout, /2 expired device certificates/);
  const shown = fleetsim('show', dir);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /devices valid\s+5/);
  assert.match(shown.stdout, /devices expired\s+2/);
});

test('bad input: exit 2 with the flag or the directory named', () => {
  const variant = fleetsim('issue', '--count', '1', '--variant', 'revoked');
  assert.equal(variant.code, 2);
  assert.match(variant.stderr, /--variant: expected one of valid, expired, unknown-ca, wrong-cn, got "revoked"/);
  const count = fleetsim('issue', '--count', 'many');
  assert.equal(count.code, 2);
  assert.match(count.stderr, /--count: expected a whole number, got "many"/);
  const missing = fleetsim('show', join(home, 'nowhere'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nowhere is not a test PKI .*fleetsim certs init/);
  const unknown = fleetsim('renew');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown subcommand "renew"/);
});

test('certs init DIR --force deletes DIR/devices only when DIR holds a test PKI', async () => {
  const { mkdirSync, writeFileSync, existsSync } = await import('node:fs');
  const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
  const fromSource = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'certs', ...args], { encoding: 'utf8', env: { ...process.env, FLEETSIM_HOME: home }, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const notPki = join(home, 'not-a-pki');
  mkdirSync(join(notPki, 'devices'), { recursive: true });
  writeFileSync(join(notPki, 'devices', 'precious.txt'), 'mine');
  const refused = fromSource('init', notPki, '--force');
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /not-a-pki is not a test PKI \(no pki\.json\): --force only replaces a test PKI/);
  assert.equal(readFileSync(join(notPki, 'devices', 'precious.txt'), 'utf8'), 'mine');
  assert.equal(existsSync(join(notPki, 'ca.pem')), false);

  const pki = join(home, 'real-pki');
  assert.equal(fromSource('init', pki).code, 0);
  mkdirSync(join(pki, 'devices', 'valid'), { recursive: true });
  writeFileSync(join(pki, 'devices', 'valid', 'old.pem'), 'issued by the old CA');
  const replaced = fromSource('init', pki, '--force');
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.equal(existsSync(join(pki, 'devices', 'valid', 'old.pem')), false, 'the old CA\'s device certificates are gone');
  assert.equal(fromSource('init', join(home, 'fresh-pki'), '--force').code, 0, 'a new directory is fine with --force');
});
