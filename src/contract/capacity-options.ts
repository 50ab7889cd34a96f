// Capacity search settings → a checked plan and criteria, with one message per bad setting. The
// same words come from `fleetsim capacity` flags and from a scenario's `capacity:` block.
import { DEFAULT_CRITERIA, type CapacityCriteria } from './capacity.ts';
import { formatDuration, parseDuration } from './duration.ts';

export interface CapacityFlags {
  step?: string;
  hold?: string;
  until?: string;
  'max-connect-failures'?: string;
  'max-drops'?: string;
  'max-connack-p99'?: string;
  'max-puback-p99'?: string;
  'max-loop-lag'?: string;
  'max-cpu'?: string;
}

export interface CapacityOptions {
  step: number | { percent: number };
  holdMs: number;
  untilDevices?: number;
  untilMs?: number;
  criteria: CapacityCriteria;
}

/** A step of a tenth of the fleet, held a minute: what a search uses when not told otherwise. */
export const DEFAULT_STEP = { percent: 10 } as const;
export const DEFAULT_HOLD_MS = 60_000;

const COUNT = /^[1-9]\d*$/;
const PERCENT = /^(\d+(?:\.\d+)?)%$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

export function parseCapacityFlags(v: CapacityFlags): { ok: true; options: CapacityOptions } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  let step: CapacityOptions['step'] = { ...DEFAULT_STEP };
  if (v.step !== undefined) {
    const pct = PERCENT.exec(v.step);
    if (pct && Number(pct[1]) > 0 && Number(pct[1]) <= 100) step = { percent: Number(pct[1]) };
    else if (COUNT.test(v.step)) step = Number(v.step);
    else problems.push(`--step: expected a device count such as 100 or a share such as 10% (over 0, at most 100%), got ${JSON.stringify(v.step)}`);
  }
  let holdMs = DEFAULT_HOLD_MS;
  if (v.hold !== undefined) {
    const ms = parseDuration(v.hold);
    if (ms === undefined || ms < 1000) problems.push(`--hold: expected a duration of at least 1s such as 60s or 2m, got ${JSON.stringify(v.hold)}`);
    else holdMs = ms;
  }
  let untilDevices: number | undefined;
  let untilMs: number | undefined;
  if (v.until !== undefined) {
    if (COUNT.test(v.until)) untilDevices = Number(v.until);
    else {
      const ms = parseDuration(v.until);
      if (ms === undefined || ms < 1000) problems.push(`--until: expected a device count such as 5000 or a duration such as 30m, got ${JSON.stringify(v.until)}`);
      else untilMs = ms;
    }
  }
  const criteria = { ...DEFAULT_CRITERIA };
  const pctFlag = (flag: keyof CapacityFlags, key: keyof CapacityCriteria) => {
    const text = v[flag];
    if (text === undefined) return;
    const m = /^(\d+(?:\.\d+)?)%?$/.exec(text);
    if (!m || Number(m[1]) > 100) problems.push(`--${flag}: expected a percentage from 0 to 100 such as 0.1%, got ${JSON.stringify(text)}`);
    else criteria[key] = Number(m[1]);
  };
  const msFlag = (flag: keyof CapacityFlags, key: keyof CapacityCriteria) => {
    const text = v[flag];
    if (text === undefined) return;
    const ms = NUMBER.test(text) ? Number(text) : parseDuration(text);
    if (ms === undefined || ms <= 0) problems.push(`--${flag}: expected a time over 0 such as 1s or 500ms (a bare number is ms), got ${JSON.stringify(text)}`);
    else criteria[key] = ms;
  };
  pctFlag('max-connect-failures', 'maxConnectFailurePct');
  pctFlag('max-drops', 'maxDropPct');
  msFlag('max-connack-p99', 'maxConnackP99Ms');
  msFlag('max-puback-p99', 'maxPubackP99Ms');
  msFlag('max-loop-lag', 'maxLoopLagP99Ms');
  if (v['max-cpu'] !== undefined) {
    const m = /^(\d+(?:\.\d+)?)%?$/.exec(v['max-cpu']);
    if (!m || Number(m[1]) <= 0) problems.push(`--max-cpu: expected a CPU share of one core over 0 such as 90%, got ${JSON.stringify(v['max-cpu'])}`);
    else criteria.maxCpuPct = Number(m[1]);
  }
  return problems.length ? { ok: false, problems } : { ok: true, options: { step, holdMs, untilDevices, untilMs, criteria } };
}

/** A scenario's `capacity:` block: the flags' settings by the same names, in camelCase. */
export const CAPACITY_KEYS = {
  step: 'step',
  hold: 'hold',
  until: 'until',
  maxConnectFailures: 'max-connect-failures',
  maxDrops: 'max-drops',
  maxConnackP99: 'max-connack-p99',
  maxPubackP99: 'max-puback-p99',
  maxLoopLag: 'max-loop-lag',
  maxCpu: 'max-cpu',
} as const satisfies Record<string, keyof CapacityFlags>;

export type ScenarioCapacity = Partial<Record<keyof typeof CAPACITY_KEYS, string | number>>;

/** The scenario's block as flags (numbers as written), for parseCapacityFlags; `flags` win. */
export function mergeCapacityFlags(block: ScenarioCapacity | undefined, flags: CapacityFlags): CapacityFlags {
  const out: CapacityFlags = {};
  for (const [key, flag] of Object.entries(CAPACITY_KEYS) as Array<[keyof typeof CAPACITY_KEYS, keyof CapacityFlags]>) {
    const v = flags[flag] ?? block?.[key];
    if (v !== undefined) out[flag] = String(v);
  }
  return out;
}

/** The defaults as a `capacity:` block would write them (the app's form starts from these). */
export function defaultCapacityBlock(): Required<Omit<ScenarioCapacity, 'until'>> {
  const c = DEFAULT_CRITERIA;
  return {
    step: `${DEFAULT_STEP.percent}%`,
    hold: `${DEFAULT_HOLD_MS / 1000}s`,
    maxConnectFailures: `${c.maxConnectFailurePct}%`,
    maxDrops: `${c.maxDropPct}%`,
    maxConnackP99: formatDuration(c.maxConnackP99Ms),
    maxPubackP99: formatDuration(c.maxPubackP99Ms),
    maxLoopLag: formatDuration(c.maxLoopLagP99Ms),
    maxCpu: `${c.maxCpuPct}%`,
  };
}

/** parseCapacityFlags' problems ("--max-drops: …") as a block's field paths ("capacity.maxDrops: …"). */
export function blockProblem(problem: string, prefix = 'capacity'): string {
  const flag = /^--([a-z0-9-]+): /.exec(problem)?.[1];
  const key = Object.entries(CAPACITY_KEYS).find(([, f]) => f === flag)?.[0];
  return key ? `${prefix}.${key}: ${problem.slice(flag!.length + 4)}` : `${prefix}: ${problem}`;
}
