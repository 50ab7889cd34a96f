// The group's `backpressure` field: what it accepts and how it says what is wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScenarioInput } from '../../../src/contract/scenario.ts';
import { validateScenario } from '../../../src/contract/validate.ts';

const mqtt = { protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 1 } as const;
const ws = { protocol: 'ws', url: 'ws://127.0.0.1:8080/', count: 1 } as const;

function problems(group: Record<string, unknown>): string[] {
  const v = validateScenario({ target: 'external', groups: [group] } as unknown as ScenarioInput);
  return v.ok ? [] : v.problems;
}

test('backpressure is optional and absent by default', () => {
  const v = validateScenario({ target: 'external', groups: [mqtt] });
  assert.ok(v.ok);
  assert.equal(v.scenario.groups[0].backpressure, undefined);
});

test('every knob, as given', () => {
  const v = validateScenario({
    target: 'external',
    groups: [
      { ...mqtt, mqtt: { qos: 1 }, backpressure: { slowReader: { bytesPerSec: 0 }, inflight: 20, burst: 5 } },
      { ...ws, backpressure: { slowReader: { bytesPerSec: 1500.5 }, burst: 1 } },
      { ...ws, name: 'empty', backpressure: {} },
    ],
  });
  assert.ok(v.ok, !v.ok ? v.problems.join('; ') : '');
  assert.deepEqual(v.scenario.groups[0].backpressure, { slowReader: { bytesPerSec: 0 }, inflight: 20, burst: 5 });
  assert.deepEqual(v.scenario.groups[1].backpressure, { slowReader: { bytesPerSec: 1500.5 }, burst: 1 });
  assert.deepEqual(v.scenario.groups[2].backpressure, {});
});

test('clear messages for bad values', () => {
  const q1 = { ...mqtt, mqtt: { qos: 1 } };
  assert.deepEqual(problems({ ...q1, backpressure: { inflight: 0 } }), ['groups[0].backpressure.inflight: must be at least 1']);
  assert.deepEqual(problems({ ...q1, backpressure: { inflight: 2.5 } }), ['groups[0].backpressure.inflight: expected a whole number of messages']);
  assert.deepEqual(problems({ ...q1, backpressure: { inflight: '2' } }), ['groups[0].backpressure.inflight: expected a whole number of messages']);
  assert.deepEqual(problems({ ...q1, backpressure: { inflight: 70_000 } }), ['groups[0].backpressure.inflight: must be at most 65535 (MQTT has 65535 packet ids)']);
  assert.deepEqual(problems({ ...mqtt, backpressure: { burst: 0 } }), ['groups[0].backpressure.burst: must be at least 1']);
  assert.deepEqual(problems({ ...mqtt, backpressure: { burst: 5000 } }), ['groups[0].backpressure.burst: must be at most 1000']);
  assert.deepEqual(problems({ ...ws, backpressure: { slowReader: { bytesPerSec: -1 } } }), ['groups[0].backpressure.slowReader.bytesPerSec: must be 0 (stop reading) or more']);
  assert.deepEqual(problems({ ...ws, backpressure: { slowReader: {} } }), ['groups[0].backpressure.slowReader.bytesPerSec: expected bytes per second, a number (0 stops reading)']);
  assert.deepEqual(problems({ ...ws, backpressure: { slowReader: { bytesPerSec: 10, burst: 1 } } }), ['groups[0].backpressure.slowReader: unknown field "burst"']);
  assert.deepEqual(problems({ ...ws, backpressure: { window: 3 } }), ['groups[0].backpressure: unknown field "window"']);
});

test('inflight needs MQTT with QoS 1', () => {
  assert.deepEqual(problems({ ...mqtt, backpressure: { inflight: 2 } }), ['groups[0].backpressure.inflight: needs mqtt.qos: 1 (QoS 0 PUBLISHes are never acknowledged)']);
  assert.deepEqual(problems({ ...ws, backpressure: { inflight: 2 } }), ['groups[0].backpressure.inflight: needs protocol mqtt (it limits unacknowledged QoS 1 PUBLISHes)']);
});
