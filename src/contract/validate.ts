// Turns a parse failure into one line per problem: `groups[0].timers.heartbeat.every: expected …`.
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './scenario.ts';

export type ValidationResult = { ok: true; scenario: Scenario } | { ok: false; problems: string[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(scenario)';
}

/** Problems quote what they found: a 5 MB value (or key) is cut so the line stays readable. */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length.toLocaleString('en-US')} characters)` : text;
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = clip(formatPath(issue.path), 200);
  if (issue.code === 'unrecognized_keys') {
    return `${path}: ${clip(`unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`, 400)}`;
  }
  return `${path}: ${clip(issue.message, 400)}`;
}

export function validateScenario(input: unknown): ValidationResult {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return { ok: true, scenario: result.data };
  return { ok: false, problems: result.error.issues.map(describeIssue) };
}
