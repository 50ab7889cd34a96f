// `fleetsim runs merge <run dirs or zips…> [--name NAME] [--dir DIR] [--force] [--json]`: one
// run from the records of a distributed run's shards. Exit codes: 0 merged (complete or not),
// 1 it could not be written, 2 bad input (nothing is left behind).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MergeError, mergeRuns } from '../runs/merge/merge-runs.ts';
import { resolveRunRef, RunRefError } from '../runs/run-ref.ts';
import { SettingsStore } from '../runs/settings-store.ts';
import { parseCommandArgs } from './command-args.ts';

export const RUNS_MERGE_USAGE = `usage: fleetsim runs merge <run…> [--name NAME] [--dir DIR] [--force] [--json]
  Builds one run in the runs directory from the records of a distributed run's shards
  (\`fleetsim run … --shard I/N --run-id R --record DIR\`): timelines aligned by wall-clock second
  and summed, latency percentiles recomputed from the shards' histograms, devices, event logs
  and fleet events of every shard (hosts renumbered fleet-wide), summary and report.html.
  <run> is a run directory, a run id from \`fleetsim runs\`, or a .zip from \`fleetsim export\`.
  --name NAME  the merged run's name (default: <run id>-merged)
  --dir DIR    the runs directory to write to, and to find run ids in (default: the app's setting)
  --force      merge records of different run ids or scenarios, or that name no shard (in the order given)
  --json       print the result as JSON on stdout (progress and messages always go to stderr)`;

export async function runsMergeCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'runs merge', usage: RUNS_MERGE_USAGE }, args, {
    name: { type: 'string' },
    dir: { type: 'string' },
    force: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (values.name !== undefined && !/[A-Za-z0-9]/.test(values.name)) {
    console.error(`fleetsim runs merge: --name must hold a letter or digit, got ${JSON.stringify(values.name)}`);
    return 2;
  }
  const runsDir = values.dir !== undefined ? resolve(values.dir) : new SettingsStore().get().runsDir;
  const sources: string[] = [];
  for (const p of positionals) {
    // A path is taken as it is (the merge says what is wrong with it); anything else may be a run id.
    if (existsSync(resolve(p)) || p.endsWith('.zip')) sources.push(p);
    else {
      try {
        sources.push(resolveRunRef(p, runsDir));
      } catch (err) {
        if (!(err instanceof RunRefError)) throw err;
        console.error(`fleetsim runs merge: ${err.message}`);
        return 2;
      }
    }
  }
  // Progress on stderr: a terminal gets one line rewritten, a log (a pod's) a line every few seconds.
  const tty = process.stderr.isTTY;
  let last = Date.now();
  const progress = (message: string) => {
    const now = Date.now();
    if (now - last < (tty ? 200 : 5000)) return;
    last = now;
    process.stderr.write(tty ? `\r\x1b[2K${message}` : `fleetsim runs merge: ${message}\n`);
  };
  try {
    const result = await mergeRuns(sources, { runsDir, name: values.name, force: values.force, progress });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    for (const w of result.warnings) console.error(`fleetsim runs merge: warning: ${w}`);
    if (values.json) console.log(JSON.stringify(result));
    else {
      const status = result.status === 'complete' ? 'complete' : `incomplete: ${result.reason}`;
      // stdout carries only --json output; the human summary goes with the progress.
      console.error(`merged ${result.shards} shards into ${result.id} in ${runsDir}`);
      console.error(`  ${result.devices.toLocaleString('en-US')} devices on ${result.hosts} hosts, ${result.timelineRows} seconds, ${status}`);
    }
    return 0;
  } catch (err) {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    if (err instanceof MergeError) {
      console.error(`fleetsim runs merge: ${err.message}`);
      return 2;
    }
    console.error(`fleetsim runs merge: the merged run could not be written: ${(err as Error).message}`);
    return 1;
  }
}
