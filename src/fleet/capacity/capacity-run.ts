// A scenario made into a capacity search: the device counts of its steps, how long the gate may
// take to admit each, and the scenario's duration as an outer bound only (the search ends the
// run itself). Shared by `fleetsim capacity` and the app.
import type { CapacityOptions } from '../../contract/capacity-options.ts';
import type { Scenario } from '../../contract/scenario.ts';
import { planSteps } from './step-plan.ts';

export interface CapacityRunPlan {
  steps: number[];
  totalDevices: number;
  /** Most time the gate may take to let one step's new devices through. */
  admitBudgetMs: (stepDevices: number) => number;
}

/**
 * Plans the steps and readies `scenario` for the search (its duration becomes the outer bound,
 * its storms are dropped: a storm's drops would be judged against the step). Throws a
 * RangeError when the step makes too many steps.
 */
export function planCapacityRun(scenario: Scenario, opts: Pick<CapacityOptions, 'step' | 'untilDevices' | 'holdMs'>): CapacityRunPlan {
  const totalDevices = scenario.groups.reduce((n, g) => n + g.count, 0);
  const steps = planSteps(totalDevices, { step: opts.step, untilDevices: opts.untilDevices });
  // The gate lets devices through at the ramp: give each step twice that long, and 10 s more.
  const ramp = scenario.ramp;
  const admitBudgetMs = (n: number) => (ramp > 0 ? (n / ramp) * 2000 : 0) + 10_000;
  scenario.duration = steps.reduce((ms, n, i) => ms + opts.holdMs + admitBudgetMs(n - (steps[i - 1] ?? 0)) + 2000, 60_000);
  scenario.storms = [];
  return { steps, totalDevices, admitBudgetMs };
}
