// TLS in the UI: the group editor's TLS fields (only for TLS URLs, values round-trip as the
// schema wants them, booleans as booleans), the Test PKI status line, and the live TLS figures.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PRESETS } from '../../src/contract/presets.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { parseScenarioText, scenarioToYaml } from '../../renderer/lib/scenario-io.ts';
import { editorFieldPaths, fromOption, GROUP_FIELDS, scenarioToInput, selectOptions, type FieldSpec } from '../../renderer/state/editor-model.ts';
import { createEditorStore } from '../../renderer/state/editor-store.ts';
import { fmtPct } from '../../renderer/lib/format.ts';
import { latencyRows, runUsesTls, tlsShare } from '../../renderer/state/live-tls.ts';
import { pkiRequest, pkiStatus } from '../../renderer/state/pki-store.ts';
import { demoScenario, snapshot } from './fixtures.ts';

const presets = Object.entries(PRESETS).map(([name, scenario]) => ({ name, description: name, scenario }));
const TLS_KEYS = ['tls.pki', 'tls.negative', 'tls.sessionResumption', 'tls.ca', 'tls.cert', 'tls.key', 'tls.servername'];
const spec = (key: string) => GROUP_FIELDS.find((f) => f.key === key) as FieldSpec;

function mtlsEditor() {
  const ed = createEditorStore();
  ed.setPresets(presets);
  ed.choosePreset('mtls');
  assert.deepEqual(ed.getState().problems, []);
  return ed;
}

describe('TLS fields in the group editor', () => {
  test('shown for TLS URLs only', () => {
    const tlsUrls = ['mqtts://broker:8883', 'ssl://broker:8883', 'wss://gw/socket', 'embedded:mqtts', 'embedded:mqtt-wss', 'embedded:wss'];
    const plainUrls = ['mqtt://broker:1883', 'ws://gw/socket', 'embedded:mqtt', 'embedded:mqtt-ws', 'embedded:ws', ''];
    const paths = editorFieldPaths({ groups: [...tlsUrls, ...plainUrls].map((url) => ({ protocol: url.includes('ws') && !url.includes('mqtt') ? 'ws' : 'mqtt', url })) });
    tlsUrls.forEach((url, i) => {
      for (const k of TLS_KEYS) assert.ok(paths.includes(`groups[${i}].${k}`), `${url}: ${k}`);
    });
    plainUrls.forEach((url, j) => {
      const i = tlsUrls.length + j;
      assert.deepEqual(paths.filter((p) => p.startsWith(`groups[${i}].tls`)), [], `${url || '(no url)'} has no TLS fields`);
    });
  });

  test('kinds: text fields, a negative select whose empty choice removes the key, a boolean checkbox', () => {
    assert.deepEqual(TLS_KEYS.map((k) => spec(k).kind), ['text', 'select', 'bool', 'text', 'text', 'text', 'text']);
    const negative = spec('tls.negative');
    assert.deepEqual(selectOptions(negative), ['', 'expired', 'unknown-ca', 'wrong-cn', 'no-cert']);
    assert.equal(fromOption(negative, ''), undefined);
    assert.equal(fromOption(negative, 'wrong-cn'), 'wrong-cn');
    assert.equal(fromOption(spec('mqtt.qos'), '1'), 1, 'numeric options stay numbers');
    assert.match(spec('tls.cert').hint ?? '', /\{id\} for one file per device/);
    assert.match(spec('tls.key').hint ?? '', /\{id\} for one file per device/);
    assert.match(spec('url').hint ?? '', /embedded:mqtt\(s\).*embedded:mqtt-ws\(s\).*embedded:ws\(s\)/);
    assert.equal(spec('tls.pki').groupPlaceholder?.({ url: 'embedded:mqtts' }), "the embedded target's PKI");
    assert.equal(spec('tls.pki').groupPlaceholder?.({ url: 'mqtts://broker:8883' }), 'none');
  });

  test('session resumption is written and read back as a boolean, through validation and YAML', () => {
    const ed = mtlsEditor();
    assert.equal(ed.getState().draft.groups && (ed.getState().draft.groups as Array<{ tls: { sessionResumption: unknown } }>)[0].tls.sessionResumption, true);
    ed.setField('groups[0].tls.sessionResumption', false);
    let v = validateScenario(ed.getState().draft);
    assert.ok(v.ok, v.ok ? '' : v.problems.join('\n'));
    assert.equal(v.scenario.groups[0].tls?.sessionResumption, false);
    const yaml = parseScenarioText(scenarioToYaml(ed.getState().draft), 'x.yaml');
    assert.ok(yaml.ok);
    assert.equal((yaml.scenario.groups as Array<{ tls: { sessionResumption: unknown } }>)[0].tls.sessionResumption, false, 'false, not "false"');
    ed.setField('groups[0].tls.sessionResumption', true);
    v = validateScenario(ed.getState().draft);
    assert.ok(v.ok && v.scenario.groups[0].tls?.sessionResumption === true);
    ed.setField('groups[0].tls.sessionResumption', 'yes');
    assert.match(ed.getState().problemsByPath['groups[0].tls.sessionResumption']?.[0]?.message ?? '', /boolean/i, 'a non-boolean is a problem at the field');
  });

  test('text and select values land where the schema reads them; problems go to their TLS field', () => {
    const ed = mtlsEditor();
    ed.setField('groups[0].tls.servername', 'broker.local');
    ed.setField('groups[0].tls.pki', '/tmp/pki');
    ed.setField('groups[1].tls.negative', 'no-cert');
    let v = validateScenario(ed.getState().draft);
    assert.ok(v.ok, v.ok ? '' : v.problems.join('\n'));
    assert.equal(v.scenario.groups[0].tls?.servername, 'broker.local');
    assert.equal(v.scenario.groups[0].tls?.pki, '/tmp/pki');
    assert.equal(v.scenario.groups[1].tls?.negative, 'no-cert');
    ed.setField('groups[1].tls.negative', fromOption(spec('tls.negative'), ''));
    assert.equal('negative' in ((ed.getState().draft.groups as Array<{ tls: object }>)[1].tls), false, '"none" removes the key');

    ed.setField('groups[0].tls.cert', './dev-{id}.pem');
    assert.match(ed.getState().problemsByPath['groups[0].tls.cert']?.[0]?.message ?? '', /not with pki/);
    ed.setField('groups[0].tls.cert', undefined);
    assert.deepEqual(ed.getState().problems, []);
  });

  test('clearing the last TLS field drops tls, so switching to a plain URL stays valid', () => {
    const ed = mtlsEditor();
    ed.setField('groups[0].tls.sessionResumption', undefined);
    const group = () => (ed.getState().draft.groups as Array<Record<string, unknown>>)[0];
    assert.equal('tls' in group(), false);
    ed.setField('groups[0].url', 'embedded:mqtt');
    assert.deepEqual(ed.getState().problems, []);
    // With TLS settings left on a plain URL, the card says why (the TLS fields are hidden then).
    ed.setField('groups[1].url', 'embedded:mqtt');
    assert.match(ed.getState().problemsByPath['groups[1]']?.[0]?.text ?? '', /^groups\[1\]\.tls: needs a TLS url/);
  });

  test('the mtls preset survives the editor round trip', () => {
    const first = validateScenario(structuredClone(PRESETS.mtls));
    assert.ok(first.ok);
    const again = validateScenario(scenarioToInput(first.scenario));
    assert.ok(again.ok, again.ok ? '' : again.problems.join('\n'));
    assert.deepEqual(again.scenario, first.scenario);
  });
});

describe('Test PKI status', () => {
  const ok = { ok: true as const, dir: '/tmp/h/pki', created: true, createdAt: '2025-03-01T10:20:30.123Z', serverNames: ['localhost', '127.0.0.1', '::1'], caFile: '/tmp/h/pki/ca.pem' };

  test('created, or already there: the directory and how a scenario uses it', () => {
    const made = pkiStatus(ok);
    assert.equal(made.tone, 'ok');
    assert.equal(made.text, 'Created a test PKI in /tmp/h/pki');
    assert.deepEqual(made.hints, [
      { label: 'in a scenario', code: 'tls: { pki: /tmp/h/pki }' },
      { label: 'CA for brokers', code: '/tmp/h/pki/ca.pem' },
    ]);
    assert.deepEqual(made.problems, []);
    const kept = pkiStatus({ ...ok, created: false });
    assert.equal(kept.text, '/tmp/h/pki already holds a test PKI (created 2025-03-01 10:20:30 UTC)');
    assert.equal(kept.hints[0].code, 'tls: { pki: /tmp/h/pki }');
  });

  test('problems are shown as they came', () => {
    const bad = pkiStatus({ ok: false, problems: ['dir: cannot create a test PKI in /x: EACCES (/x)'] });
    assert.equal(bad.tone, 'error');
    assert.deepEqual(bad.problems, ['dir: cannot create a test PKI in /x: EACCES (/x)']);
    assert.deepEqual(bad.hints, []);
  });

  test('an empty directory asks for the default one', () => {
    assert.equal(pkiRequest('   '), undefined);
    assert.deepEqual(pkiRequest(' /tmp/p '), { dir: '/tmp/p' });
  });
});

describe('live TLS figures', () => {
  test('the TLS handshake row appears for runs that speak TLS, or once a handshake is measured', () => {
    const mtls = validateScenario(PRESETS.mtls);
    assert.ok(mtls.ok);
    assert.ok(runUsesTls(mtls.scenario));
    assert.equal(runUsesTls(demoScenario()), false);
    const latency = snapshot().latency;
    assert.equal(runUsesTls(demoScenario(), latency), false);
    assert.ok(runUsesTls(null, { ...latency, tls: { count: 3, p50: 1, p90: 1, p99: 2, max: 2 } }));
    assert.deepEqual(latencyRows(true).slice(0, 3), ['connect', 'tls', 'connack']);
    assert.ok(!latencyRows(false).includes('tls'));
  });

  test('handshakes and the resumed share; nothing before the first handshake', () => {
    assert.equal(tlsShare(snapshot().totals), null);
    assert.equal(tlsShare(null), null);
    assert.deepEqual(tlsShare({ tlsHandshakes: 800, tlsResumed: 200 }), { handshakes: 800, resumed: 200, resumedPct: 25 });
    assert.equal(tlsShare({ tlsHandshakes: 3, tlsResumed: 9 })?.resumedPct, 100, 'never more than all of them');
    assert.deepEqual([fmtPct(0), fmtPct(2.5), fmtPct(25), fmtPct(100)], ['0%', '2.5%', '25%', '100%']);
  });
});
