// Secrets never reach a run's files: scenario.json and scenario-source.json are shared as they
// are (an exported zip), so an MQTT password, a TLS key passphrase and WebSocket headers (an
// Authorization, a cookie) are replaced by a placeholder when recorded, and the file says so in
// a top-level `redacted` note. A scenario holding a placeholder cannot run: whoever runs it
// again is told which field to give again.

export const REDACTED = '***redacted***';
/** The note's key at the top of a recorded scenario file. */
export const REDACTION_NOTE_KEY = 'redacted';

export interface RedactionNote {
  note: string;
  fields: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function pathOf(parent: string, key: string | number): string {
  return typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
}

/** Is the value at `key` under `parentKey` a secret? */
function isSecret(parentKey: string | number | undefined, key: string): boolean {
  return (parentKey === 'mqtt' && key === 'password') || (parentKey === 'tls' && key === 'passphrase');
}

function redactValue(value: unknown, path: string, parentKey: string | number | undefined, fields: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => redactValue(v, pathOf(path, i), i, fields));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const here = pathOf(path, key);
    if (isSecret(parentKey, key) && typeof v === 'string' && v !== '') {
      out[key] = REDACTED;
      fields.push(here);
    } else if (parentKey === 'ws' && key === 'headers' && isObject(v)) {
      // Every header value: which of them carry credentials is the server's business.
      out[key] = Object.fromEntries(Object.entries(v).map(([name, headerValue]) => {
        if (headerValue === REDACTED || typeof headerValue !== 'string') return [name, headerValue];
        fields.push(pathOf(here, name));
        return [name, REDACTED];
      }));
    } else out[key] = redactValue(v, here, key, fields);
  }
  return out;
}

/**
 * The scenario (as run, or as written) with its secrets replaced by REDACTED, and the paths of
 * the fields replaced. With any replaced, the copy carries a `redacted` note listing them.
 */
export function redactScenario<T>(scenario: T): { scenario: T; fields: string[] } {
  const fields: string[] = [];
  const copy = redactValue(scenario, '', undefined, fields);
  if (fields.length === 0 || !isObject(copy)) return { scenario: copy as T, fields };
  const note: RedactionNote = { note: `secrets were replaced by "${REDACTED}" when this run was recorded; give them again to run it`, fields };
  return { scenario: { [REDACTION_NOTE_KEY]: note, ...copy } as T, fields };
}

/** Paths of the fields still holding the placeholder (a recorded scenario run again as is). */
export function redactedFields(scenario: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (v === REDACTED) found.push(path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, pathOf(path, i)));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) if (!(path === '' && k === REDACTION_NOTE_KEY)) walk(x, pathOf(path, k));
  };
  walk(scenario, '');
  return found;
}

/** One line per field that must be given again before the scenario can run; empty when none. */
export function redactedProblems(scenario: unknown): string[] {
  return redactedFields(scenario).map((f) => `${f} was redacted when the run was recorded: give it again (edit the scenario) to run it`);
}

/** The scenario without the top-level redaction note (once its secrets are given again it is an ordinary scenario). */
export function withoutRedactionNote(scenario: unknown): unknown {
  if (!isObject(scenario) || !(REDACTION_NOTE_KEY in scenario)) return scenario;
  const { [REDACTION_NOTE_KEY]: _note, ...rest } = scenario;
  return rest;
}

/** The fields a recorded scenario file says were redacted (its note); empty when none. */
export function redactionNoteFields(scenario: unknown): string[] {
  const note = isObject(scenario) ? scenario[REDACTION_NOTE_KEY] : undefined;
  return isObject(note) && Array.isArray(note.fields) ? note.fields.filter((f): f is string => typeof f === 'string') : [];
}
