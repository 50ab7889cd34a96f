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
  return checkedScenario(input, source, overrides).scenario;
}

/** The validated scenario and the input it came from (overrides applied): a run records both. */
export interface LoadedScenario {
  scenario: Scenario;
  input: object;
}

function checkedScenario(input: unknown, source: string, overrides: Record<string, unknown>): LoadedScenario {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ScenarioError(source, ['(scenario): expected a mapping with "groups"']);
  const merged = { ...(input as object), ...overrides };
  const result = validateScenario(merged);
  if (!result.ok) throw new ScenarioError(source, result.problems);
  return { scenario: result.scenario, input: merged };
}

/** `ref` is a preset name (demo, seed-mqtt, seed-ws-rooms) or a path to a .yaml/.yml/.json file. */
export async function loadScenario(ref: string, overrides: Record<string, unknown> = {}): Promise<Scenario> {
  return (await loadScenarioWithInput(ref, overrides)).scenario;
}

/** As loadScenario, keeping the input as well. */
export async function loadScenarioWithInput(ref: string, overrides: Record<string, unknown> = {}): Promise<LoadedScenario> {
  if (isPresetName(ref)) return checkedScenario(structuredClone(PRESETS[ref]), `preset ${ref}`, overrides);
  let text: string;
  try {
    text = await readFile(ref, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such file, and not a preset (presets: ${Object.keys(PRESETS).join(', ')})` : (err as Error).message;
    throw new ScenarioError(ref, [why]);
  }
  return checkedScenario(parseScenarioText(text, ref), ref, overrides);
}
