// The shards of one fleet ran one scenario: their scenario.json may differ only where the shard
// flags change it (group counts and rates split over shards, each shard's source addresses, the
// hosts each machine chose). The merged run's scenario is shard 0's, with the fleet's counts and
// rates when each shard recorded only its own slice.
import type { Scenario } from '../../contract/scenario.ts';

/** Paths the shard flags may change (`*` is every group). */
const SHARD_FIELDS = [['ramp'], ['hosts'], ['groups', '*', 'count'], ['groups', '*', 'ramp'], ['groups', '*', 'sourceAddresses']];

function withoutShardFields(s: Scenario): unknown {
  const copy = JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
  const drop = (obj: unknown, path: string[]): void => {
    if (!obj || typeof obj !== 'object') return;
    const [head, ...rest] = path;
    const o = obj as Record<string, unknown>;
    if (head === '*') for (const v of Object.values(o)) drop(v, rest);
    else if (rest.length === 0) delete o[head];
    else drop(o[head], rest);
  };
  for (const path of SHARD_FIELDS) drop(copy, path);
  return copy;
}

/** The first place two values differ, as a path like `groups[0].clientId`; null when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return path || '(the whole scenario)';
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return `${path || '(top)'} (${a.length} vs ${b.length} entries)`;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub);
    if (d) return d;
  }
  return null;
}

/** Where scenario `other` differs from `first` beyond the shard flags' changes; null when it does not. */
export function scenarioDifference(first: Scenario, other: Scenario): string | null {
  return firstDifference(withoutShardFields(first), withoutShardFields(other));
}

const deviceCount = (s: Scenario) => s.groups.reduce((n, g) => n + g.count, 0);

/**
 * The merged run's scenario. `ranDevices[i]`: the devices shard i actually ran. When every shard's
 * scenario counts only its own devices (each recorded its slice), the groups' counts and the
 * ramps are the shards' added up; when they hold the whole fleet, shard 0's is the fleet's.
 */
export function mergedScenario(scenarios: Scenario[], ranDevices: number[]): Scenario {
  const merged = JSON.parse(JSON.stringify(scenarios[0])) as Scenario;
  const sliced = scenarios.every((s, i) => deviceCount(s) === ranDevices[i]) && scenarios.length > 1;
  if (!sliced) return merged;
  merged.ramp = scenarios.reduce((n, s) => n + s.ramp, 0);
  merged.groups.forEach((g, i) => {
    g.count = scenarios.reduce((n, s) => n + (s.groups[i]?.count ?? 0), 0);
    if (g.ramp !== undefined) g.ramp = scenarios.reduce((n, s) => n + (s.groups[i]?.ramp ?? 0), 0);
  });
  return merged;
}
