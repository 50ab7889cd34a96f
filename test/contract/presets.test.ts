// Built-in scenarios: each must validate, and seed-mqtt must be the seed device model.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPresetName, PRESET_DESCRIPTIONS, PRESETS, type PresetName } from '../../src/contract/presets.ts';
import type { Scenario } from '../../src/contract/scenario.ts';
import { validateScenario } from '../../src/contract/validate.ts';

function preset(name: PresetName): Scenario {
  const result = validateScenario(PRESETS[name]);
  if (!result.ok) assert.fail(`preset ${name} does not validate:\n${result.problems.join('\n')}`);
  return result.scenario;
}

const names = Object.keys(PRESETS) as PresetName[];

describe('presets', () => {
  test('there are presets, and each one validates', () => {
    assert.ok(names.length >= 3);
    for (const name of names) assert.equal(validateScenario(PRESETS[name]).ok, true, name);
  });

  test('each preset is named after its key and targets the embedded target', () => {
    for (const name of names) {
      const s = preset(name);
      assert.equal(s.name, name);
      assert.equal(s.target, 'embedded');
      for (const g of s.groups) assert.match(g.url, /^embedded:/, `${name}/${g.name}`);
    }
  });

  test('seed-mqtt is the seed device model: 20 B / 15 s, 500 B / 60 s, ping / 120 s, QoS 1', () => {
    const s = preset('seed-mqtt');
    assert.equal(s.duration, 60_000);
    assert.equal(s.groups.length, 1);
    const [g] = s.groups;
    assert.equal(g.protocol, 'mqtt');
    assert.equal(g.count, 2000);
    assert.equal(g.clientId, 'dev-{index}');
    assert.equal(g.mqtt.qos, 1);
    assert.equal(g.mqtt.version, 4);
    assert.deepEqual(g.timers, {
      heartbeat: { every: 15_000, bytes: 20, topic: 'devices/{id}/heartbeat', payload: undefined, jitter: 1 },
      status: { every: 60_000, bytes: 500, topic: 'devices/{id}/status', payload: undefined, jitter: 1 },
      ping: { every: 120_000, jitter: 1 },
    });
    assert.deepEqual(g.reconnect, { policy: 'exponential', base: 1000, cap: 60_000, jitter: 'full', maxAttempts: 0 });
  });

  test('seed-mqtt timers equal the schema defaults for an MQTT group', () => {
    const seed = preset('seed-mqtt').groups[0].timers;
    const result = validateScenario({ groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 1 }] });
    assert.ok(result.ok);
    const defaults = result.scenario.groups[0].timers;
    assert.equal(seed.heartbeat?.every, defaults.heartbeat?.every);
    assert.equal(seed.heartbeat?.bytes, defaults.heartbeat?.bytes);
    assert.equal(seed.status?.every, defaults.status?.every);
    assert.equal(seed.status?.bytes, defaults.status?.bytes);
    assert.deepEqual(seed.ping, defaults.ping);
  });

  test('seed-ws-rooms broadcasts in rooms of 50 and pings every 30 s', () => {
    const [g] = preset('seed-ws-rooms').groups;
    assert.equal(g.protocol, 'ws');
    assert.equal(g.url, 'embedded:ws');
    assert.equal(g.ws.roomSize, 50);
    assert.equal(g.ws.send, 'broadcast');
    assert.equal(g.timers.ping?.every, 30_000);
    assert.equal(g.timers.heartbeat?.bytes, 64);
    assert.equal(g.timers.status?.bytes, 500);
  });

  test('demo is 1,000 MQTT and 200 WebSocket devices for 30 s', () => {
    const s = preset('demo');
    assert.equal(s.duration, 30_000);
    assert.deepEqual(
      s.groups.map((g) => [g.name, g.protocol, g.count]),
      [
        ['mqtt-sensors', 'mqtt', 1000],
        ['ws-rooms', 'ws', 200],
      ],
    );
    assert.equal(s.groups[1].ws.roomSize, 20);
    assert.equal(s.groups[1].ws.send, 'broadcast');
  });

  test('every preset has a description and isPresetName knows exactly the presets', () => {
    assert.deepEqual(Object.keys(PRESET_DESCRIPTIONS).sort(), [...names].sort());
    for (const name of names) {
      assert.equal(isPresetName(name), true);
      assert.ok(PRESET_DESCRIPTIONS[name].length > 0);
    }
    for (const name of ['', 'seed', 'toString', 'constructor', '__proto__', 'SEED-MQTT']) assert.equal(isPresetName(name), false, name);
  });
});
