// The settings of a capacity search started from the app: the scenario's `capacity:` block, with
// the request's own block winning key by key (as `fleetsim capacity` flags win over the block).
// One line per bad setting, named by its field path (capacity.step …).
import { capacityBlockSchema } from './capacity-schema.ts';
import { blockProblem, mergeCapacityFlags, parseCapacityFlags, type CapacityOptions, type ScenarioCapacity } from './capacity-options.ts';
import { describeIssue } from './validate.ts';

export type CapacityOptionsResult = { ok: true; options: CapacityOptions } | { ok: false; problems: string[] };

export function resolveCapacityOptions(scenarioBlock: ScenarioCapacity | undefined, request: unknown): CapacityOptionsResult {
  let overrides: ScenarioCapacity = {};
  if (request !== undefined && request !== null) {
    const parsed = capacityBlockSchema.safeParse(request);
    if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => describeIssue({ ...i, path: ['capacity', ...i.path] })) };
    overrides = parsed.data as ScenarioCapacity;
  }
  const merged = parseCapacityFlags(mergeCapacityFlags(scenarioBlock, mergeCapacityFlags(overrides, {})));
  return merged.ok ? merged : { ok: false, problems: merged.problems.map((p) => blockProblem(p)) };
}
