// A scenario's `capacity:` block: the `fleetsim capacity` settings, checked like the flags are.
import { z } from 'zod';
import { CAPACITY_KEYS, mergeCapacityFlags, parseCapacityFlags, type ScenarioCapacity } from './capacity-options.ts';

const value = z.union([z.string(), z.number()]);

export const capacityBlockSchema = z
  .strictObject(Object.fromEntries(Object.keys(CAPACITY_KEYS).map((k) => [k, value.optional()])) as Record<keyof typeof CAPACITY_KEYS, z.ZodOptional<typeof value>>)
  .superRefine((block, ctx) => {
    const parsed = parseCapacityFlags(mergeCapacityFlags(block as ScenarioCapacity, {}));
    if (parsed.ok) return;
    const byFlag = Object.fromEntries(Object.entries(CAPACITY_KEYS).map(([k, f]) => [f, k]));
    for (const p of parsed.problems) {
      const flag = /^--([a-z0-9-]+):/.exec(p)?.[1] ?? '';
      ctx.addIssue({ code: 'custom', path: [byFlag[flag] ?? flag], message: p.replace(/^--[a-z0-9-]+: /, '') });
    }
  });
