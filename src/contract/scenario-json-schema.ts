// The JSON Schema of scenario files (schema/scenario.schema.json), generated from the zod schema
// so editors validate and complete what `fleetsim validate` accepts. It describes the input side:
// durations are strings with a unit, timers may be "off", defaults may be left out.
import { z } from 'zod';
import { scenarioSchema } from './scenario.ts';

type JsonSchema = Record<string, unknown>;

/** z.preprocess: what it maps (here "off" → null) is invisible to the generator, so it is added back. */
function isPreprocess(schema: z.core.$ZodType): boolean {
  const def = schema._zod.def as { type: string; in?: z.core.$ZodType };
  return def.type === 'pipe' && def.in?._zod.def.type === 'transform';
}

export function scenarioJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    target: 'draft-2020-12',
    // A transform's input (z.unknown()) comes out as {}, anything goes: durations carry their JSON
    // Schema as metadata and "off" is added below; a test fails on any other field left as {}.
    unrepresentable: 'throw',
    override: (ctx) => {
      if (!isPreprocess(ctx.zodSchema)) return;
      const json = ctx.jsonSchema as { anyOf?: JsonSchema[] };
      if (!json.anyOf) throw new Error('scenario schema: a z.preprocess that is not a timer-or-"off" needs its own JSON Schema override');
      json.anyOf = [{ const: 'off' }, ...json.anyOf];
    },
  }) as JsonSchema;
  return {
    $schema: schema.$schema,
    title: 'Fleetsim scenario',
    description: 'A fleetsim scenario: a target, device groups, ramp, duration and storms. Check one with `fleetsim validate FILE`.',
    ...schema,
  };
}

/** The file's text as committed: stable key order from the schema, two-space indent, final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
