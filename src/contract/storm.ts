// Storms: faults started on purpose (from the UI, the API or scheduled in a scenario), and the
// record of how the fleet recovered from each.
import { z } from 'zod';
import { DURATION_JSON_SCHEMA, parseDuration } from './duration.ts';

const percent = z.number().min(0, 'must be 0 to 100').max(100, 'must be 0 to 100');
const ms = (min: number, max: number) =>
  z.unknown().meta(DURATION_JSON_SCHEMA).transform((value, ctx) => {
    const parsed = typeof value === 'string' ? parseDuration(value) : undefined;
    if (parsed === undefined || parsed < min || parsed > max) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "5s" between ${min / 1000}s and ${max / 1000}s` });
      return z.NEVER;
    }
    return parsed;
  });

export const stormActionSchema = z.discriminatedUnion(
  'action',
  [
    /** Drop a share of the online devices: clean close, TCP reset, or half-open (only keepalive notices). */
    z.strictObject({ action: z.literal('drop'), percent, mode: z.enum(['close', 'destroy', 'half-open']).default('close'), group: z.string().optional() }),
    /** Every online device of the group (or fleet) stalls: no bytes in or out for `for`. */
    z.strictObject({ action: z.literal('blip'), for: ms(100, 600_000), group: z.string().optional() }),
    /** Kill one device host process (a crash); optionally start it again. */
    z.strictObject({ action: z.literal('kill-host'), host: z.number().int().min(0), restart: z.boolean().default(false) }),
    /** Embedded target: close a share of its clients. */
    z.strictObject({ action: z.literal('target-kick'), percent }),
    /** Embedded target: stop reading from every client for a while. */
    z.strictObject({ action: z.literal('target-pause'), for: ms(100, 600_000) }),
    /** Embedded target: restart on the same ports (every client dropped). */
    z.strictObject({ action: z.literal('target-restart') }),
  ],
  { error: 'expected action: drop, blip, kill-host, target-kick, target-pause or target-restart' },
);

export const scheduledStormSchema = z.intersection(
  z.object({
    at: z.unknown().meta(DURATION_JSON_SCHEMA).transform((value, ctx) => {
      const parsed = typeof value === 'string' ? parseDuration(value) : undefined;
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration like "60s" after the start of the run' });
        return z.NEVER;
      }
      return parsed;
    }),
  }),
  stormActionSchema,
);

/** A storm as the UI or the API asks for it (durations as text). */
export type StormActionInput = z.input<typeof stormActionSchema>;
export type StormAction = z.output<typeof stormActionSchema>;
export type ScheduledStorm = z.output<typeof scheduledStormSchema>;

export function describeStorm(a: StormAction): string {
  const where = 'group' in a && a.group ? ` of ${a.group}` : '';
  switch (a.action) {
    case 'drop':
      return `drop ${a.percent}%${where} (${a.mode})`;
    case 'blip':
      return `network blip${where} for ${a.for / 1000}s`;
    case 'kill-host':
      return `kill host ${a.host}${a.restart ? ' and restart it' : ''}`;
    case 'target-kick':
      return `target kicks ${a.percent}% of clients`;
    case 'target-pause':
      return `target stops reading for ${a.for / 1000}s`;
    case 'target-restart':
      return 'target restarts';
  }
}

export type StormOutcome = 'recovering' | 'recovered' | 'not-recovered' | 'no-impact';

/** How the fleet went through one storm. */
export interface StormRecord {
  id: number;
  label: string;
  action: StormAction;
  /** Wall-clock time it started (ms) and seconds since the run started. */
  at: number;
  t: number;
  /** Devices the action touched (dropped, stalled, kicked …). */
  affected: number;
  onlineBefore: number;
  minOnline: number;
  /** ms from the storm until online was back to 99% of before; null while not back. */
  recoveredAfterMs: number | null;
  outcome: StormOutcome;
  /** Connection attempts made since the storm (until recovery or the end of the run). */
  reconnectAttempts: number;
  peakConnectsPerSec: number;
  connackP99Ms: number;
  connectP99Ms: number;
  failures: Record<string, number>;
  disconnects: Record<string, number>;
  error?: string;
  /** In a run merged from shards: the shard this record came from (each shard ran the storm on its own devices). */
  shard?: number;
}
