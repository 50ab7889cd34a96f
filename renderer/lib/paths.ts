// Field paths as validateScenario prints them: `groups[0].timers.heartbeat.every`.
// Used to read/write the scenario draft and to put each problem next to its field.

export type PathKey = string | number;

/** "groups[0].timers.heartbeat.every" → ["groups", 0, "timers", "heartbeat", "every"]. */
export function parsePath(path: string): PathKey[] {
  const out: PathKey[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (const m of path.matchAll(re)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[1]);
  }
  return out;
}

/** The inverse of parsePath. */
export function formatPath(keys: readonly PathKey[]): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${k}` : k;
  }
  return out;
}

const isContainer = (v: unknown): v is Record<PathKey, unknown> => typeof v === 'object' && v !== null;

export function getIn(obj: unknown, path: string | readonly PathKey[]): unknown {
  const keys = typeof path === 'string' ? parsePath(path) : path;
  let cur: unknown = obj;
  for (const k of keys) {
    if (!isContainer(cur)) return undefined;
    cur = (cur as Record<PathKey, unknown>)[k];
  }
  return cur;
}

/**
 * Returns a copy of `obj` with the value at `path` replaced (copy-on-write along the path).
 * `undefined` deletes the key, so the schema's default applies again. Missing containers are
 * created; a non-object in the way (e.g. the timer "off") is replaced by an object.
 */
export function setIn<T>(obj: T, path: string | readonly PathKey[], value: unknown): T {
  const keys = typeof path === 'string' ? parsePath(path) : path;
  if (keys.length === 0) return value as T;
  const [head, ...rest] = keys;
  const base: Record<PathKey, unknown> | unknown[] = isContainer(obj)
    ? Array.isArray(obj)
      ? [...obj]
      : { ...(obj as Record<PathKey, unknown>) }
    : typeof head === 'number'
      ? []
      : {};
  const target = base as Record<PathKey, unknown>;
  if (rest.length === 0) {
    if (value === undefined && !Array.isArray(base)) delete target[head];
    else target[head] = value;
  } else {
    target[head] = setIn(target[head], rest, value);
  }
  return base as T;
}

export interface Problem {
  /** The field path, or "" for the scenario as a whole. */
  path: string;
  message: string;
  /** The full line as validateScenario printed it. */
  text: string;
}

/** "groups[0].count: Too small" → { path: "groups[0].count", message: "Too small" }. */
export function splitProblem(text: string): Problem {
  const i = text.indexOf(': ');
  if (i < 0) return { path: '', message: text, text };
  const path = text.slice(0, i);
  return { path: path === '(scenario)' ? '' : path, message: text.slice(i + 2), text };
}

/** True when `prefix` is `path` or one of its ancestors ("groups[0]" of "groups[0].url"). */
export function isPathPrefix(prefix: string, path: string): boolean {
  if (prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  const next = path.charAt(prefix.length);
  return next === '' || next === '.' || next === '[';
}

/**
 * Assigns each problem to the deepest known field that is its path or an ancestor of it;
 * problems no field claims go under "" (shown at the top of the editor).
 */
export function assignProblems(problems: readonly string[], fields: readonly string[]): Record<string, Problem[]> {
  const out: Record<string, Problem[]> = {};
  for (const text of problems) {
    const p = splitProblem(text);
    let best = '';
    for (const f of fields) {
      if (f.length > best.length && isPathPrefix(f, p.path)) best = f;
    }
    (out[best] ??= []).push(p);
  }
  return out;
}
