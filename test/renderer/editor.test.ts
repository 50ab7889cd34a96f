// The scenario editor's model: paths, problems next to fields, live validation, live timers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PRESETS } from '../../src/contract/presets.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { assignProblems, getIn, parsePath, setIn, splitProblem } from '../../renderer/lib/paths.ts';
import { parseScenarioText, scenarioToYaml } from '../../renderer/lib/scenario-io.ts';
import { editorFieldPaths, listText, liveTimers, parseList, scenarioToInput, timersDiffer } from '../../renderer/state/editor-model.ts';
import { createEditorStore } from '../../renderer/state/editor-store.ts';
import { demoScenario } from './fixtures.ts';

const presets = Object.entries(PRESETS).map(([name, scenario]) => ({ name, description: name, scenario }));

describe('paths', () => {
  test('parse, get and copy-on-write set', () => {
    assert.deepEqual(parsePath('groups[0].timers.heartbeat.every'), ['groups', 0, 'timers', 'heartbeat', 'every']);
    const d = { groups: [{ timers: { heartbeat: 'off' } }] };
    const e = setIn(d, 'groups[0].timers.heartbeat.every', '5s');
    assert.equal(getIn(e, 'groups[0].timers.heartbeat.every'), '5s');
    assert.equal(d.groups[0].timers.heartbeat, 'off', 'the original is untouched');
    const f = setIn(e, 'groups[0].timers.heartbeat.every', undefined);
    assert.deepEqual(getIn(f, 'groups[0].timers.heartbeat'), {}, 'undefined deletes the key');
  });

  test('each problem goes to the deepest field that shows it', () => {
    const fields = ['name', 'groups', 'groups[0]', 'groups[0].url', 'groups[0].timers.heartbeat', 'groups[0].timers.heartbeat.every'];
    const by = assignProblems(
      [
        'groups[0].timers.heartbeat.every: expected a duration like "15s"',
        'groups[0].timers.heartbeat: unknown field "color"',
        'groups[0].tls.ca: bad',
        'groups[0].urlx: nope',
        '(scenario): unknown field "x"',
      ],
      fields,
    );
    assert.deepEqual(by['groups[0].timers.heartbeat.every'].map((p) => p.message), ['expected a duration like "15s"']);
    assert.deepEqual(by['groups[0].timers.heartbeat'].map((p) => p.message), ['unknown field "color"']);
    assert.deepEqual(by['groups[0]'].map((p) => p.path), ['groups[0].tls.ca', 'groups[0].urlx'], 'groups[0].url is not a prefix of groups[0].urlx');
    assert.deepEqual(by[''].map((p) => p.message), ['unknown field "x"']);
    assert.deepEqual(splitProblem('hosts: expected "auto"'), { path: 'hosts', message: 'expected "auto"', text: 'hosts: expected "auto"' });
  });
});

describe('editor store', () => {
  test('a preset loads valid; a bad field shows its problem at that field', () => {
    const ed = createEditorStore();
    ed.setPresets(presets);
    assert.equal(ed.getState().presetName, 'demo');
    ed.choosePreset('demo');
    assert.deepEqual(ed.getState().problems, []);
    ed.setField('groups[0].timers.heartbeat.every', 'soon');
    const s = ed.getState();
    assert.equal(s.dirty, true);
    assert.equal(s.problems.length, 1);
    assert.match(s.problemsByPath['groups[0].timers.heartbeat.every'][0].message, /expected a duration like "15s"/);
    ed.choosePreset('demo');
    assert.deepEqual(ed.getState().problems, [], 'reloading the preset undoes edits');
  });

  test('groups can be added and removed; no groups is a problem under "groups"', () => {
    const ed = createEditorStore();
    ed.setPresets(presets);
    ed.choosePreset('seed-mqtt');
    ed.addGroup();
    let groups = ed.getState().draft.groups as Array<{ name: string }>;
    assert.equal(groups.length, 2);
    assert.notEqual(groups[1].name, groups[0].name);
    assert.deepEqual(ed.getState().problems, []);
    ed.removeGroup(0);
    ed.removeGroup(0);
    groups = ed.getState().draft.groups as Array<{ name: string }>;
    assert.equal(groups.length, 0);
    assert.match(ed.getState().problemsByPath.groups[0].message, /at least one device group/);
  });

  test('MQTT-only fields are not form fields of a WebSocket group', () => {
    const paths = editorFieldPaths({ groups: [{ protocol: 'ws' }, { protocol: 'mqtt' }] });
    assert.ok(!paths.includes('groups[0].mqtt.qos'));
    assert.ok(paths.includes('groups[1].mqtt.qos'));
    assert.ok(paths.includes('groups[0].ws.roomSize'));
    assert.ok(paths.includes('groups[0].reconnect.maxAttempts'));
    assert.ok(!paths.includes('groups[0].mqtt.client'), 'the MQTT client is an MQTT group field');
    assert.ok(paths.includes('groups[1].mqtt.client'));
    assert.ok(paths.includes('groups[0].urls') && paths.includes('groups[1].urls'), 'more URLs: every group');
  });

  test('the MQTT client and more URLs: typed, validated at their fields, cleared', () => {
    const ed = createEditorStore();
    ed.setPresets(presets);
    ed.choosePreset('seed-mqtt');
    const url = getIn(ed.getState().draft, 'groups[0].url') as string;
    assert.equal(url, 'embedded:mqtt');
    ed.setField('target', 'external');
    ed.setField('groups[0].url', 'mqtt://127.0.0.1:1883');
    ed.setField('groups[0].mqtt.client', 'mqtt.js');
    // What the "More URLs" field writes for "…:1884, ws://…:1885" (comma or space separated).
    ed.setField('groups[0].urls', parseList('mqtt://127.0.0.1:1884, ws://127.0.0.1:1885'));
    let s = ed.getState();
    assert.deepEqual(getIn(s.draft, 'groups[0].urls'), ['mqtt://127.0.0.1:1884', 'ws://127.0.0.1:1885']);
    assert.equal(s.problems.length, 1, s.problems.join('\n'));
    const [problem] = s.problemsByPath['groups[0].urls'];
    assert.equal(problem.path, 'groups[0].urls[1]', 'shown at the More URLs field');
    assert.equal(problem.message, 'expected a mqtt: URL like url ("mqtt://127.0.0.1:1883"), got "ws://127.0.0.1:1885"');

    ed.setField('groups[0].urls', parseList(' mqtt://127.0.0.1:1884  mqtt://127.0.0.1:1885 '));
    s = ed.getState();
    assert.deepEqual(s.problems, []);
    assert.equal(listText(getIn(s.draft, 'groups[0].urls')), 'mqtt://127.0.0.1:1884, mqtt://127.0.0.1:1885');
    const v = validateScenario(s.draft);
    assert.ok(v.ok);
    assert.equal(v.scenario.groups[0].mqtt.client, 'mqtt.js');
    assert.deepEqual(v.scenario.groups[0].urls, ['mqtt://127.0.0.1:1884', 'mqtt://127.0.0.1:1885']);

    ed.setField('groups[0].mqtt.client', 'paho');
    assert.match(ed.getState().problemsByPath['groups[0].mqtt.client'][0].message, /lean.*mqtt\.js/);
    ed.setField('groups[0].mqtt.client', 'lean');
    // An emptied field leaves the key out: no `urls: []` in the saved file.
    ed.setField('groups[0].urls', parseList('  '));
    s = ed.getState();
    assert.deepEqual(s.problems, []);
    assert.ok(!('urls' in (getIn(s.draft, 'groups[0]') as object)));
    assert.equal(listText('mqtt://a'), undefined, 'a bad value from a file is shown as is');
  });
});

describe('scenario files and the running scenario', () => {
  test('YAML and JSON both load; the draft saves as YAML that loads back', () => {
    const json = parseScenarioText(JSON.stringify(PRESETS.demo), 'demo.json');
    assert.ok(json.ok);
    const yaml = parseScenarioText(scenarioToYaml(PRESETS.demo), 'demo.yaml');
    assert.ok(yaml.ok && json.ok);
    assert.deepEqual(yaml.scenario, json.scenario);
    const bad = parseScenarioText('name: [unclosed', 'bad.yaml');
    assert.ok(!bad.ok && bad.error.startsWith('bad.yaml: '));
    assert.ok(!parseScenarioText('- a\n- b').ok, 'a list is not a scenario');
  });

  test('the MQTT client and more URLs survive load and save; a scenario without them does not gain them', () => {
    const text = [
      'name: spread',
      'target: external',
      'groups:',
      '  - name: m',
      '    protocol: mqtt',
      '    url: mqtt://127.0.0.1:1883',
      '    urls: [mqtt://127.0.0.1:1884, mqtt://127.0.0.1:1885]',
      '    count: 300',
      '    mqtt: { client: mqtt.js, qos: 1 }',
      '  - name: w',
      '    protocol: ws',
      '    url: ws://127.0.0.1:8080/',
      '    urls: [ws://127.0.0.1:8081/]',
      '    count: 100',
    ].join('\n');
    const file = parseScenarioText(text, 'spread.yaml');
    assert.ok(file.ok);
    const ed = createEditorStore();
    ed.loadDraft(file.scenario, { kind: 'file', name: 'spread.yaml' });
    const { draft, problems } = ed.getState();
    assert.deepEqual(problems, []);
    // What the form shows.
    assert.equal(getIn(draft, 'groups[0].mqtt.client'), 'mqtt.js');
    assert.equal(listText(getIn(draft, 'groups[0].urls')), 'mqtt://127.0.0.1:1884, mqtt://127.0.0.1:1885');
    assert.equal(listText(getIn(draft, 'groups[1].urls')), 'ws://127.0.0.1:8081/');
    // What Save writes loads back as the same file.
    const saved = parseScenarioText(scenarioToYaml(draft), 'saved.yaml');
    assert.ok(saved.ok);
    assert.deepEqual(saved.scenario, file.scenario);
    // The running scenario (defaults filled in) comes back with them too.
    const v = validateScenario(file.scenario);
    assert.ok(v.ok);
    const running = scenarioToInput(v.scenario);
    assert.deepEqual(getIn(running, 'groups[0].urls'), ['mqtt://127.0.0.1:1884', 'mqtt://127.0.0.1:1885']);
    assert.equal(getIn(running, 'groups[0].mqtt.client'), 'mqtt.js');
    assert.deepEqual(getIn(running, 'groups[1].urls'), ['ws://127.0.0.1:8081/']);

    // Without them: neither the saved draft nor the running scenario's draft gains them.
    ed.setPresets(presets);
    ed.choosePreset('seed-mqtt');
    const plain = scenarioToYaml(ed.getState().draft);
    assert.doesNotMatch(plain, /client:|urls:/);
    const seed = validateScenario(structuredClone(PRESETS['seed-mqtt']));
    assert.ok(seed.ok);
    assert.equal(seed.scenario.groups[0].mqtt.client, 'lean');
    assert.doesNotMatch(scenarioToYaml(scenarioToInput(seed.scenario)), /client:|urls:/);
  });

  test('thresholds survive import, save and the running scenario; a bad one is a problem naming it', () => {
    const text = ['name: gated', 'groups:', '  - protocol: mqtt', '    url: embedded:mqtt', '    count: 10', 'thresholds:', '  - online >= 99.9%', '  - { check: "puback.p99 < 200ms", window: 10s }'].join('\n');
    const file = parseScenarioText(text, 'gated.yaml');
    assert.ok(file.ok);
    const ed = createEditorStore();
    ed.loadDraft(file.scenario, { kind: 'file', name: 'gated.yaml' });
    assert.deepEqual(ed.getState().problems, []);
    const saved = parseScenarioText(scenarioToYaml(ed.getState().draft), 'saved.yaml');
    assert.ok(saved.ok);
    assert.deepEqual(saved.scenario.thresholds, ['online >= 99.9%', { check: 'puback.p99 < 200ms', window: '10s' }]);
    const v = validateScenario(file.scenario);
    assert.ok(v.ok);
    assert.deepEqual(scenarioToInput(v.scenario).thresholds, ['online >= 99.9%', { check: 'puback.p99 < 200ms', window: '10s' }]);
    ed.loadDraft({ ...file.scenario, thresholds: ['online >= 99.9%', 'pubak.p99 < 1s'] }, { kind: 'file', name: 'typo.yaml' });
    assert.equal(ed.getState().problems.length, 1);
    assert.match(ed.getState().problems[0], /^thresholds\[1\]: unknown metric "pubak\.p99"/);
  });

  test('a running Scenario turns back into a draft that validates to the same scenario', () => {
    const withThresholds = { ...PRESETS['seed-mqtt'], thresholds: ['connack.p99 < 1s', { check: 'online >= 95%', window: '30s' }] };
    const withStorms = { ...PRESETS['seed-mqtt'], storms: [{ at: '20s', action: 'blip', for: '3s' }, { at: '30s', action: 'drop', percent: 10, mode: 'destroy' }] };
    const seed = PRESETS['seed-mqtt'];
    const withSpread = { ...seed, groups: seed.groups.map((g) => ({ ...g, url: 'embedded:mqtt', urls: ['embedded:mqtt'], mqtt: { ...g.mqtt, client: 'mqtt.js' } })) };
    for (const input of [...Object.values(PRESETS), withStorms, withSpread, withThresholds]) {
      const first = validateScenario(structuredClone(input));
      assert.ok(first.ok);
      const again = validateScenario(scenarioToInput(first.scenario));
      assert.ok(again.ok, again.ok ? '' : again.problems.join('\n'));
      assert.deepEqual(again.scenario, first.scenario, `${first.scenario.name} survives the round trip`);
    }
  });

  test('live timers carry over what the form does not edit (topics, ping)', () => {
    const run = demoScenario().groups[0];
    const timers = liveTimers(run, { heartbeat: { every: '5s', bytes: 40 }, status: 'off' });
    assert.deepEqual(timers.heartbeat, { every: '5s', bytes: 40, topic: 'devices/{id}/heartbeat', jitter: 1 });
    assert.equal(timers.status, 'off');
    assert.deepEqual(timers.ping, { every: '2m', jitter: 1 });
    const v = validateScenario({ target: 'external', groups: [{ protocol: 'mqtt', url: 'ws://127.0.0.1:1', count: 1, timers }] });
    assert.ok(v.ok);
    assert.equal(v.scenario.groups[0].timers.heartbeat?.every, 5000);
    assert.equal(v.scenario.groups[0].timers.ping?.every, 120_000);
    assert.equal(timersDiffer(run, { heartbeat: { every: '15000ms', bytes: 20 } }), false, 'the same interval written differently');
    assert.equal(timersDiffer(run, { heartbeat: { every: '10s' } }), true);
  });
});
