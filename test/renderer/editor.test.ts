// The scenario editor's model: paths, problems next to fields, live validation, live timers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PRESETS } from '../../src/contract/presets.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { assignProblems, getIn, parsePath, setIn, splitProblem } from '../../renderer/lib/paths.ts';
import { parseScenarioText, scenarioToYaml } from '../../renderer/lib/scenario-io.ts';
import { editorFieldPaths, liveTimers, scenarioToInput, timersDiffer } from '../../renderer/state/editor-model.ts';
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

  test('a running Scenario turns back into a draft that validates to the same scenario', () => {
    const withStorms = { ...PRESETS['seed-mqtt'], storms: [{ at: '20s', action: 'blip', for: '3s' }, { at: '30s', action: 'drop', percent: 10, mode: 'destroy' }] };
    for (const input of [...Object.values(PRESETS), withStorms]) {
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
