// validateScenario's result shape and how problems are turned into lines.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPath, validateScenario } from '../../src/contract/validate.ts';

describe('formatPath', () => {
  test('joins keys with dots and indexes with brackets', () => {
    assert.equal(formatPath(['groups', 0, 'timers', 'heartbeat', 'every']), 'groups[0].timers.heartbeat.every');
    assert.equal(formatPath(['groups', 12]), 'groups[12]');
    assert.equal(formatPath(['duration']), 'duration');
    assert.equal(formatPath(['ws', 'headers', 'x-token']), 'ws.headers.x-token');
  });

  test('an empty path names the scenario itself', () => {
    assert.equal(formatPath([]), '(scenario)');
  });
});

describe('validateScenario', () => {
  test('returns ok with the parsed scenario', () => {
    const result = validateScenario({ name: 'x', groups: [{ protocol: 'ws', url: 'embedded:ws', count: 3 }] });
    assert.equal(result.ok, true);
    assert.ok(result.ok);
    assert.equal(result.scenario.name, 'x');
    assert.equal(result.scenario.groups[0].count, 3);
    assert.equal('problems' in result, false);
  });

  test('input that is not an object is one problem about the whole scenario', () => {
    for (const input of [null, 'groups: []', 42, []]) {
      const result = validateScenario(input);
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.problems.length, 1, JSON.stringify(input));
      assert.match(result.problems[0], /^\(scenario\): /);
    }
  });

  test('reports several problems at once, one line each, in document order', () => {
    const result = validateScenario({
      extra: 2,
      groups: [
        { protocol: 'mqtt', url: 'embedded:mqtt', count: 5, bogus: 1, timers: { heartbeat: { every: '15' } } },
        { protocol: 'ws', url: 'embedded:ws', count: 1, reconnect: { base: '10s', cap: '1s' } },
      ],
    });
    assert.deepEqual(result, {
      ok: false,
      problems: [
        'groups[0].timers.heartbeat.every: expected a duration like "15s" (units: ms, s, m, h)',
        'groups[0]: unknown field "bogus"',
        'groups[1].reconnect.cap: must be at least reconnect.base',
        '(scenario): unknown field "extra"',
      ],
    });
  });

  test('cross-field problems of different groups are all reported', () => {
    const result = validateScenario({
      target: 'external',
      groups: [
        { protocol: 'mqtt', url: 'http://broker', count: 1 },
        { protocol: 'ws', url: 'embedded:ws', count: 1, reconnect: { base: '10s', cap: '1s' } },
        { name: 'group-1', protocol: 'ws', url: 'ws://gw', count: 1 },
      ],
    });
    assert.deepEqual(result, {
      ok: false,
      problems: [
        'groups[0].url: expected mqtt://, mqtts://, ws://, wss:// or embedded:mqtt / embedded:mqtt-ws / embedded:mqtts / embedded:mqtt-wss for protocol mqtt, got "http://broker"',
        'groups[1].reconnect.cap: must be at least reconnect.base',
        'groups[1].url: embedded:ws needs target: embedded',
        'groups[2].name: duplicate group name "group-1"',
      ],
    });
  });

  test('every embedded url under an external target and every duplicate name is reported', () => {
    const result = validateScenario({
      target: 'external',
      groups: [
        { name: 'a', protocol: 'mqtt', url: 'embedded:mqtt', count: 1 },
        { name: 'b', protocol: 'ws', url: 'embedded:ws', count: 1 },
        { name: 'a', protocol: 'ws', url: 'ws://gw', count: 1 },
      ],
    });
    assert.deepEqual(result, {
      ok: false,
      problems: [
        'groups[0].url: embedded:mqtt needs target: embedded',
        'groups[1].url: embedded:ws needs target: embedded',
        'groups[2].name: duplicate group name "a"',
      ],
    });
  });
});
