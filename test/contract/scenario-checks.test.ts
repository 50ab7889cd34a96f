// Values that parse but cannot work are refused by validation, with the field path: URL hosts
// and ports, placeholders a template does not know, absurd sizes, header and subprotocol text
// the handshake would carry, topics a broker would refuse, source addresses of the wrong family.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateScenario } from '../../src/contract/validate.ts';

type Group = Record<string, unknown>;
const mqtt = (extra: Group = {}): Group => ({ protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 1, ...extra });
const ws = (extra: Group = {}): Group => ({ protocol: 'ws', url: 'ws://127.0.0.1:8080/', count: 1, ...extra });

function problems(group: Group, scenario: Record<string, unknown> = {}): string[] {
  const r = validateScenario({ target: 'external', groups: [group], ...scenario });
  return r.ok ? [] : r.problems;
}

/** Exactly one problem, at `path`, matching `message`. */
function refused(group: Group, path: string, message: RegExp, scenario: Record<string, unknown> = {}): void {
  const found = problems(group, scenario);
  assert.equal(found.length, 1, `${JSON.stringify(group).slice(0, 200)}: ${found.join(' | ') || 'accepted'}`);
  assert.ok(found[0].startsWith(`${path}: `), found[0]);
  assert.match(found[0], message);
}

const accepted = (group: Group, scenario: Record<string, unknown> = {}) => assert.deepEqual(problems(group, scenario), [], JSON.stringify(group).slice(0, 200));

describe('URLs', () => {
  test('port 0, a port over 65535, no host, spaces are refused at url and urls[i]', () => {
    refused(mqtt({ url: 'mqtt://127.0.0.1:0' }), 'groups[0].url', /port 0/);
    refused(mqtt({ url: 'mqtt://127.0.0.1:70000' }), 'groups[0].url', /port/);
    refused(mqtt({ url: 'mqtt://:1883' }), 'groups[0].url', /host/);
    refused(ws({ url: 'ws://exa mple.com/' }), 'groups[0].url', /space|white/);
    refused(ws({ url: 'ws://127.0.0.1:8080/a b' }), 'groups[0].url', /space|white/);
    refused(mqtt({ urls: ['mqtt://127.0.0.1:1884', 'mqtt://127.0.0.1:0'] }), 'groups[0].urls[1]', /port 0/);
  });

  test('placeholders: WebSocket URLs may use the device ones, MQTT URLs none, nobody unknown ones', () => {
    accepted(ws({ url: 'ws://127.0.0.1:8080/devices/{id}?room={room}' }));
    refused(ws({ url: 'ws://127.0.0.1:8080/devices/{idx}' }), 'groups[0].url', /\{idx\}/);
    refused(mqtt({ url: 'mqtt://127.0.0.1:1883/{id}' }), 'groups[0].url', /\{id\}/);
  });

  test('good URLs stay good', () => {
    accepted(mqtt({ url: 'mqtts://broker.local:8883' }));
    accepted(mqtt({ url: 'ws://[::1]:9001/mqtt' }));
    accepted(ws({ url: 'wss://example.com/socket' }));
  });
});

describe('templates', () => {
  test('an unknown placeholder is refused where it is written', () => {
    refused(mqtt({ clientId: 'dev-{idx}' }), 'groups[0].clientId', /unknown placeholder \{idx\}.*\{index\}/);
    refused(mqtt({ timers: { heartbeat: { every: '15s', topic: 'd/{idx}' } } }), 'groups[0].timers.heartbeat.topic', /\{idx\}/);
    refused(mqtt({ timers: { status: { every: '15s', payload: '{"n":"{idx}"}' } } }), 'groups[0].timers.status.payload', /\{idx\}/);
    refused(mqtt({ mqtt: { subscribe: ['a/{id}', 'b/{devid}'] } }), 'groups[0].mqtt.subscribe[1]', /\{devid\}/);
    refused(ws({ ws: { join: '{"type":"join","room":"{rom}"}' } }), 'groups[0].ws.join', /\{rom\}/);
  });

  test('a placeholder the field never gets is refused too', () => {
    refused(mqtt({ clientId: 'dev-{seq}' }), 'groups[0].clientId', /\{seq\}/);
    refused(mqtt({ timers: { heartbeat: { every: '15s', topic: 'd/{ts}' } } }), 'groups[0].timers.heartbeat.topic', /\{ts\}/);
  });

  test('known placeholders and JSON braces pass', () => {
    accepted(mqtt({ clientId: '{group}-{index}', mqtt: { subscribe: ['cmd/{id}/#'] }, timers: { heartbeat: { every: '15s', topic: 'd/{id}', payload: '{"id":"{id}","seq":{seq},"ts":{ts},"x":{}}' } } }));
    accepted(ws({ ws: { join: '{"type":"join","room":"{room}"}', send: 'raw' }, timers: { heartbeat: { every: '15s', payload: '{room}:{seq}' } } }));
  });
});

describe('sizes', () => {
  test('a 10 MB topic, client id, payload template or header is refused with the limit', () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    refused(mqtt({ timers: { heartbeat: { every: '15s', topic: huge } } }), 'groups[0].timers.heartbeat.topic', /at most/);
    refused(mqtt({ clientId: huge }), 'groups[0].clientId', /at most/);
    refused(mqtt({ timers: { heartbeat: { every: '15s', payload: huge } } }), 'groups[0].timers.heartbeat.payload', /at most/);
    refused(ws({ ws: { headers: { 'x-big': huge } } }), 'groups[0].ws.headers.x-big', /at most/);
    refused(mqtt({ mqtt: { password: huge } }), 'groups[0].mqtt.password', /at most/);
    refused(mqtt({ url: `mqtt://${'h'.repeat(5000)}:1883` }), 'groups[0].url', /at most/);
  });

  test('lists are bounded', () => {
    refused(mqtt({ mqtt: { subscribe: Array.from({ length: 1000 }, (_, i) => `t/${i}`) } }), 'groups[0].mqtt.subscribe', /at most/);
    const r = validateScenario({ target: 'external', groups: Array.from({ length: 2000 }, (_, i) => mqtt({ name: `g${i}` })) });
    assert.ok(!r.ok && r.problems.some((p) => p.startsWith('groups: ') && /at most/.test(p)), r.ok ? 'accepted' : r.problems[0]);
  });
});

describe('what the handshake and the broker would refuse', () => {
  test('header names and values, subprotocols', () => {
    refused(ws({ ws: { headers: { 'x-a': 'ok\r\nInjected: 1' } } }), 'groups[0].ws.headers.x-a', /line break|control/);
    refused(ws({ ws: { headers: { 'bad name': 'v' } } }), 'groups[0].ws.headers', /"bad name"/);
    refused(ws({ ws: { subprotocol: 'a, b' } }), 'groups[0].ws.subprotocol', /token/);
    accepted(ws({ ws: { headers: { 'X-Token': 'abc def', Authorization: 'Bearer x.y' }, subprotocol: 'chat.v1' } }));
  });

  test('publish topics without wildcards, subscriptions with well-placed ones', () => {
    refused(mqtt({ timers: { heartbeat: { every: '15s', topic: 'd/+/x' } } }), 'groups[0].timers.heartbeat.topic', /wildcard/);
    refused(mqtt({ timers: { status: { every: '15s', topic: 'd/#' } } }), 'groups[0].timers.status.topic', /wildcard/);
    refused(mqtt({ mqtt: { subscribe: ['a/#/b'] } }), 'groups[0].mqtt.subscribe[0]', /#/);
    refused(mqtt({ mqtt: { subscribe: ['a/b+'] } }), 'groups[0].mqtt.subscribe[0]', /\+/);
    refused(mqtt({ timers: { heartbeat: { every: '15s', topic: 'a\u0000b' } } }), 'groups[0].timers.heartbeat.topic', /NUL|U\+0000/);
    accepted(mqtt({ mqtt: { subscribe: ['#', 'a/+/c', '+/+', 'a/b/#'] } }));
  });

  test('a source address of the other family than the target address', () => {
    refused(mqtt({ sourceAddresses: '::1' }), 'groups[0].sourceAddresses', /IPv6.*IPv4|family/);
    refused({ protocol: 'ws', url: 'embedded:ws', count: 1, sourceAddresses: ['127.0.0.1', '::1'] }, 'groups[0].sourceAddresses', /IPv6|family/, { target: 'embedded' });
    accepted(mqtt({ url: 'mqtt://[::1]:1883', sourceAddresses: '::1' }));
    accepted(mqtt({ url: 'mqtt://localhost:1883', sourceAddresses: '127.0.0.2' }));
  });
});
