// Drives a capacity search on a started FleetController: raises the admit limit step by step,
// waits until the step's devices have been let through the gate, holds, judges the step's
// window and stops at the first step that fails. Then it stops admitting and ends the run in
// order: hosts stop their devices, which never reconnect once stopping (no avalanche).
import type { CapacityCriteria, CapacityPhase, CapacityResult, CapacityStep } from '../../contract/capacity.ts';
import type { RunSummary } from '../../contract/snapshot.ts';
import type { MetricsBatch } from '../../contract/metrics.ts';
import type { FleetController } from '../controller.ts';
import { evaluateStep, generatorSaturated, whoGaveOut } from './criteria.ts';
import { StepWindow } from './step-window.ts';

const POLL_MS = 250;

export interface SearchOptions {
  steps: number[];
  holdMs: number;
  criteria: CapacityCriteria;
  /** The search ends after the step running at this time (ms since it began). */
  untilMs?: number;
  /** Most time the gate may take to let one step's devices through before the hold starts anyway. */
  admitBudgetMs: (stepDevices: number) => number;
  onStep?: (step: CapacityStep) => void;
  /** What the search does now, in words and as figures. */
  onPhase?: (text: string, phase: CapacityPhase) => void;
}

export class CapacitySearch {
  private stopAsked = false;
  private stopReason: RunSummary['endReason'] = 'signal';
  private window: StepWindow | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly controller: FleetController,
    private readonly opts: SearchOptions,
  ) {}

  /** Ends the search after the current wait (Ctrl-C, the app's Stop); the result says `stopped`, the run `endReason`. */
  stop(endReason: RunSummary['endReason'] = 'signal'): void {
    this.stopAsked = true;
    this.stopReason = endReason;
    this.wake?.();
  }

  /** Runs every step until the knee, then stops the run; resolves with the result (also in the summary). */
  async run(): Promise<CapacityResult> {
    const { controller, opts } = this;
    const onBatch = (b: MetricsBatch) => this.window?.add(b);
    controller.on('batch', onBatch);
    let runEnded = false;
    void controller.done.then(() => {
      runEnded = true;
      this.wake?.();
    });
    const began = Date.now();
    const steps: CapacityStep[] = [];
    let ended: CapacityResult['ended'] = 'completed';
    try {
      for (let i = 0; i < opts.steps.length; i++) {
        const devices = opts.steps[i];
        const startedAt = Date.now();
        this.window = new StepWindow(opts.criteria);
        controller.setAdmitLimit(devices);
        const phase = (stage: CapacityPhase['stage'], text: string) => opts.onPhase?.(text, { step: i + 1, of: opts.steps.length, devices, stage, text });
        phase('admitting', `step ${i + 1}/${opts.steps.length}: admitting up to ${devices} devices`);
        const waiting = controller.deviceCount - devices;
        await this.until(() => this.admitted(waiting), opts.admitBudgetMs(devices - (opts.steps[i - 1] ?? 0)), () => runEnded);
        if (!this.stopAsked && !runEnded) {
          phase('holding', `step ${i + 1}/${opts.steps.length}: holding ${devices} devices for ${opts.holdMs / 1000} s`);
          await this.until(() => false, opts.holdMs, () => runEnded);
        }
        if (runEnded) {
          ended = 'error';
          break;
        }
        if (this.stopAsked) {
          ended = 'stopped';
          break;
        }
        // Let the hosts' last batches of the window arrive before judging it.
        phase('judging', `step ${i + 1}/${opts.steps.length}: judging ${devices} devices`);
        await this.until(() => false, POLL_MS * 2, () => runEnded);
        const w = this.window.figures();
        const online = controller.snapshot().gauges.online;
        const failures = evaluateStep(w, online, opts.criteria);
        const step: CapacityStep = {
          index: i + 1,
          devices,
          startedAt,
          endedAt: Date.now(),
          online,
          attempts: w.attempts,
          connectFailures: w.connectFailures,
          failureReasons: w.failureReasons,
          drops: w.drops,
          dropReasons: w.dropReasons,
          connackP99Ms: w.connackP99Ms,
          pubackP99Ms: w.pubackP99Ms,
          loopLagP99Ms: w.loopLagP99Ms,
          cpuPct: w.cpuPct,
          generatorSaturated: generatorSaturated(w),
          held: failures.length === 0,
          failures,
        };
        steps.push(step);
        opts.onStep?.(step);
        if (!step.held) {
          ended = 'knee';
          break;
        }
        if (opts.untilMs !== undefined && Date.now() - began >= opts.untilMs && i < opts.steps.length - 1) {
          ended = 'time-limit';
          break;
        }
      }
    } finally {
      controller.off('batch', onBatch);
      this.window = null;
    }
    const result = summarize(opts, controller.deviceCount, steps, ended);
    // Stop admitting first devices; the stop that follows never reconnects anyone.
    controller.setAdmitLimit(steps.length ? steps[steps.length - 1].devices : 0);
    controller.setCapacityResult(result);
    await controller.stop(ended === 'stopped' ? this.stopReason : ended === 'error' ? 'error' : 'stopped');
    return result;
  }

  /** Every host has reported, and no more than `waiting` devices are still idle (not yet let through). */
  private admitted(waiting: number): boolean {
    const g = this.controller.snapshot().gauges;
    const reported = Object.values(g).reduce((a, b) => a + b, 0);
    return reported >= this.controller.deviceCount && g.idle <= waiting;
  }

  /** Waits until `done()` holds or `ms` pass, checking every POLL_MS; a stop or `abort()` ends it early. */
  private async until(done: () => boolean, ms: number, abort: () => boolean): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && !abort() && !this.stopAsked && Date.now() < deadline) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = null;
    }
  }
}

export function summarize(opts: Pick<SearchOptions, 'steps' | 'holdMs' | 'criteria'>, totalDevices: number, steps: CapacityStep[], ended: CapacityResult['ended']): CapacityResult {
  const kneeStep = steps.find((s) => !s.held) ?? null;
  const held = steps.filter((s) => s.held);
  const largestHeld = held.length ? held[held.length - 1].devices : 0;
  const firstFailure = kneeStep?.failures[0] ?? null;
  const who = kneeStep ? whoGaveOut(kneeStep.failures) : 'none';
  let verdict: string;
  if (kneeStep) {
    const by = who === 'generator' ? 'the generator gave out first (its figures are not the target’s)' : 'the target gave out while the generator was healthy';
    verdict = `knee at ${kneeStep.devices} devices: ${by}: ${firstFailure!.detail}; largest step held: ${largestHeld} devices`;
  } else if (ended === 'completed') verdict = `every step held, up to ${largestHeld} devices: no knee within the plan`;
  else if (ended === 'time-limit') verdict = `time limit reached: every step held, up to ${largestHeld} devices; no knee found`;
  else if (ended === 'stopped') verdict = `stopped before a knee was found; largest step held: ${largestHeld} devices`;
  else verdict = `the run ended before the search did; largest step held: ${largestHeld} devices`;
  return { plan: { stepDevices: opts.steps, holdMs: opts.holdMs, totalDevices }, criteria: opts.criteria, steps, knee: kneeStep?.devices ?? null, largestHeld, firstFailure, who, verdict, ended };
}
