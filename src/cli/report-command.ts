// `fleetsim report <run> [--dir DIR]`: writes report.html into a recorded run's directory and
// prints its path. Exit codes: 0 written, 1 it could not be written, 2 bad input.
import { resolve } from 'node:path';
import { writeReport } from '../runs/report/write-report.ts';
import { resolveRunRef, RunRefError } from '../runs/run-ref.ts';
import { SettingsStore } from '../runs/settings-store.ts';
import { parseCommandArgs } from './command-args.ts';

export const REPORT_USAGE = `usage: fleetsim report <run> [--dir DIR]
  Writes report.html into the run's directory (one self-contained page: figures, charts,
  storms and their recovery, failures, generator health) and prints its path.
  <run> is a run directory, a run id from \`fleetsim runs\`, or "latest".
  --dir DIR  the runs directory (default: the app's setting, $FLEETSIM_HOME/runs)`;

export async function reportCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'report', usage: REPORT_USAGE }, args, {
    dir: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    const got = positionals.length === 0 ? 'expected the run to report on' : `one run at a time, got ${positionals.length}`;
    console.error(`fleetsim report: ${got}\n${REPORT_USAGE}`);
    return 2;
  }
  const runsDir = values.dir !== undefined ? resolve(values.dir) : new SettingsStore().get().runsDir;
  let dir: string;
  try {
    dir = resolveRunRef(positionals[0], runsDir);
  } catch (err) {
    if (!(err instanceof RunRefError)) throw err;
    console.error(`fleetsim report: ${err.message}`);
    return 2;
  }
  let file: string;
  try {
    file = await writeReport(dir);
  } catch (err) {
    console.error(`fleetsim report: could not write the report of ${dir}: ${(err as Error).message}`);
    return 1;
  }
  console.log(file);
  return 0;
}
