// fast-check generators of scenarios for the validation fuzzers: mostly well-formed ones with
// one or a few fields broken (random JSON, huge or unicode strings, prototype keys, deep
// nesting, values that parse but cannot work), so the validator's every branch gets reached.
import fc from 'fast-check';

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** An array nested `depth` levels deep (what a hostile YAML or JSON file can hold). */
const deep = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const hugeString = fc.constantFrom('x'.repeat(5 * 1024 * 1024), '{'.repeat(100_000), '\u{1F600}'.repeat(200_000), 'a/'.repeat(300_000));

/** Any JSON-ish value, prototype keys included, sometimes huge or deep. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 3000 }).map(deep) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -0, 1e308, -1, 0, 2 ** 53 + 1, null, true, [], {}) },
);

const host = fc.constantFrom('127.0.0.1', 'localhost', '[::1]', '', ' ', 'exa mple', '127.0.0.1.', 'h'.repeat(300), 'ünïcode.example');
const port = fc.oneof(fc.constantFrom('', ':0', ':1', ':1883', ':65535', ':65536', ':99999999', ':-1', ':abc', ':'), fc.integer({ min: 0, max: 70_000 }).map((n) => `:${n}`));
const path = fc.constantFrom('', '/', '/mqtt', '/{id}', '/{idx}', '/a b', '/?x={room}', '#frag');
const scheme = fc.constantFrom('mqtt', 'mqtts', 'ws', 'wss', 'tcp', 'http', 'embedded');
const url = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(scheme, host, port, path).map(([s, h, p, pa]) => (s === 'embedded' ? 'embedded:mqtt' : `${s}://${h}${p}${pa}`)) },
  { weight: 1, arbitrary: fc.constantFrom('embedded:mqtt', 'embedded:ws', 'embedded:mqtt-ws', 'embedded:nope') },
);

/** Template text: known and unknown placeholders, JSON braces, wildcards, NUL, unicode. */
const template = fc
  .array(fc.oneof(fc.constantFrom('{id}', '{index}', '{group}', '{room}', '{seq}', '{ts}', '{idx}', '{', '}', '{}', '{"a":1}', '+', '#', '/', '\u0000', '\r\n', ' '), fc.string({ maxLength: 6 })), { maxLength: 6 })
  .map((parts) => parts.join(''));

const duration = fc.oneof(fc.constantFrom('1s', '15s', '100ms', '0s', '99ms', '1h', 'off', '', '15', '-1s', '1e9s'), junk);
const timer = fc.oneof(
  fc.constant('off'),
  fc.record({ every: duration, bytes: fc.oneof(fc.integer({ min: -1, max: 2_000_000 }), junk), topic: template, payload: template, jitter: fc.double({ min: -1, max: 2, noNaN: false }) }, { requiredKeys: ['every'] }),
  junk,
);

const group = fc.record(
  {
    name: fc.oneof(fc.constantFrom('g', 'a.b_c-d', 'bad name', ''), junk),
    protocol: fc.oneof(fc.constantFrom('mqtt', 'ws'), junk),
    url,
    urls: fc.array(url, { maxLength: 3 }),
    count: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -2, max: 6_000_000 }), junk) }),
    clientId: template,
    mqtt: fc.record({ version: fc.constantFrom('3.1.1', '5', 4, 5, 3), qos: fc.constantFrom(0, 1, 2), clean: fc.boolean(), subscribe: fc.array(template, { maxLength: 3 }), password: fc.string({ maxLength: 8 }), client: fc.constantFrom('lean', 'mqtt.js', 'x') }, { requiredKeys: [] }),
    ws: fc.record({ subprotocol: fc.constantFrom('mqtt', 'chat.v1', 'a b', 'a,b', ''), headers: fc.dictionary(fc.constantFrom('x-a', 'Host', 'bad name', '__proto__', 'X-Token'), fc.constantFrom('v', 'a\r\nb', '', 'ü')), join: template, send: fc.constantFrom('echo', 'broadcast', 'raw', 'nope'), roomSize: fc.integer({ min: -1, max: 100 }) }, { requiredKeys: [] }),
    sourceAddresses: fc.oneof(fc.constantFrom('127.0.0.2', '127.0.0.1-127.0.0.4', '::1', '10.1.1.1-10.1.1.0', '1.2.3.4-1.2.255.255', 'x'), fc.array(fc.constantFrom('127.0.0.3', '::1', '300.1.1.1'), { maxLength: 3 })),
    timers: fc.record({ heartbeat: timer, status: timer, ping: fc.oneof(fc.constant('off'), fc.record({ every: duration })) }, { requiredKeys: [] }),
    reconnect: fc.record({ policy: fc.constantFrom('none', 'fixed', 'exponential', 'x'), base: duration, cap: duration, maxAttempts: fc.integer({ min: -1, max: 5 }) }, { requiredKeys: [] }),
    maxMessageBytes: fc.oneof(fc.integer({ min: 0, max: 300 * 1024 * 1024 }), junk),
    [PROTO_KEYS[0]]: junk,
  },
  { requiredKeys: ['protocol', 'url', 'count'] },
);

const wildScenario = fc.record(
  {
    name: fc.oneof(fc.constantFrom('run', 'fuzz'), junk),
    target: fc.constantFrom('embedded', 'external', 'other'),
    duration,
    ramp: fc.oneof(fc.integer({ min: -1, max: 1000 }), junk),
    hosts: fc.oneof(fc.constantFrom('auto', 1, 2, 0, 257), junk),
    groups: fc.oneof({ weight: 6, arbitrary: fc.array(group, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: junk }),
    storms: fc.oneof(fc.constant([]), fc.array(junk, { maxLength: 2 })),
    embedded: fc.oneof(fc.constant({}), junk),
    extra: junk,
  },
  { requiredKeys: ['groups'] },
);

/** A scenario that validates: the base the mutations below break. */
const validGroup = fc.oneof(
  fc.record({
    protocol: fc.constant('mqtt'),
    url: fc.constantFrom('mqtt://127.0.0.1:1883', 'embedded:mqtt', 'ws://[::1]:9001/mqtt', 'mqtts://broker.example:8883'),
    count: fc.integer({ min: 1, max: 3 }),
    clientId: fc.constantFrom('dev-{index}', '{group}-{index}', 'ü-{index}'),
    mqtt: fc.record({ qos: fc.constantFrom(0, 1), subscribe: fc.constantFrom([], ['cmd/{id}/#'], ['+/x']) }),
    timers: fc.record({ heartbeat: fc.record({ every: fc.constantFrom('1s', '15s'), topic: fc.constantFrom('d/{id}', 'd/{group}/{index}'), payload: fc.constantFrom('{"s":{seq},"t":{ts}}', 'x') }) }),
  }),
  fc.record({
    protocol: fc.constant('ws'),
    url: fc.constantFrom('ws://127.0.0.1:8080/', 'embedded:ws', 'ws://localhost:1/d/{id}?r={room}'),
    count: fc.integer({ min: 1, max: 3 }),
    ws: fc.record({ send: fc.constantFrom('echo', 'broadcast', 'raw'), headers: fc.constantFrom({}, { 'X-Token': 'a b' }), join: fc.constantFrom('{"type":"join","room":"{room}"}') }, { requiredKeys: ['send'] }),
  }),
);
const validScenario = fc.record({ duration: fc.constantFrom('5s', '30s'), groups: fc.array(validGroup, { minLength: 1, maxLength: 3 }) }).map((s) => ({
  ...s,
  target: s.groups.some((g) => g.url.startsWith('embedded:')) ? 'embedded' : 'external',
  groups: s.groups.map((g, i) => ({ ...g, name: `g${i}` })),
}));

/** Where a mutation lands: top-level fields, group fields, nested options, prototype keys. */
const mutationPath = fc.constantFrom<Array<string | number>>(
  ['name'], ['duration'], ['ramp'], ['hosts'], ['storms'], ['embedded'], ['extra'], ['__proto__'], ['constructor'],
  ['groups'], ['groups', 0], ['groups', 0, 'url'], ['groups', 0, 'urls'], ['groups', 0, 'count'], ['groups', 0, 'clientId'], ['groups', 0, 'protocol'],
  ['groups', 0, 'timers', 'heartbeat', 'topic'], ['groups', 0, 'timers', 'heartbeat', 'payload'], ['groups', 0, 'timers', 'heartbeat', 'every'], ['groups', 0, 'timers', 'status'],
  ['groups', 0, 'mqtt', 'subscribe'], ['groups', 0, 'mqtt', 'subscribe', 0], ['groups', 0, 'mqtt', 'password'], ['groups', 0, 'ws', 'headers'], ['groups', 0, 'ws', 'headers', 'x-h'],
  ['groups', 0, 'ws', 'join'], ['groups', 0, 'ws', 'subprotocol'], ['groups', 0, 'sourceAddresses'], ['groups', 0, 'maxMessageBytes'], ['groups', 0, 'reconnect'], ['groups', 0, '__proto__'], ['groups', 1, 'name'],
);
const mutationValue = fc.oneof({ weight: 3, arbitrary: junk }, { weight: 2, arbitrary: template }, { weight: 2, arbitrary: url }, { weight: 1, arbitrary: hugeString });

function setAt(target: Record<string | number, unknown>, path: Array<string | number>, value: unknown): void {
  let at: Record<string | number, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(at, key) ? at[key] : undefined;
    if (!next || typeof next !== 'object') Object.defineProperty(at, key, { value: {}, enumerable: true, writable: true, configurable: true });
    at = at[key] as Record<string | number, unknown>;
  }
  // defineProperty: "__proto__" becomes a plain own key, as JSON.parse makes it.
  Object.defineProperty(at, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
}

const mutated = fc.tuple(validScenario, fc.array(fc.tuple(mutationPath, mutationValue), { maxLength: 3 })).map(([base, mutations]) => {
  const copy = structuredClone(base) as Record<string, unknown>;
  for (const [path, value] of mutations) setAt(copy, path, value);
  return copy;
});

/** A whole scenario: valid ones with up to three fields broken, wild ones, or plain junk. */
export const scenario: fc.Arbitrary<unknown> = fc.oneof({ weight: 6, arbitrary: mutated }, { weight: 3, arbitrary: wildScenario }, { weight: 1, arbitrary: junk });

/** Small, sane scenarios that should validate and run for a second against the embedded target. */
export const runnable: fc.Arbitrary<Record<string, unknown>> = fc.record({
  name: fc.constantFrom('fuzz-run', 'fuzz.b'),
  target: fc.constant('embedded'),
  ramp: fc.constant(0),
  groups: fc.array(
    fc.record({
      protocol: fc.constantFrom('mqtt', 'ws'),
      count: fc.integer({ min: 1, max: 5 }),
      clientId: fc.constantFrom('dev-{index}', '{group}-{index}', 'dev-{idx}'),
      timers: fc.record({ heartbeat: fc.record({ every: fc.constantFrom('200ms', '1s', '50ms'), topic: fc.constantFrom('d/{id}', 'd/{seq}', 'd/#'), payload: fc.constantFrom('{"s":{seq}}', '{idx}', 'x') }) }),
    }).map((g) => ({ ...g, url: g.protocol === 'mqtt' ? 'embedded:mqtt' : 'embedded:ws', timers: g.protocol === 'ws' ? { heartbeat: { every: g.timers.heartbeat.every } } : g.timers })),
    { minLength: 1, maxLength: 2 },
  ),
});
