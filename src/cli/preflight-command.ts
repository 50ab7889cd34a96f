// `fleetsim preflight [scenario|preset] [--hosts N|auto] [--json]`: will this machine hold the
// fleet? Every check with what was found and the fix. Exit 0 when the run would start (warnings
// allowed), 1 when it would be refused, 2 for bad input. `fleetsim run` makes the same checks.
import { readMachineFacts } from '../fleet/machine-facts.ts';
import { describeCheck, preflight } from '../fleet/preflight.ts';
import { loadScenario, ScenarioError } from '../fleet/scenario-loader.ts';
import { parseCommandArgs } from './command-args.ts';

export const PREFLIGHT_USAGE = `usage: fleetsim preflight [scenario.yaml|scenario.json|preset] [--hosts N|auto] [--json]
  Checks ports per source address and target, open files per host, the embedded target's
  socket budget, memory, listen backlogs and cores for the scenario, as \`fleetsim run\` does.`;

const MARK = { ok: 'ok  ', warn: 'WARN', error: 'FAIL' } as const;

export async function preflightCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'preflight', usage: PREFLIGHT_USAGE }, args, { hosts: { type: 'string' }, json: { type: 'boolean', default: false } });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    console.error(`fleetsim preflight: one scenario at a time\n${PREFLIGHT_USAGE}`);
    return 2;
  }
  let scenario;
  try {
    scenario = await loadScenario(positionals[0] ?? 'demo', values.hosts === undefined ? {} : { hosts: values.hosts === 'auto' ? 'auto' : Number(values.hosts) });
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    console.error(`fleetsim preflight: ${err.source} is not a valid scenario:`);
    for (const p of err.problems) console.error(`  ${p}`);
    return 2;
  }
  const report = preflight(scenario, readMachineFacts());
  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(`${scenario.name}: ${report.devices.toLocaleString('en-US')} devices on ${report.hosts} host(s)`);
    for (const c of report.checks) console.log(`  ${MARK[c.level]}  ${describeCheck(c)}`);
    console.log(report.ok ? 'the run would start' : 'the run would be refused: fix the FAIL lines first');
  }
  return report.ok ? 0 : 1;
}
