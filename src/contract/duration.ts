// Durations in scenarios are strings with a unit ("500ms", "15s", "2m", "1h"); inside the
// program they are milliseconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/;

/**
 * What a duration field accepts, in JSON Schema terms: schema/scenario.schema.json is generated
 * from the zod schemas, which take durations as unknown input and parse them in a transform.
 */
export const DURATION_JSON_SCHEMA = {
  type: 'string',
  pattern: DURATION_RE.source,
  description: 'a duration with a unit: "500ms", "15s", "2m", "1h"',
} as const;

/** Parses "15s" → 15000. Returns undefined for anything that is not a duration with a unit. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]]);
}

/** 15000 → "15s", 90000 → "1m30s", 250 → "250ms". */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${+(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const m = Math.floor(totalSeconds / 60);
  const s = totalSeconds % 60;
  return s ? `${m}m${s}s` : `${m}m`;
}
