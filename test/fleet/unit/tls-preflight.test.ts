// Before a run: the embedded target's PKI is chosen (the default one made on first use),
// embedded TLS groups are pointed at it, and every certificate file is checked by field.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ScenarioInput } from '../../../src/contract/scenario.ts';
import { validateScenario } from '../../../src/contract/validate.ts';
import { planTls, TlsPreflightError } from '../../../src/fleet/tls-preflight.ts';
import { DeviceCertStore } from '../../../src/pki/device-certs.ts';
import { initTestPki } from '../../../src/pki/test-pki.ts';

const work = mkdtempSync(join(tmpdir(), 'fleetsim-preflight-'));

function parse(input: ScenarioInput) {
  const v = validateScenario(input);
  if (!v.ok) throw new Error(v.problems.join('; '));
  return v.scenario;
}

const mqtts = (name: string, url: string, tls?: Record<string, unknown>) => ({ name, protocol: 'mqtt' as const, url, count: 2, ...(tls ? { tls } : {}) });

async function problemsOf(input: ScenarioInput): Promise<string[]> {
  try {
    await planTls(parse(input));
  } catch (err) {
    if (err instanceof TlsPreflightError) return err.problems;
    throw err;
  }
  return [];
}

describe('TLS preflight', () => {
  test('embedded TLS: the default PKI is created on first use and groups without material of their own use it', async () => {
    const home = join(work, 'home');
    process.env.FLEETSIM_HOME = home;
    try {
      const plan = await planTls(
        parse({
          groups: [
            mqtts('plain-tls', 'embedded:mqtts'),
            mqtts('neg', 'embedded:mqtt-wss', { negative: 'expired' }),
            mqtts('own-ca', 'embedded:mqtts', { ca: join(home, 'pki', 'ca.pem') }),
            mqtts('tcp', 'embedded:mqtt'),
          ],
        }),
      );
      const pki = join(home, 'pki');
      assert.ok(existsSync(join(pki, 'server.pem')));
      assert.deepEqual(plan.targetTls, { pki, clientCerts: 'require' });
      assert.match(plan.notes.join('\n'), /created a test PKI in .*home\/pki/);
      const [tls, neg, own, tcp] = plan.scenario.groups;
      assert.equal(tls.tls?.pki, pki);
      assert.equal(neg.tls?.pki, pki);
      assert.equal(neg.tls?.negative, 'expired');
      assert.equal(own.tls?.pki, undefined, 'a group with its own CA keeps it');
      assert.equal(tcp.tls, undefined);
      const again = await planTls(parse({ groups: [mqtts('a', 'embedded:mqtts')] }));
      assert.deepEqual(again.notes, [], 'created once');
    } finally {
      delete process.env.FLEETSIM_HOME;
    }
  });

  test('no TLS: nothing to plan', async () => {
    const s = parse({ groups: [mqtts('tcp', 'embedded:mqtt')] });
    const plan = await planTls(s);
    assert.equal(plan.targetTls, undefined);
    assert.deepEqual(plan.scenario.groups, s.groups);
  });

  test('unreadable files, a directory that is no PKI, a wrong passphrase: one problem per field', async () => {
    const pki = await initTestPki(join(work, 'pki'));
    const pem = await new DeviceCertStore(pki, 'valid').ensure('dev-0');
    const p12 = join(work, 'dev.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-in', pem, '-inkey', pem, '-passout', 'pass:right', '-out', p12]);
    const url = 'mqtts://127.0.0.1:8883';
    const problems = await problemsOf({
      target: 'external',
      groups: [
        mqtts('a', url, { ca: join(work, 'missing-ca.pem') }),
        mqtts('b', url, { ca: pki.files.ca, cert: join(work, 'certs/{id}.pem') }),
        mqtts('c', url, { pki: join(work, 'not-a-pki') }),
        mqtts('d', url, { ca: pki.files.ca, pfx: p12, passphrase: 'wrong' }),
        mqtts('e', url, { ca: pki.files.ca, pfx: p12, passphrase: 'right' }),
      ],
    });
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems[0], /^groups\[0\]\.tls\.ca: cannot read ".*missing-ca\.pem": ENOENT/);
    assert.match(problems[1], /^groups\[1\]\.tls\.cert: cannot read ".*certs\/dev-0\.pem": ENOENT \(device dev-0\)/);
    assert.match(problems[2], /^groups\[2\]\.tls\.pki: .*not-a-pki is not a test PKI .*fleetsim certs init/);
    assert.match(problems[3], /^groups\[3\]\.tls: /);
  });

  test('a key that does not belong to the certificate is caught before the run', async () => {
    const pki = await initTestPki(join(work, 'pki'));
    const store = new DeviceCertStore(pki, 'valid');
    const one = readFileSync(await store.ensure('k-1'), 'utf8');
    const two = readFileSync(await store.ensure('k-2'), 'utf8');
    writeFileSync(join(work, 'cert.pem'), one.slice(one.indexOf('-----BEGIN CERTIFICATE')));
    writeFileSync(join(work, 'key.pem'), two.slice(0, two.indexOf('-----BEGIN CERTIFICATE')));
    const problems = await problemsOf({ target: 'external', groups: [mqtts('m', 'mqtts://127.0.0.1:8883', { cert: join(work, 'cert.pem'), key: join(work, 'key.pem') })] });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^groups\[0\]\.tls: .*key values mismatch/i);
  });
});
