// The parameters of every FleetApi method as they arrive from a page (bridge or IPC): how many
// (FLEET_API_TABLE), and of what shape (FLEET_PARAM_SCHEMAS, here because the preload may not
// bundle zod). Checked before a method is called, so a call never reaches the service with extra
// or misshapen arguments (an extra path, an object where an id belongs). What a value means (a
// scenario's fields, a settings patch) is still checked by the service, field by field.
import { z } from 'zod';
import { CAPACITY_KEYS } from './capacity-options.ts';
import type { AttachRequest } from './attach.ts';
import { FLEET_API_TABLE, FLEET_METHODS, type CertsInitRequest, type FleetMethodName, type FleetMethods, type GroupTimersInput, type SettingsPatch } from './fleet-api.ts';
import type { ScenarioInput } from './scenario.ts';
import type { StormActionInput } from './storm.ts';
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

/**
 * Anything JSON can carry, typed as the method takes it: FleetService checks it field by field
 * (scenarios, timers, storms, patches) and answers with one problem per field.
 */
const checkedByService = <T>() => z.custom<T>();

/** A schema per parameter, typed against the FleetMethods signature (a missing method fails typecheck). */
type ParamSchemas<P extends unknown[]> = { readonly [I in keyof P]-?: z.ZodType<P[I]> };
export type FleetParamSchemas = { readonly [K in FleetMethodName]: ParamSchemas<Parameters<FleetMethods[K]>> };

/** The shape of each parameter; names and how many may be left out are in FLEET_API_TABLE. */
export const FLEET_PARAM_SCHEMAS = {
  listPresets: [],
  start: [checkedByService<ScenarioInput>()],
  // The block's keys and value types here; what each value means the service checks (capacity.step …).
  startCapacity: [checkedByService<ScenarioInput>(), capacityBlock.optional()],
  stop: [],
  status: [],
  setTimers: [z.string().max(512), checkedByService<GroupTimersInput>()],
  setRamp: [z.number().finite().min(0, 'expected connects per second, 0 or more')],
  deviceLog: [deviceId],
  devices: [deviceQuery],
  storm: [checkedByService<StormActionInput>()],
  certsInit: [checkedByService<CertsInitRequest | undefined>()],
  settings: [],
  updateSettings: [checkedByService<SettingsPatch>()],
  listRuns: [],
  openRun: [runId],
  runDevices: [runId, deviceQuery],
  runDeviceLog: [runId, deviceId],
  exportRun: [runId],
  importRun: [z.string().min(1).max(4096).optional()],
  reportRun: [runId],
  compareRuns: [z.array(runId).min(2, 'expected two runs or more to compare').max(MAX_COMPARED_RUNS, `expected at most ${MAX_COMPARED_RUNS} runs at once`)],
  preflight: [checkedByService<ScenarioInput>()],
  attach: [checkedByService<AttachRequest>()],
  detach: [],
} satisfies FleetParamSchemas;

const PARAM_TUPLES = Object.fromEntries(
  FLEET_METHODS.map((name) => [name, z.tuple(FLEET_PARAM_SCHEMAS[name] as unknown as [z.ZodType, ...z.ZodType[]])]),
) as Record<string, z.ZodType<unknown[]>>;

export type ParamsCheck = { ok: true; params: unknown[] } | { ok: false; problems: string[] };

/** Checks `params` for `method`: one line per problem, each naming the method and the parameter. */
export function checkParams(method: FleetMethodName, params: unknown): ParamsCheck {
  const { params: names, required } = FLEET_API_TABLE[method];
  if (!Array.isArray(params)) return { ok: false, problems: [`${method}: expected a list of parameters`] };
  const max = names.length;
  if (params.length < required || params.length > max) {
    const takes = required === max ? `${max}` : `${required} to ${max}`;
    const named = max > 0 ? ` (${names.join(', ')})` : '';
    return { ok: false, problems: [`${method}: takes ${takes} parameter${max === 1 && required === max ? '' : 's'}${named}, got ${params.length}`] };
  }
  // A trailing parameter left out is undefined for the tuple.
  const padded = [...params, ...Array.from({ length: max - params.length }, () => undefined)];
  const r = PARAM_TUPLES[method].safeParse(padded);
  if (r.success) return { ok: true, params: params };
  return {
    ok: false,
    problems: r.error.issues.map((issue) => {
      const [index, ...rest] = issue.path;
      const name = typeof index === 'number' ? ((names as readonly string[])[index] ?? `parameter ${index + 1}`) : 'parameters';
      return `${method}: ${name}${rest.length ? `.${formatPath(rest)}` : ''}: ${issue.message}`;
    }),
  };
}
