// MQTT over mutual TLS, against Debian's mosquitto with require_certificate true and the test
// PKI's CA: per-device certificates issued on first use, the TLS handshake as its own
// histogram, negative groups failing under their own reasons, session resumption, per-device
// certificate files and PKCS#12 bundles, and one SecureContext shared where it can be.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { TlsMaterial } from '../../src/engine/adapters/tls-material.ts';
import { DeviceCertStore } from '../../src/pki/device-certs.ts';
import { initTestPki, type PkiInfo } from '../../src/pki/test-pki.ts';
import { startHost, type HostHarness } from '../helpers/host-harness.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/ports.ts';

let pki: PkiInfo;
let mosquitto: Mosquitto;
const work = mkdtempSync(join(tmpdir(), 'fleetsim-tls-'));

type Group = NonNullable<ScenarioInput['groups']>[number];

function group(name: string, count: number, url: string, tls: Group['tls'], extra: Partial<Group> = {}): Group {
  return {
    name,
    protocol: 'mqtt',
    url,
    count,
    clientId: `${name}-{index}`,
    tls,
    mqtt: { qos: 1 },
    timers: { heartbeat: { every: '300ms', bytes: 20 }, status: 'off', ping: { every: '5s' } },
    reconnect: { policy: 'none' },
    ...extra,
  };
}

const scenario = (...groups: Group[]): ScenarioInput => ({ target: 'external', ramp: 0, groups });
const detail = (h: HostHarness) => () => JSON.stringify({ gauges: h.merger.gauges(), failures: h.merger.failureReasons, drops: h.merger.disconnectReasons });

async function withHost<T>(input: ScenarioInput, body: (h: HostHarness) => Promise<T>): Promise<T> {
  const h = startHost(input);
  try {
    return await body(h);
  } finally {
    await h.stop();
  }
}

describe('MQTT over mutual TLS against mosquitto (require_certificate true)', () => {
  before(async () => {
    pki = await initTestPki(join(work, 'pki'));
    mosquitto = await startMosquitto('', { pkiDir: pki.dir, requireCertificate: true });
  });
  after(async () => {
    await mosquitto?.stop();
  });

  const transports = [
    { name: 'MQTT 3.1.1 over TLS', url: () => `mqtts://127.0.0.1:${mosquitto.tlsPort}`, version: '3.1.1' as const },
    { name: 'MQTT 5 over TLS', url: () => `mqtts://127.0.0.1:${mosquitto.tlsPort}`, version: '5' as const },
    { name: 'MQTT 3.1.1 over WSS', url: () => `wss://127.0.0.1:${mosquitto.wssPort}`, version: '3.1.1' as const },
  ];
  for (const t of transports) {
    test(`${t.name}: per-device certificates issued from the PKI, every device online and publishing`, async () => {
      const name = `m${t.version.replace(/\W/g, '')}${t.url().startsWith('wss') ? 'wss' : 'tls'}`;
      await withHost(scenario(group(name, 12, t.url(), { pki: pki.dir }, { mqtt: { version: t.version, qos: 1 } })), async (h) => {
        const m = h.merger;
        await waitFor('every device online', () => m.gauges().online === 12, 20_000, detail(h));
        await waitFor('QoS 1 heartbeats acknowledged', () => m.totals.pubacks >= 12, 10_000, detail(h));
        const lat = m.latency();
        assert.ok(lat.tls.count >= 12, `a TLS handshake time per connection (${lat.tls.count})`);
        assert.ok(lat.tls.p50 > 0 && lat.connack.count >= 12, 'handshake and CONNACK measured apart');
        assert.ok(m.totals.tlsHandshakes >= 12);
        const store = new DeviceCertStore(pki, 'valid');
        for (let i = 0; i < 12; i++) assert.ok(store.has(`${name}-${i}`), `certificate of ${name}-${i} cached on disk`);
      });
    });
  }

  test('negative groups fail, each under its own reason, while a valid group connects', async () => {
    const url = `mqtts://127.0.0.1:${mosquitto.tlsPort}`;
    const input = scenario(
      group('valid', 3, url, { pki: pki.dir }),
      group('expired', 3, url, { pki: pki.dir, negative: 'expired' }),
      group('unknownca', 3, url, { pki: pki.dir, negative: 'unknown-ca' }),
      group('nocert', 3, url, { pki: pki.dir, negative: 'no-cert' }),
    );
    await withHost(input, async (h) => {
      const m = h.merger;
      await waitFor('9 failed, 3 online', () => m.gauges().failed === 9 && m.gauges().online === 3, 20_000, detail(h));
      assert.equal(m.failureReasons['tls-alert:certificate-expired'], 3);
      assert.equal(m.failureReasons['tls-alert:unknown-ca'], 3);
      assert.equal(m.failureReasons['tls-alert:certificate-required'], 3);
    });
  });

  for (const resumption of [true, false]) {
    test(`reconnects ${resumption ? 'resume their TLS session' : 'do full handshakes without sessionResumption'}`, async () => {
      const url = `mqtts://127.0.0.1:${mosquitto.tlsPort}`;
      const g = group(resumption ? 'resume' : 'noresume', 5, url, { pki: pki.dir, sessionResumption: resumption }, { reconnect: { policy: 'fixed', base: '100ms', jitter: 'none' } });
      await withHost(scenario(g), async (h) => {
        const m = h.merger;
        await waitFor('online', () => m.gauges().online === 5, 20_000, detail(h));
        h.host.handle({ type: 'storm', reqId: 1, storm: { kind: 'drop', percent: 100, mode: 'close' } });
        await waitFor('reconnected', () => m.totals.connects >= 10 && m.gauges().online === 5, 20_000, detail(h));
        assert.ok(m.totals.tlsHandshakes >= 10);
        if (resumption) assert.ok(m.totals.tlsResumed >= 5, `resumed ${m.totals.tlsResumed} of ${m.totals.tlsHandshakes}`);
        else assert.equal(m.totals.tlsResumed, 0);
      });
    });
  }

  test('per-device certificate files from a name template, and PKCS#12 bundles', async () => {
    const certs = join(work, 'certs');
    mkdirSync(certs, { recursive: true });
    const store = new DeviceCertStore(pki, 'valid');
    for (let i = 0; i < 3; i++) {
      const pem = readFileSync(await store.ensure(`files-${i}`));
      writeFileSync(join(certs, `files-${i}.crt`), pem.toString().replace(/-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n/, ''));
      writeFileSync(join(certs, `files-${i}.key`), pem);
      const path = await store.ensure(`p12-${i}`);
      execFileSync('openssl', ['pkcs12', '-export', '-in', path, '-inkey', path, '-passout', 'pass:s3cret', '-out', join(certs, `p12-${i}.p12`)]);
    }
    const url = `mqtts://127.0.0.1:${mosquitto.tlsPort}`;
    const input = scenario(
      group('files', 3, url, { ca: pki.files.ca, cert: join(certs, '{id}.crt'), key: join(certs, '{id}.key') }),
      group('p12', 3, url, { ca: pki.files.ca, pfx: join(certs, '{id}.p12'), passphrase: 's3cret' }),
      // Only devices 0-2 have files: device 3's attempt fails under its own reason.
      group('missing', 4, url, { ca: pki.files.ca, cert: join(certs, 'files-{index}.crt'), key: join(certs, 'files-{index}.key') }),
    );
    await withHost(input, async (h) => {
      const m = h.merger;
      await waitFor('3 + 3 + 3 online, one failed', () => m.gauges().online === 9 && m.gauges().failed === 1, 20_000, detail(h));
      assert.equal(m.failureReasons['tls:cert-file-unreadable'], 1);
    });
  });
});

describe('TLS material', () => {
  const groupOf = (tls: Group['tls']) => {
    const v = validateScenario(scenario(group('g', 2, 'mqtts://127.0.0.1:8883', tls)));
    assert.ok(v.ok);
    return v.scenario.groups[0];
  };
  const device = (index: number) => ({ id: `g-${index}`, index, tlsSession: undefined });

  test('one SecureContext for every device when they present the same certificate (or none)', async () => {
    pki ??= await initTestPki(join(work, 'pki'));
    const material = new TlsMaterial(groupOf({ ca: pki.files.ca }));
    const a = material.connectOptions(device(0));
    const b = material.connectOptions(device(1));
    assert.ok(a.secureContext);
    assert.equal(a.secureContext, b.secureContext);
  });

  test('per-device certificates are read per connection, never shared or kept', async () => {
    const material = new TlsMaterial(groupOf({ pki: pki.dir }));
    assert.ok(material.prepare(device(0)), 'a certificate to issue first');
    await material.prepare(device(0));
    await material.prepare(device(1));
    assert.equal(material.prepare(device(0)), undefined, 'issued: nothing to wait for');
    const a = material.connectOptions(device(0));
    const b = material.connectOptions(device(1));
    assert.equal(a.secureContext, undefined);
    assert.notDeepEqual(a.cert, b.cert);
  });
});

describe('MQTT over mutual TLS against the embedded target', () => {
  test('valid certificates connect over TLS and WSS; each negative group fails under its own reason', async () => {
    const { startEmbeddedTarget } = await import('../../src/targets/embedded-target.ts');
    pki ??= await initTestPki(join(work, 'pki'));
    const target = await startEmbeddedTarget({ host: '127.0.0.1', ports: { mqtt: 0, mqttWs: 0, rooms: 0 }, tls: { pki: pki.dir, clientCerts: 'require' } });
    try {
      const tls = `mqtts://127.0.0.1:${target.ports.mqtts}`;
      const wss = `wss://127.0.0.1:${target.ports.mqttWss}/mqtt`;
      const input = scenario(
        group('emb-tls', 4, tls, { pki: pki.dir }),
        group('emb-wss', 4, wss, { pki: pki.dir }),
        group('emb-expired', 2, tls, { pki: pki.dir, negative: 'expired' }),
        group('emb-unknown', 2, wss, { pki: pki.dir, negative: 'unknown-ca' }),
        group('emb-wrongcn', 2, tls, { pki: pki.dir, negative: 'wrong-cn' }),
        group('emb-nocert', 2, tls, { pki: pki.dir, negative: 'no-cert' }),
      );
      await withHost(input, async (h) => {
        const m = h.merger;
        await waitFor('8 online, 8 failed', () => m.gauges().online === 8 && m.gauges().failed === 8, 20_000, detail(h));
        assert.deepEqual(
          { ...m.failureReasons },
          {
            'connack-refused:not-authorized': 2,
            'connack-refused:bad-username-or-password': 2,
            'connack-refused:identifier-rejected': 2,
            'tls-alert:certificate-required': 2,
          },
        );
      });
    } finally {
      await target.stop();
    }
  });
});
