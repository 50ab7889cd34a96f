// A capacity search as the app runs it: the shared CapacitySearch on a started controller, with
// its progress (plan, phase, finished steps, result) kept whole, so every change can be pushed
// to the UIs and a UI that connects late can be given all of it.
import type { CapacityProgress, CapacityResult } from '../../contract/capacity.ts';
import type { CapacityOptions } from '../../contract/capacity-options.ts';
import type { FleetController } from '../controller.ts';
import type { CapacityRunPlan } from './capacity-run.ts';
import { CapacitySearch } from './capacity-search.ts';

export class CapacitySession {
  private readonly search: CapacitySearch;
  private state: CapacityProgress;
  private running: Promise<CapacityResult> | null = null;

  constructor(
    controller: FleetController,
    plan: CapacityRunPlan,
    options: CapacityOptions,
    private readonly onProgress: (progress: CapacityProgress) => void,
  ) {
    this.state = { plan: { stepDevices: plan.steps, holdMs: options.holdMs, totalDevices: plan.totalDevices }, criteria: options.criteria, phase: null, steps: [], result: null };
    this.search = new CapacitySearch(controller, {
      steps: plan.steps,
      holdMs: options.holdMs,
      criteria: options.criteria,
      untilMs: options.untilMs,
      admitBudgetMs: plan.admitBudgetMs,
      onPhase: (_text, phase) => this.update({ phase }),
      onStep: (step) => this.update({ steps: [...this.state.steps, step] }),
    });
  }

  /** The search so far (a copy: pushes must not change under a listener). */
  progress(): CapacityProgress {
    return structuredClone(this.state);
  }

  /** Runs the search to its end (the run ends with it). */
  run(): Promise<CapacityResult> {
    this.running ??= this.search.run().then((result) => {
      this.finish(result);
      return result;
    });
    return this.running;
  }

  /** The result, before the run's 'ended' goes out (the controller has it once the search decides). */
  finish(result: CapacityResult): void {
    if (this.state.result) return;
    this.update({ phase: null, result, steps: result.steps });
  }

  /** The app's Stop: no more steps; resolves once the run has ended. */
  async stop(): Promise<void> {
    this.search.stop('stopped');
    await this.running;
  }

  private update(patch: Partial<CapacityProgress>): void {
    this.state = { ...this.state, ...patch };
    this.onProgress(this.progress());
  }
}
