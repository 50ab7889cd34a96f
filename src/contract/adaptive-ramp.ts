// Settings of `ramp: adaptive`: the fleet's connect rate follows what the target takes (AIMD).
import { z } from 'zod';
import { DURATION_JSON_SCHEMA, parseDuration } from './duration.ts';

const positiveRate = (what: string) => z.number({ error: `expected ${what} in connects/s` }).positive('must be more than 0');

export const adaptiveRampSchema = z
  .strictObject({
    /** Never above this many connects/s. */
    ceiling: positiveRate('a rate').default(2000),
    /** Never below this many connects/s, however bad it gets. */
    floor: positiveRate('a rate').default(20),
    /** The rate the run starts at. */
    start: positiveRate('a rate').optional(),
    /** Connects/s added per calm second (default: a twentieth of the ceiling). */
    step: positiveRate('a rate').optional(),
    /** The rate is multiplied by this when connects get slow or fail. */
    decrease: z.number({ error: 'expected a factor between 0 and 1' }).gt(0, 'must be more than 0').lt(1, 'must be less than 1').default(0.5),
    /** Bound on CONNACK (and transport connect) p99 over the last second. */
    connackP99: z
      .unknown()
      .meta(DURATION_JSON_SCHEMA)
      .transform((v, ctx) => {
        const ms = typeof v === 'string' ? parseDuration(v) : undefined;
        if (ms === undefined || ms < 1) {
          ctx.addIssue({ code: 'custom', message: 'expected a duration like "2s" (units: ms, s, m, h)' });
          return z.NEVER;
        }
        return ms;
      })
      .default(2000),
  })
  .superRefine((a, ctx) => {
    if (a.floor > a.ceiling) ctx.addIssue({ code: 'custom', path: ['floor'], message: `must be at most ceiling (${a.ceiling})` });
    if (a.start !== undefined && (a.start < a.floor || a.start > a.ceiling)) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: `must be between floor (${a.floor}) and ceiling (${a.ceiling})` });
    }
  })
  .transform((a) => ({
    ...a,
    start: a.start ?? Math.min(a.ceiling, Math.max(a.floor, a.ceiling / 10)),
    step: a.step ?? Math.max(1, a.ceiling / 20),
  }));

export type AdaptiveRamp = z.output<typeof adaptiveRampSchema>;
