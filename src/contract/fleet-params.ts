// The parameters of every FleetApi method as they arrive from a page (bridge or IPC): how many,
// and of what shape. Checked before a method is called, so a call never reaches the service with
// extra or misshapen arguments (an extra path, an object where an id belongs). What a value
// means (a scenario's fields, a settings patch) is still checked by the service, field by field.
import { z } from 'zod';
import { CAPACITY_KEYS } from './capacity-options.ts';
import type { FleetMethodName } from './fleet-api.ts';
import { DEVICE_STATES } from './metrics.ts';
import { MAX_COMPARED_RUNS } from './run-comparison.ts';
import { formatPath } from './validate.ts';

/** A run directory name (the rule of isRunId in src/runs/run-layout.ts). */
const runId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/, 'expected a run id (a run directory name)')
  .refine((s) => !s.includes('..'), 'expected a run id (a run directory name)');

const deviceId = z.string().min(1).max(512);

/** Device pages are read from disk or the hosts: a page is at most this many rows. */
export const MAX_DEVICE_PAGE = 1000;

const deviceQuery = z.strictObject({
  group: z.string().max(512).optional(),
  state: z.enum(DEVICE_STATES).optional(),
  search: z.string().max(512).optional(),
  offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  limit: z.number().int().min(0).max(MAX_DEVICE_PAGE),
});

/** A scenario's `capacity:` block: known keys, each a text or a number. */
const capacityBlock = z.strictObject(Object.fromEntries(Object.keys(CAPACITY_KEYS).map((k) => [k, z.union([z.string().max(64), z.number().finite()]).optional()])));

/** Anything JSON can carry: the service checks it field by field (scenarios, timers, patches). */
const checkedByService = z.unknown();

interface ParamSpec {
  /** Parameter names, for messages; those from index `required` on may be left out. */
  names: string[];
  required: number;
  schema: z.ZodType<unknown[]>;
}

function spec(names: string[], items: z.ZodType[], required = items.length): ParamSpec {
  return { names, required, schema: z.tuple(items as [z.ZodType, ...z.ZodType[]]) as unknown as z.ZodType<unknown[]> };
}

export const FLEET_PARAMS: Record<FleetMethodName, ParamSpec> = {
  listPresets: spec([], []),
  start: spec(['scenario'], [checkedByService]),
  // The block's keys and value types here; what each value means the service checks (capacity.step …).
  startCapacity: spec(['scenario', 'capacity'], [checkedByService, capacityBlock.optional()], 1),
  stop: spec([], []),
  status: spec([], []),
  setTimers: spec(['group', 'timers'], [z.string().max(512), checkedByService]),
  setRamp: spec(['connectsPerSec'], [z.number().finite().min(0, 'expected connects per second, 0 or more')]),
  deviceLog: spec(['deviceId'], [deviceId]),
  devices: spec(['query'], [deviceQuery]),
  storm: spec(['action'], [checkedByService]),
  certsInit: spec(['request'], [checkedByService.optional()], 0),
  settings: spec([], []),
  updateSettings: spec(['patch'], [checkedByService]),
  listRuns: spec([], []),
  openRun: spec(['id'], [runId]),
  runDevices: spec(['id', 'query'], [runId, deviceQuery]),
  runDeviceLog: spec(['id', 'deviceId'], [runId, deviceId]),
  exportRun: spec(['id'], [runId]),
  importRun: spec(['file'], [z.string().min(1).max(4096).optional()], 0),
  reportRun: spec(['id'], [runId]),
  compareRuns: spec(['ids'], [z.array(runId).min(2, 'expected two runs or more to compare').max(MAX_COMPARED_RUNS, `expected at most ${MAX_COMPARED_RUNS} runs at once`)]),
  preflight: spec(['scenario'], [checkedByService]),
  attach: spec(['request'], [checkedByService]),
  detach: spec([], []),
};

export type ParamsCheck = { ok: true; params: unknown[] } | { ok: false; problems: string[] };

/** Checks `params` for `method`: one line per problem, each naming the method and the parameter. */
export function checkParams(method: FleetMethodName, params: unknown): ParamsCheck {
  const p = FLEET_PARAMS[method];
  if (!Array.isArray(params)) return { ok: false, problems: [`${method}: expected a list of parameters`] };
  const max = p.names.length;
  if (params.length < p.required || params.length > max) {
    const takes = p.required === max ? `${max}` : `${p.required} to ${max}`;
    const named = max > 0 ? ` (${p.names.join(', ')})` : '';
    return { ok: false, problems: [`${method}: takes ${takes} parameter${max === 1 && p.required === max ? '' : 's'}${named}, got ${params.length}`] };
  }
  // A trailing parameter left out is undefined for the tuple.
  const padded = [...params, ...Array.from({ length: max - params.length }, () => undefined)];
  const r = p.schema.safeParse(padded);
  if (r.success) return { ok: true, params: params };
  return {
    ok: false,
    problems: r.error.issues.map((issue) => {
      const [index, ...rest] = issue.path;
      const name = typeof index === 'number' ? (p.names[index] ?? `parameter ${index + 1}`) : 'parameters';
      return `${method}: ${name}${rest.length ? `.${formatPath(rest)}` : ''}: ${issue.message}`;
    }),
  };
}
