// Reads a scenario from a preset name or a YAML/JSON file and validates it.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isPresetName, PRESETS } from '../contract/presets.ts';
import type { Scenario } from '../contract/scenario.ts';
import { validateScenario } from '../contract/validate.ts';

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
  }
}

/** Parses file text by extension (.json, else YAML, which also reads JSON). */
export function parseScenarioText(text: string, source: string): unknown {
  try {
    return extname(source).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ScenarioError(source, [`not valid ${extname(source).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`]);
  }
}

export function scenarioFromInput(input: unknown, source: string, overrides: Record<string, unknown> = {}): Scenario {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ScenarioError(source, ['(scenario): expected a mapping with "groups"']);
  const result = validateScenario({ ...(input as object), ...overrides });
  if (!result.ok) throw new ScenarioError(source, result.problems);
  return result.scenario;
}

/** `ref` is a preset name (demo, seed-mqtt, seed-ws-rooms) or a path to a .yaml/.yml/.json file. */
export async function loadScenario(ref: string, overrides: Record<string, unknown> = {}): Promise<Scenario> {
  if (isPresetName(ref)) return scenarioFromInput(structuredClone(PRESETS[ref]), `preset ${ref}`, overrides);
  let text: string;
  try {
    text = await readFile(ref, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such file, and not a preset (presets: ${Object.keys(PRESETS).join(', ')})` : (err as Error).message;
    throw new ScenarioError(ref, [why]);
  }
  return scenarioFromInput(parseScenarioText(text, ref), ref, overrides);
}
