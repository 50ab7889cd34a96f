// Scenario files: YAML or JSON in, YAML out. Pure; the DOM parts (file picker, download) live
// in the editor component.
import { parse, stringify } from 'yaml';

export type ParsedFile = { ok: true; scenario: Record<string, unknown> } | { ok: false; error: string };

/** Parses a scenario file's text (YAML is a superset of JSON, so one parser reads both). */
export function parseScenarioText(text: string, fileName = 'file'): ParsedFile {
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    return { ok: false, error: `${fileName}: ${(err as Error).message.split('\n')[0]}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `${fileName}: expected a scenario (a mapping with name, groups, …)` };
  }
  return { ok: true, scenario: value as Record<string, unknown> };
}

/** The draft as a YAML file. */
export function scenarioToYaml(draft: unknown): string {
  return stringify(draft, { lineWidth: 0 });
}

/** A file name for the draft: "<name>.yaml". */
export function scenarioFileName(draft: unknown): string {
  const name = typeof draft === 'object' && draft !== null ? (draft as { name?: unknown }).name : undefined;
  const safe = typeof name === 'string' && /^[A-Za-z0-9_.-]+$/.test(name) ? name : 'scenario';
  return `${safe}.yaml`;
}
