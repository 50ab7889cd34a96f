// TLS settings of a group, validated per field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isTlsUrl } from '../../src/contract/scenario.ts';
import { validateScenario } from '../../src/contract/validate.ts';

const withTls = (url: string, tls: unknown, target: 'embedded' | 'external' = 'external') =>
  validateScenario({ target, groups: [{ protocol: url.startsWith('embedded:wss') ? 'ws' : 'mqtt', url, count: 1, tls }] });

const problems = (r: ReturnType<typeof validateScenario>) => (r.ok ? [] : r.problems);

describe('group TLS settings', () => {
  test('defaults: verify the server, no resumption', () => {
    const r = withTls('mqtts://broker:8883', {});
    assert.ok(r.ok);
    assert.equal(r.scenario.groups[0].tls?.rejectUnauthorized, true);
    assert.equal(r.scenario.groups[0].tls?.sessionResumption, false);
  });

  test('every form of identity is accepted on its own', () => {
    for (const tls of [{ pki: '/p' }, { pki: '/p', negative: 'no-cert' }, { ca: 'ca.pem', cert: 'c/{id}.pem', key: 'c/{id}.key' }, { pfx: 'c/{id}.p12', passphrase: 'x' }, { alpn: ['mqtt'], servername: 'broker' }]) {
      assert.deepEqual(problems(withTls('mqtts://broker:8883', tls)), [], JSON.stringify(tls));
    }
  });

  test('conflicting or incomplete settings name the field', () => {
    assert.deepEqual(problems(withTls('mqtts://b', { pki: '/p', cert: 'c.pem' })), ['groups[0].tls.cert: not with pki: the PKI issues each device its certificate']);
    assert.deepEqual(problems(withTls('mqtts://b', { pfx: 'a.p12', cert: 'c.pem' })), ['groups[0].tls.pfx: use either pfx or cert/key, not both']);
    assert.deepEqual(problems(withTls('mqtts://b', { key: 'k.pem' })), ['groups[0].tls.key: needs cert']);
    assert.deepEqual(problems(withTls('mqtts://b', { negative: 'expired' })), ['groups[0].tls.negative: needs tls.pki (negative certificates are issued from a test PKI) or an embedded TLS url']);
    assert.match(problems(withTls('mqtts://b', { pki: '/p', negative: 'revoked' }))[0], /^groups\[0\]\.tls\.negative: expected one of expired, unknown-ca, wrong-cn, no-cert/);
    assert.match(problems(withTls('mqtts://b', { alpn: [] }))[0], /^groups\[0\]\.tls\.alpn: expected at least one protocol/);
  });

  test('TLS settings need a TLS url', () => {
    assert.match(problems(withTls('mqtt://b:1883', { ca: 'ca.pem' }))[0], /^groups\[0\]\.tls: needs a TLS url/);
    assert.deepEqual(problems(withTls('embedded:mqtts', { negative: 'wrong-cn' }, 'embedded')), []);
    assert.deepEqual(problems(withTls('embedded:wss', {}, 'embedded')), []);
  });

  test('which URLs are TLS', () => {
    for (const url of ['mqtts://a', 'ssl://a', 'wss://a/mqtt', 'embedded:mqtts', 'embedded:mqtt-wss', 'embedded:wss']) assert.ok(isTlsUrl(url), url);
    for (const url of ['mqtt://a', 'ws://a', 'tcp://a', 'embedded:mqtt', 'embedded:ws']) assert.ok(!isTlsUrl(url), url);
  });

  test('the embedded target: clientCerts require by default, none allowed, nothing else', () => {
    const r = validateScenario({ embedded: { tls: {} }, groups: [{ protocol: 'mqtt', url: 'embedded:mqtts', count: 1 }] });
    assert.ok(r.ok);
    assert.equal(r.scenario.embedded.tls?.clientCerts, 'require');
    const bad = validateScenario({ embedded: { tls: { clientCerts: 'optional' } }, groups: [{ protocol: 'mqtt', url: 'embedded:mqtts', count: 1 }] });
    assert.deepEqual(problems(bad), ['embedded.tls.clientCerts: expected require or none']);
  });
});
