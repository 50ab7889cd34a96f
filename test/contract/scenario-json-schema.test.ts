// schema/scenario.schema.json: generated from the zod schema (npm run schema), committed, and
// in step with it; every example and preset passes both it and the loader, and what the
// loader refuses for a field's type, the JSON Schema refuses too.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
// ajv comes with the dev dependencies (through @kubernetes-models/validate).
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { PRESETS } from '../../src/contract/presets.ts';
import { scenarioJsonSchemaText } from '../../src/contract/scenario-json-schema.ts';
import { validateScenario } from '../../src/contract/validate.ts';

const ROOT = join(import.meta.dirname, '../..');
const SCHEMA_FILE = join(ROOT, 'schema/scenario.schema.json');
const EXAMPLES = join(ROOT, 'examples');
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

const committed = readFileSync(SCHEMA_FILE, 'utf8');
const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(committed) as object);
const errorsOf = (data: unknown) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`));

test('the committed schema is what npm run schema generates now', () => {
  assert.equal(committed, scenarioJsonSchemaText(), 'schema/scenario.schema.json is stale: run npm run schema and commit it');
});

test('no field of the schema accepts anything: each transform on the input side is described', () => {
  const open: string[] = [];
  const walk = (node: unknown, path: string, isSchema: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`, isSchema));
    if (!node || typeof node !== 'object') return;
    const keys = Object.keys(node).filter((k) => k !== 'description');
    if (isSchema && keys.length === 0) open.push(path || '/');
    for (const [k, v] of Object.entries(node)) {
      // Values under these keys are data (defaults, constants, enums), not schemas.
      if (k === 'default' || k === 'const' || k === 'enum' || k === 'examples') continue;
      walk(v, `${path}/${k}`, k !== 'properties' && k !== '$defs');
    }
  };
  walk(JSON.parse(committed), '', true);
  assert.deepEqual(open, []);
});

test('every example points editors at the schema and passes it and the loader', () => {
  assert.ok(exampleFiles.length >= 5, `examples: ${exampleFiles.join(', ')}`);
  for (const file of exampleFiles) {
    const text = readFileSync(join(EXAMPLES, file), 'utf8');
    assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=../schema/scenario.schema.json', file);
    const data: unknown = parseYaml(text);
    assert.deepEqual(errorsOf(data), [], file);
    const checked = validateScenario(data);
    assert.ok(checked.ok, `${file}: ${checked.ok ? '' : checked.problems.join('; ')}`);
  }
});

test('every preset passes the schema', () => {
  for (const [name, preset] of Object.entries(PRESETS)) assert.deepEqual(errorsOf(JSON.parse(JSON.stringify(preset))), [], name);
});

test('the schema refuses what the loader refuses for its shape: durations without a unit, unknown fields, wrong types', () => {
  const group = { protocol: 'mqtt', url: 'embedded:mqtt', count: 1 };
  const bad: Array<[string, unknown]> = [
    ['a duration in bare ms', { duration: 5000, groups: [group] }],
    ['a duration without a unit', { duration: '30', groups: [group] }],
    ['an unknown top-level field', { duratoin: '30s', groups: [group] }],
    ['an unknown group field', { groups: [{ ...group, cuont: 2 }] }],
    ['a timer that is neither settings nor off', { groups: [{ ...group, timers: { heartbeat: 'never' } }] }],
    ['no groups', { duration: '30s' }],
    ['a storm without its duration', { groups: [group], storms: [{ at: '5s', action: 'blip' }] }],
  ];
  for (const [what, data] of bad) {
    assert.notDeepEqual(errorsOf(data), [], `the schema took ${what}`);
    assert.equal(validateScenario(data).ok, false, `the loader took ${what}`);
  }
  const good = { duration: '30s', groups: [{ ...group, timers: { heartbeat: 'off', ping: { every: '2m' } } }], storms: [{ at: '5s', action: 'blip', for: '1s' }] };
  assert.deepEqual(errorsOf(good), []);
  assert.ok(validateScenario(good).ok);
});
