// The built-in test PKI: what `certs init` writes, and device certificates issued on demand
// (CN = client id), cached on disk, and the negative variants a broker must refuse.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { certFileName, DeviceCertStore } from '../../src/pki/device-certs.ts';
import { initTestPki, PkiError, readPki, type PkiInfo } from '../../src/pki/test-pki.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'fleetsim-pki-'));
const certOf = (pem: Buffer | string) => new X509Certificate(pem);

describe('test PKI', () => {
  let pki: PkiInfo;

  test('init writes a CA, a server certificate for localhost/127.0.0.1/::1 and the given names, keys private', async () => {
    pki = await initTestPki(join(tmp(), 'pki'), { serverNames: ['broker.test'] });
    assert.equal(pki.created, true);
    const ca = certOf(readFileSync(pki.files.ca));
    const server = certOf(readFileSync(pki.files.server));
    assert.equal(ca.ca, true);
    assert.equal(server.ca, false);
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey), 'the server certificate is signed by the CA');
    assert.match(server.subjectAltName ?? '', /DNS:localhost/);
    assert.match(server.subjectAltName ?? '', /DNS:broker\.test/);
    assert.match(server.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.ok(server.checkIP('127.0.0.1') && server.checkHost('localhost'));
    for (const key of [pki.files.caKey, pki.files.serverKey, pki.files.unknownCaKey]) assert.equal(statSync(key).mode & 0o777, 0o600, key);
    const unknown = certOf(readFileSync(pki.files.unknownCa));
    assert.equal(server.checkIssued(unknown), false);
  });

  test('init keeps an existing PKI unless forced', async () => {
    const caBefore = readFileSync(pki.files.ca, 'utf8');
    const again = await initTestPki(pki.dir);
    assert.equal(again.created, false);
    assert.equal(readFileSync(pki.files.ca, 'utf8'), caBefore);
    const dir = join(tmp(), 'forced');
    const first = await initTestPki(dir);
    const store = new DeviceCertStore(first, 'valid');
    await store.ensure('dev-0');
    const oldCa = readFileSync(first.files.ca, 'utf8');
    const forced = await initTestPki(dir, { force: true });
    assert.equal(forced.created, true);
    assert.notEqual(readFileSync(forced.files.ca, 'utf8'), oldCa, 'a new CA');
    assert.equal(new DeviceCertStore(forced, 'valid').has('dev-0'), false, 'device certificates of the old CA are gone');
  });

  test('reading a directory that is no PKI names what is missing and how to make one', async () => {
    await assert.rejects(readPki(tmp()), (err: Error) => err instanceof PkiError && /missing ca\.pem.*fleetsim certs init/.test(err.message));
  });

  test('device certificates: CN = client id, signed by the CA, for client auth, one file with key and certificate', async () => {
    const store = new DeviceCertStore(pki, 'valid');
    const path = await store.ensure('sensor/7');
    const pem = readFileSync(path, 'utf8');
    assert.match(pem, /BEGIN PRIVATE KEY[\s\S]*BEGIN CERTIFICATE/);
    const cert = certOf(pem);
    assert.equal(cert.subject, 'CN=sensor/7');
    assert.ok(cert.checkIssued(certOf(readFileSync(pki.files.ca))));
    assert.ok(cert.verify(certOf(readFileSync(pki.files.ca)).publicKey));
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.ok(new Date(cert.validTo).getTime() > Date.now() + 365 * 86_400_000);
  });

  test('issued once: a second ensure, or a second store (another host), reads the cached file', async () => {
    const store = new DeviceCertStore(pki, 'valid');
    const [a, b] = await Promise.all([store.ensure('dev-1'), store.ensure('dev-1')]);
    assert.equal(a, b);
    assert.equal(store.issued, 1, 'concurrent requests for one id issue one certificate');
    const before = readFileSync(a, 'utf8');
    const other = new DeviceCertStore(pki, 'valid');
    assert.equal(other.has('dev-1'), true);
    await other.ensure('dev-1');
    assert.equal(other.issued, 0);
    assert.equal(readFileSync(a, 'utf8'), before);
  });

  test('negative variants: expired, from the unknown CA, naming another client', async () => {
    const ca = certOf(readFileSync(pki.files.ca));
    const expired = certOf(readFileSync(await new DeviceCertStore(pki, 'expired').ensure('dev-2')));
    assert.ok(new Date(expired.validTo).getTime() < Date.now());
    assert.ok(expired.checkIssued(ca));
    const unknown = certOf(readFileSync(await new DeviceCertStore(pki, 'unknown-ca').ensure('dev-2')));
    assert.equal(unknown.checkIssued(ca), false);
    assert.ok(unknown.checkIssued(certOf(readFileSync(pki.files.unknownCa))));
    const wrong = certOf(readFileSync(await new DeviceCertStore(pki, 'wrong-cn').ensure('dev-2')));
    assert.equal(wrong.subject, 'CN=not-dev-2');
    assert.ok(wrong.checkIssued(ca));
  });

  test('file names are safe for any client id', () => {
    assert.equal(certFileName('dev-1'), 'dev-1.pem');
    assert.equal(certFileName('a/b'), 'a%2Fb.pem');
    assert.equal(certFileName('..'), '%2E..pem');
    assert.match(certFileName('x'.repeat(300)), /^[0-9a-f]{64}\.pem$/);
  });
});
