// The scenario schema, exercised through validateScenario: defaults, durations, timers,
// URLs per protocol and the cross-field checks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Scenario } from '../../src/contract/scenario.ts';
import { validateScenario } from '../../src/contract/validate.ts';

function valid(input: unknown): Scenario {
  const result = validateScenario(input);
  if (!result.ok) assert.fail(`expected a valid scenario, got:\n${result.problems.join('\n')}`);
  return result.scenario;
}

function problems(input: unknown): string[] {
  const result = validateScenario(input);
  assert.equal(result.ok, false, 'expected the scenario to be rejected');
  return result.ok ? [] : result.problems;
}

const mqttGroup = { protocol: 'mqtt', url: 'embedded:mqtt', count: 10 } as const;
const wsGroup = { protocol: 'ws', url: 'embedded:ws', count: 10 } as const;

describe('scenario defaults', () => {
  test('a minimal scenario gets every top-level default', () => {
    const s = valid({ groups: [mqttGroup] });
    assert.equal(s.name, 'run');
    assert.equal(s.target, 'embedded');
    assert.equal(s.duration, 30_000);
    assert.equal(s.ramp, 500);
    assert.equal(s.hosts, 'auto');
    assert.equal(s.logRing, 200);
    assert.equal(s.groups.length, 1);
  });

  test('a minimal MQTT group gets the seed device model and default options', () => {
    const [g] = valid({ groups: [mqttGroup] }).groups;
    assert.equal(g.name, 'group-0');
    assert.equal(g.clientId, 'dev-{index}');
    assert.deepEqual(g.timers, {
      heartbeat: { every: 15_000, bytes: 20, topic: 'devices/{id}/heartbeat', jitter: 1 },
      status: { every: 60_000, bytes: 500, topic: 'devices/{id}/status', jitter: 1 },
      ping: { every: 120_000, jitter: 1 },
    });
    assert.deepEqual(g.mqtt, { version: 4, clean: true, qos: 0, subscribe: [], connectTimeout: 30_000, client: 'lean' });
    assert.deepEqual(g.reconnect, { policy: 'exponential', base: 1000, cap: 60_000, jitter: 'full', maxAttempts: 0 });
    assert.equal(g.tls, undefined);
  });

  test('a WebSocket group pings every 30 s by default and gets ws defaults', () => {
    const [g] = valid({ groups: [wsGroup] }).groups;
    assert.deepEqual(g.timers.ping, { every: 30_000, jitter: 1 });
    assert.equal(g.timers.heartbeat?.every, 15_000);
    assert.deepEqual(g.ws, { headers: {}, roomSize: 50, send: 'echo', handshakeTimeout: 30_000 });
  });

  test('unnamed groups are named by position, named ones keep their name', () => {
    const s = valid({ groups: [mqttGroup, { ...wsGroup, name: 'rooms' }, mqttGroup] });
    assert.deepEqual(s.groups.map((g) => g.name), ['group-0', 'rooms', 'group-2']);
  });

  test('a partly written timer keeps what is written and fills the rest from the seed model', () => {
    const [g] = valid({
      groups: [{ ...mqttGroup, timers: { heartbeat: { every: '5s' }, status: { every: '2m', bytes: 64, topic: 't/{id}', payload: '{"s":{seq}}', jitter: 0.25 } } }],
    }).groups;
    assert.deepEqual(g.timers.heartbeat, { every: 5000, bytes: 20, topic: 'devices/{id}/heartbeat', payload: undefined, jitter: 1 });
    assert.deepEqual(g.timers.status, { every: 120_000, bytes: 64, topic: 't/{id}', payload: '{"s":{seq}}', jitter: 0.25 });
    assert.deepEqual(g.timers.ping, { every: 120_000, jitter: 1 });
  });

  test('"off" disables a timer (null), the others keep their defaults', () => {
    const [g] = valid({ groups: [{ ...mqttGroup, timers: { heartbeat: 'off', ping: 'off' } }] }).groups;
    assert.equal(g.timers.heartbeat, null);
    assert.equal(g.timers.ping, null);
    assert.equal(g.timers.status?.every, 60_000);
    const [w] = valid({ groups: [{ ...wsGroup, timers: { status: 'off' } }] }).groups;
    assert.equal(w.timers.status, null);
    assert.equal(w.timers.ping?.every, 30_000);
  });
});

describe('durations', () => {
  test('are parsed to milliseconds wherever they appear', () => {
    const s = valid({
      duration: '2m',
      groups: [
        {
          ...mqttGroup,
          mqtt: { connectTimeout: '500ms' },
          timers: { heartbeat: { every: '1.5s' }, ping: { every: '1h' } },
          reconnect: { base: '250ms', cap: '30s' },
        },
        { ...wsGroup, ws: { handshakeTimeout: '10s' } },
      ],
    });
    assert.equal(s.duration, 120_000);
    assert.equal(s.groups[0].mqtt.connectTimeout, 500);
    assert.equal(s.groups[0].timers.heartbeat?.every, 1500);
    assert.equal(s.groups[0].timers.ping?.every, 3_600_000);
    assert.equal(s.groups[0].reconnect.base, 250);
    assert.equal(s.groups[0].reconnect.cap, 30_000);
    assert.equal(s.groups[1].ws.handshakeTimeout, 10_000);
  });

  test('a duration without a unit (or a bare number) is rejected at its path', () => {
    const line = 'groups[0].timers.heartbeat.every: expected a duration like "15s" (units: ms, s, m, h)';
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { heartbeat: { every: '15' } } }] }), [line]);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { heartbeat: { every: 15_000 } } }] }), [line]);
    assert.deepEqual(problems({ duration: 60, groups: [mqttGroup] }), ['duration: expected a duration like "15s" (units: ms, s, m, h)']);
  });

  test('minimums are enforced with the value in the message', () => {
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { status: { every: '50ms' } } }] }), [
      'groups[0].timers.status.every: must be at least 100 ms, got "50ms"',
    ]);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { ping: { every: '999ms' } } }] }), [
      'groups[0].timers.ping.every: must be at least 1000 ms, got "999ms"',
    ]);
    assert.deepEqual(problems({ duration: '500ms', groups: [mqttGroup] }), ['duration: must be at least 1000 ms, got "500ms"']);
    // Exactly the minimum is fine.
    assert.equal(valid({ duration: '1s', groups: [{ ...mqttGroup, timers: { heartbeat: { every: '100ms' }, ping: { every: '1s' } } }] }).duration, 1000);
  });

  test('MQTT keepalive (ping) is capped at 65535 s, WebSocket ping is not', () => {
    assert.equal(valid({ groups: [{ ...mqttGroup, timers: { ping: { every: '65535s' } } }] }).groups[0].timers.ping?.every, 65_535_000);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { ping: { every: '65536s' } } }] }), [
      'groups[0].timers.ping.every: MQTT keepalive is at most 65535s',
    ]);
    assert.equal(valid({ groups: [{ ...wsGroup, timers: { ping: { every: '20h' } } }] }).groups[0].timers.ping?.every, 72_000_000);
  });
});

describe('mqtt options', () => {
  test('version "5" and 5 map to 5; "3.1.1" and 4 map to 4', () => {
    const version = (v: unknown) => valid({ groups: [{ ...mqttGroup, url: 'mqtt://broker:1883', mqtt: { version: v } }] }).groups[0].mqtt.version;
    assert.equal(version('5'), 5);
    assert.equal(version(5), 5);
    assert.equal(version('3.1.1'), 4);
    assert.equal(version(4), 4);
  });

  test('MQTT 5 is refused against the embedded broker, at mqtt.version', () => {
    for (const url of ['embedded:mqtt', 'embedded:mqtt-ws']) {
      const lines = problems({ groups: [{ ...mqttGroup, url, mqtt: { version: '5' } }] });
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^groups\[0\]\.mqtt\.version: /);
    }
  });

  test('other versions and QoS values are rejected', () => {
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, mqtt: { version: '3' } }] }), ['groups[0].mqtt.version: expected "3.1.1" or 5']);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, mqtt: { qos: 2 } }] }), ['groups[0].mqtt.qos: expected 0 or 1']);
  });

  test('qos, clean, credentials and subscriptions pass through', () => {
    const [g] = valid({ groups: [{ ...mqttGroup, mqtt: { qos: 1, clean: false, username: 'u', password: 'p', subscribe: ['cmd/{id}'] } }] }).groups;
    assert.equal(g.mqtt.qos, 1);
    assert.equal(g.mqtt.clean, false);
    assert.equal(g.mqtt.username, 'u');
    assert.equal(g.mqtt.password, 'p');
    assert.deepEqual(g.mqtt.subscribe, ['cmd/{id}']);
  });
});

describe('unknown fields', () => {
  test('are reported with their path at every level', () => {
    assert.deepEqual(problems({ groups: [mqttGroup], extra: 1 }), ['(scenario): unknown field "extra"']);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, colour: 'red' }] }), ['groups[0]: unknown field "colour"']);
    assert.deepEqual(problems({ groups: [mqttGroup, { ...wsGroup, ws: { rooms: 3 } }] }), ['groups[1].ws: unknown field "rooms"']);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { heartbeat: { every: '1s', size: 3 } } }] }), [
      'groups[0].timers.heartbeat: unknown field "size"',
    ]);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { ping: { every: '10s', bytes: 3 } } }] }), [
      'groups[0].timers.ping: unknown field "bytes"',
    ]);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { keepalive: { every: '10s' } } }] }), [
      'groups[0].timers: unknown field "keepalive"',
    ]);
  });

  test('several unknown fields in one object are listed on one line', () => {
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, reconnect: { retries: 3, delay: '1s' } }] }), [
      'groups[0].reconnect: unknown fields "retries", "delay"',
    ]);
  });
});

describe('urls', () => {
  const mqttExpected = 'mqtt://, mqtts://, ws://, wss:// or embedded:mqtt / embedded:mqtt-ws / embedded:mqtts / embedded:mqtt-wss';

  test('MQTT accepts broker schemes and the embedded MQTT urls', () => {
    for (const url of ['mqtt://broker:1883', 'mqtts://broker', 'tcp://10.0.0.1:1883', 'ssl://b', 'ws://b/mqtt', 'wss://b:443/mqtt', 'embedded:mqtt', 'embedded:mqtt-ws']) {
      assert.equal(valid({ groups: [{ ...mqttGroup, url }] }).groups[0].url, url);
    }
  });

  test('WebSocket accepts ws://, wss:// and embedded:ws', () => {
    for (const url of ['ws://127.0.0.1:8080/', 'wss://gw.example.com/socket', 'embedded:ws']) {
      assert.equal(valid({ groups: [{ ...wsGroup, url }] }).groups[0].url, url);
    }
  });

  test('a url that does not fit the protocol is reported at groups[i].url', () => {
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, url: 'http://broker:1883' }] }), [
      `groups[0].url: expected ${mqttExpected} for protocol mqtt, got "http://broker:1883"`,
    ]);
    assert.deepEqual(problems({ groups: [mqttGroup, { ...wsGroup, url: 'mqtt://broker' }] }), [
      'groups[1].url: expected ws://, wss:// or embedded:ws / embedded:wss for protocol ws, got "mqtt://broker"',
    ]);
    assert.deepEqual(problems({ groups: [{ ...wsGroup, url: 'embedded:mqtt' }] }), [
      'groups[0].url: expected ws://, wss:// or embedded:ws / embedded:wss for protocol ws, got "embedded:mqtt"',
    ]);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, url: 'embedded:ws' }] }), [
      `groups[0].url: expected ${mqttExpected} for protocol mqtt, got "embedded:ws"`,
    ]);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, url: 'mqtt://' }] }), [`groups[0].url: expected ${mqttExpected} for protocol mqtt, got "mqtt://"`]);
  });

  test('embedded: urls need target embedded', () => {
    assert.deepEqual(problems({ target: 'external', groups: [{ ...mqttGroup, url: 'mqtt://broker' }, wsGroup] }), [
      'groups[1].url: embedded:ws needs target: embedded',
    ]);
    assert.equal(valid({ target: 'external', groups: [{ ...mqttGroup, url: 'mqtt://broker' }] }).target, 'external');
    // An embedded target may also be given external urls.
    assert.equal(valid({ target: 'embedded', groups: [{ ...mqttGroup, url: 'mqtt://broker' }] }).groups[0].url, 'mqtt://broker');
  });
});

describe('cross-field checks', () => {
  test('duplicate group names are reported at the later group', () => {
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, name: 'a' }, { ...wsGroup, name: 'b' }, { ...mqttGroup, name: 'a' }] }), [
      'groups[2].name: duplicate group name "a"',
    ]);
  });

  test('an explicit name that equals a default name is a duplicate', () => {
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, name: 'group-1' }, mqttGroup] }), ['groups[1].name: duplicate group name "group-1"']);
  });

  test('reconnect cap below base is reported at reconnect.cap', () => {
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, reconnect: { base: '10s', cap: '5s' } }] }), [
      'groups[0].reconnect.cap: must be at least reconnect.base',
    ]);
    // The default cap (60 s) counts too.
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, reconnect: { base: '2m' } }] }), ['groups[0].reconnect.cap: must be at least reconnect.base']);
    const [g] = valid({ groups: [{ ...mqttGroup, reconnect: { policy: 'fixed', base: '5s', cap: '5s', jitter: 'none', maxAttempts: 3 } }] }).groups;
    assert.deepEqual(g.reconnect, { policy: 'fixed', base: 5000, cap: 5000, jitter: 'none', maxAttempts: 3 });
  });
});

describe('other field checks', () => {
  test('groups must be a non-empty list', () => {
    assert.deepEqual(problems({ groups: [] }), ['groups: needs at least one device group']);
    assert.equal(problems({}).length, 1);
    assert.match(problems({})[0], /^groups: /);
  });

  test('names use a restricted alphabet', () => {
    const msg = 'use letters, digits, "_", "." or "-"';
    assert.deepEqual(problems({ name: 'my run', groups: [mqttGroup] }), [`name: ${msg}`]);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, name: 'a/b' }] }), [`groups[0].name: ${msg}`]);
    assert.equal(valid({ name: 'Run_1.a-b', groups: [mqttGroup] }).name, 'Run_1.a-b');
  });

  test('hosts is "auto" or a whole number from 1 to 256', () => {
    assert.equal(valid({ hosts: 4, groups: [mqttGroup] }).hosts, 4);
    assert.equal(valid({ hosts: 256, groups: [mqttGroup] }).hosts, 256);
    const msg = 'hosts: expected "auto" or a whole number from 1 to 256';
    for (const hosts of [1.5, 'four', null]) assert.deepEqual(problems({ hosts, groups: [mqttGroup] }), [msg], String(hosts));
    for (const hosts of [0, 257]) {
      const lines = problems({ hosts, groups: [mqttGroup] });
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^hosts: /);
    }
  });

  test('count must be a whole number of at least 1', () => {
    assert.equal(problems({ groups: [{ ...mqttGroup, count: 0 }] }).length, 1);
    assert.match(problems({ groups: [{ ...mqttGroup, count: 0 }] })[0], /^groups\[0\]\.count: /);
    assert.match(problems({ groups: [{ ...mqttGroup, count: 2.5 }] })[0], /^groups\[0\]\.count: /);
  });

  test('empty templates are rejected', () => {
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, clientId: '' }] }), ['groups[0].clientId: must not be empty']);
    assert.deepEqual(problems({ groups: [{ ...mqttGroup, timers: { heartbeat: { every: '1s', topic: '' } } }] }), [
      'groups[0].timers.heartbeat.topic: must not be empty',
    ]);
  });

  test('timer jitter must lie in [0, 1]', () => {
    assert.equal(valid({ groups: [{ ...mqttGroup, timers: { ping: { every: '10s', jitter: 0 } } }] }).groups[0].timers.ping?.jitter, 0);
    assert.match(problems({ groups: [{ ...mqttGroup, timers: { heartbeat: { every: '1s', jitter: 1.5 } } }] })[0], /^groups\[0\]\.timers\.heartbeat\.jitter: /);
  });

  test('tls settings get rejectUnauthorized: true by default', () => {
    const [g] = valid({ groups: [{ ...mqttGroup, url: 'mqtts://b', tls: { ca: 'ca.pem', servername: 'b.example' } }] }).groups;
    assert.deepEqual(g.tls, { ca: 'ca.pem', rejectUnauthorized: true, servername: 'b.example', sessionResumption: false });
  });
});

test('urls spread a group over more targets of the same kind; the client is lean or mqtt.js', () => {
  const base = { protocol: 'mqtt' as const, url: 'mqtt://127.0.0.1:1883', count: 4 };
  const ok = validateScenario({ target: 'external', groups: [{ ...base, urls: ['mqtt://127.0.0.1:1884'], mqtt: { client: 'mqtt.js' } }] });
  assert.ok(ok.ok);
  assert.deepEqual(ok.scenario.groups[0].urls, ['mqtt://127.0.0.1:1884']);
  assert.equal(ok.scenario.groups[0].mqtt.client, 'mqtt.js');
  const mixed = validateScenario({ target: 'external', groups: [{ ...base, urls: ['mqtts://127.0.0.1:8883'] }] });
  assert.ok(!mixed.ok);
  assert.match(mixed.problems.join('\n'), /groups\[0\]\.urls\[0\]: expected a mqtt: URL like url/);
  const badClient = validateScenario({ target: 'external', groups: [{ ...base, mqtt: { client: 'paho' } }] });
  assert.ok(!badClient.ok);
  assert.match(badClient.problems.join('\n'), /mqtt\.client/);
});
