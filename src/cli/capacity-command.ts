// `fleetsim capacity <scenario> [--step 10%|N] [--hold 60s] [--until N|30m] [--json] [criteria]`
// Exit codes: 0 a knee or the whole plan was reached and reported, 1 it could not run, 2 bad input.
import { resolve } from 'node:path';
import type { CapacityResult, CapacityStep } from '../contract/capacity.ts';
import { CapacitySearch } from '../fleet/capacity/capacity-search.ts';
import { planCapacityRun } from '../fleet/capacity/capacity-run.ts';
import { createRun } from '../fleet/recorded-run.ts';
import { loadScenarioWithInput, ScenarioError } from '../fleet/scenario-loader.ts';
import { SettingsStore } from '../runs/settings-store.ts';
import { mergeCapacityFlags, parseCapacityFlags } from '../contract/capacity-options.ts';
import { parseCommandArgs } from './command-args.ts';

export const CAPACITY_USAGE = `usage: fleetsim capacity <scenario|preset> [--step 10%|N] [--hold 60s] [--until N|DURATION] [--hosts N|auto] [--ramp N] [--json] [--record DIR|--no-record]
                        [--max-connect-failures 0.1%] [--max-drops 0.1%] [--max-connack-p99 1s] [--max-puback-p99 2s] [--max-loop-lag 50ms] [--max-cpu 90%]
  Adds devices in steps (a share of the fleet or a count), holds each step, and stops at the knee: the first step
  that breaks a criterion. Says the largest step held, what failed first and who gave out (target or generator).`;

const pct = (n: number) => `${Math.round(n * 100) / 100}%`;

export function stepLine(s: CapacityStep, steps: number, largestHeld: number): string {
  return [
    `step ${s.index}/${steps}: ${s.devices} devices`,
    `online ${s.online}`,
    `attempts ${s.attempts}`,
    `failures ${s.connectFailures}${s.attempts ? ` (${pct((s.connectFailures / s.attempts) * 100)})` : ''}`,
    `drops ${s.drops}`,
    `connack p99 ${s.connackP99Ms} ms`,
    `puback p99 ${s.pubackP99Ms} ms`,
    `loop lag ${s.loopLagP99Ms} ms, cpu ${s.cpuPct}%`,
    s.held ? 'HELD' : `FAILED: ${s.failures.map((f) => f.check).join(', ')}`,
    `largest held so far ${largestHeld}`,
  ].join(' | ');
}

export function capacityText(r: CapacityResult): string {
  const lines = [`Capacity search (${r.ended}): ${r.verdict}`];
  lines.push(`  steps: ${r.steps.length} of ${r.plan.stepDevices.length} planned, hold ${r.plan.holdMs / 1000} s each`);
  lines.push(`  largest step held: ${r.largestHeld} devices${r.knee !== null ? `; knee: ${r.knee} devices; who: ${r.who}` : ''}`);
  for (const f of r.steps.find((s) => !s.held)?.failures ?? []) lines.push(`  failed: ${f.detail}`);
  return lines.join('\n');
}

export async function capacityCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'capacity', usage: CAPACITY_USAGE }, args, {
    step: { type: 'string' },
    hold: { type: 'string' },
    until: { type: 'string' },
    hosts: { type: 'string' },
    ramp: { type: 'string' },
    json: { type: 'boolean', default: false },
    record: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
    'max-connect-failures': { type: 'string' },
    'max-drops': { type: 'string' },
    'max-connack-p99': { type: 'string' },
    'max-puback-p99': { type: 'string' },
    'max-loop-lag': { type: 'string' },
    'max-cpu': { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(`fleetsim capacity: give one scenario (a file or a preset)\n${CAPACITY_USAGE}`);
    return 2;
  }
  if (values['no-record'] && values.record !== undefined) {
    console.error('fleetsim capacity: --record and --no-record contradict each other');
    return 2;
  }
  const overrides: Record<string, unknown> = {};
  if (values.hosts !== undefined) overrides.hosts = values.hosts === 'auto' ? 'auto' : Number(values.hosts);
  if (values.ramp !== undefined) overrides.ramp = Number(values.ramp);
  let loaded;
  try {
    loaded = await loadScenarioWithInput(positionals[0], overrides);
  } catch (err) {
    if (err instanceof ScenarioError) {
      console.error(`fleetsim capacity: ${err.source} is not a valid scenario:`);
      for (const p of err.problems) console.error(`  ${p}`);
      return 2;
    }
    throw err;
  }
  const { scenario, input } = loaded;
  // The scenario's capacity block was checked when it loaded; a problem here is a flag's.
  const flags = parseCapacityFlags(mergeCapacityFlags(scenario.capacity, values));
  if (!flags.ok) {
    for (const p of flags.problems) console.error(`fleetsim capacity: ${p}`);
    return 2;
  }
  const opts = flags.options;
  let plan;
  try {
    plan = planCapacityRun(scenario, opts);
  } catch (err) {
    console.error(`fleetsim capacity: --step: ${(err as Error).message}`);
    return 2;
  }
  const { steps, totalDevices: total, admitBudgetMs } = plan;
  const settings = new SettingsStore().get();
  const runsDir = values.record !== undefined ? resolve(values.record) : settings.runsDir;
  const record = values['no-record'] || (!settings.record && values.record === undefined) ? null : { runsDir, eventLogMaxBytes: settings.eventLogMaxMB * 1048576, source: input };
  const { controller, recorder } = createRun(scenario, { record, admitLimit: steps[0] ?? 0 });
  const live = !values.json;
  const say = (line: string) => live && process.stderr.write(`${line}\n`);
  controller.on('event', (e) => {
    if (e.type === 'note') say(e.message);
    if (e.type === 'host-lost') say(`host ${e.hostId} lost (${e.reason})`);
  });
  let largestHeld = 0;
  const search = new CapacitySearch(controller, {
    steps,
    holdMs: opts.holdMs,
    criteria: opts.criteria,
    untilMs: opts.untilMs,
    admitBudgetMs,
    // The short judging pause is not worth a line.
    onPhase: (text, phase) => phase.stage !== 'judging' && say(text),
    onStep: (s) => {
      if (s.held) largestHeld = s.devices;
      say(stepLine(s, steps.length, largestHeld));
    },
  });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('stopping the search: no more devices are admitted, the fleet closes (Ctrl-C again to quit at once)');
    search.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    say(`fleetsim capacity: ${scenario.name}: up to ${steps[steps.length - 1] ?? 0} of ${total} devices in ${steps.length} steps, hold ${opts.holdMs / 1000} s`);
    try {
      await controller.start();
    } catch (err) {
      console.error(`fleetsim capacity: could not start: ${(err as Error).message}`);
      recorder?.abandon(`could not start: ${(err as Error).message}`);
      return 1;
    }
    const result = await search.run();
    await recorder?.finished;
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else console.log(capacityText(result));
    if (recorder && live) say(`run recorded in ${recorder.dir}`);
    if (interrupted) return 130;
    return result.ended === 'error' ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
