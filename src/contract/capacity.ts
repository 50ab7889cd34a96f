// Capacity search: add devices in steps, hold each step, stop at the first step whose criteria
// fail (the knee) and say who gave out. Shared by the CLI, the record and the report.

/** The bounds a step must stay within to count as held. */
export interface CapacityCriteria {
  /** Failed connection attempts (timeouts, refusals, resets …) as % of the step's attempts. */
  maxConnectFailurePct: number;
  /** Drops of online devices not caused by a storm, as % of the devices online at the step's end. */
  maxDropPct: number;
  /** CONNACK p99 over the step's window, ms. */
  maxConnackP99Ms: number;
  /** PUBACK p99 over the step's window, ms. */
  maxPubackP99Ms: number;
  /** Generator saturation: any host's event-loop lag p99 over this (ms) … */
  maxLoopLagP99Ms: number;
  /** … or CPU over this (% of one core) for at least 1 s and a tenth of the step's window. */
  maxCpuPct: number;
}

export const DEFAULT_CRITERIA: CapacityCriteria = {
  maxConnectFailurePct: 0.1,
  maxDropPct: 0.1,
  maxConnackP99Ms: 1000,
  maxPubackP99Ms: 2000,
  maxLoopLagP99Ms: 50,
  maxCpuPct: 90,
};

/** How the search proceeds. */
export interface CapacityPlanInput {
  /** Devices per step: a count, or a share of the fleet (`{ percent: 10 }`). */
  step: number | { percent: number };
  /** How long each step is held once its devices have been admitted, ms. */
  holdMs: number;
  /** Stop after this many devices (default: the whole fleet). */
  untilDevices?: number;
  /** Stop after this long, ms (the step running then is the last). */
  untilMs?: number;
}

export type CapacityCheck = 'connect-failures' | 'drops' | 'connack-p99' | 'puback-p99' | 'generator';

/** One criterion that a step broke, with the value seen and the bound. */
export interface CapacityFailure {
  check: CapacityCheck;
  value: number;
  limit: number;
  /** In words: "connect failures 16.7% of 300 attempts (limit 0.1%): connack-timeout 50". */
  detail: string;
}

/** What one step measured over its window (from raising the admit limit to the end of its hold). */
export interface CapacityStep {
  index: number;
  /** Devices admitted up to and including this step. */
  devices: number;
  startedAt: number;
  endedAt: number;
  online: number;
  attempts: number;
  connectFailures: number;
  failureReasons: Record<string, number>;
  drops: number;
  dropReasons: Record<string, number>;
  connackP99Ms: number;
  pubackP99Ms: number;
  /** The worst host's loop-lag p99 and CPU over the window. */
  loopLagP99Ms: number;
  cpuPct: number;
  generatorSaturated: boolean;
  held: boolean;
  failures: CapacityFailure[];
}

export type CapacityWho = 'target' | 'generator' | 'none';

export interface CapacityResult {
  plan: { stepDevices: number[]; holdMs: number; totalDevices: number };
  criteria: CapacityCriteria;
  steps: CapacityStep[];
  /** The devices of the first step that failed, or null when every step held. */
  knee: number | null;
  /** The largest step that held (0 when the first one failed). */
  largestHeld: number;
  /** What failed first at the knee (null when none failed). */
  firstFailure: CapacityFailure | null;
  /** Who gave out: the target (the generator was healthy), the generator itself, or none. */
  who: CapacityWho;
  /** One sentence for people. */
  verdict: string;
  /** Why the search ended: the knee, the whole plan held, the time limit, a stop, or an error. */
  ended: 'knee' | 'completed' | 'time-limit' | 'stopped' | 'error';
}

/** Where a running search is: the step (1-based, of `of`) and what it does now. */
export interface CapacityPhase {
  step: number;
  of: number;
  /** Devices admitted up to the end of this step. */
  devices: number;
  stage: 'admitting' | 'holding' | 'judging';
  /** In words, as `fleetsim capacity` prints it. */
  text: string;
}

/** A search as the app follows it: the plan, where it is, each finished step and, at the end, the result. */
export interface CapacityProgress {
  plan: { stepDevices: number[]; holdMs: number; totalDevices: number };
  criteria: CapacityCriteria;
  /** Null once the search has ended. */
  phase: CapacityPhase | null;
  steps: CapacityStep[];
  result: CapacityResult | null;
}
