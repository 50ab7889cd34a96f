// `fleetsim runs`, `fleetsim export <run> [file.zip]`, `fleetsim import <file.zip>`: the
// recorded runs on this machine, and moving one to another.
import { basename, join, resolve } from 'node:path';
import { exportRunArchive, importRunArchive, ImportError, recordedRedactions } from '../runs/run-archive.ts';
import { listRuns } from '../runs/run-reader.ts';
import { resolveRunRef, RunRefError } from '../runs/run-ref.ts';
import { SettingsStore } from '../runs/settings-store.ts';
import { parseCommandArgs } from './command-args.ts';
import { runsMergeCommand } from './runs-merge-command.ts';

export const RUNS_USAGE = `usage: fleetsim runs [--dir DIR] [--json]          list recorded runs, newest first
       fleetsim runs merge <run…> [--name NAME]      one run from a distributed run's shards (see runs merge --help)
       fleetsim export <run> [file.zip] [--dir DIR]  pack a run into one .zip (default ./<run id>.zip)
       fleetsim import <file.zip> [--dir DIR]        unpack an exported run into the runs directory
  <run> is a run directory, a run id from \`fleetsim runs\`, or "latest".
  --dir DIR  the runs directory (default: the app's setting, $FLEETSIM_HOME/runs)`;

function parse(args: string[], command: string) {
  return parseCommandArgs({ command, usage: RUNS_USAGE }, args, { dir: { type: 'string' }, json: { type: 'boolean' } });
}

const runsDirOf = (dir: string | undefined) => (dir ? resolve(dir) : new SettingsStore().get().runsDir);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export async function runsCommand(args: string[]): Promise<number> {
  if (args[0] === 'merge') return runsMergeCommand(args.slice(1));
  const p = parse(args, 'runs');
  if (typeof p === 'number') return p;
  const runsDir = runsDirOf(p.values.dir);
  const runs = listRuns(runsDir);
  if (p.values.json) {
    console.log(JSON.stringify(runs));
    return 0;
  }
  if (runs.length === 0) console.log(`no recorded runs in ${runsDir}`);
  for (const r of runs) {
    const status = r.status === 'complete' ? 'complete' : `${r.status}${r.reason ? `: ${r.reason}` : ''}`;
    console.log(`${r.id}  ${r.devices.toLocaleString('en-US')} devices, peak online ${r.peakOnline?.toLocaleString('en-US') ?? '?'}, ${mb(r.bytes)}  ${status}`);
  }
  return 0;
}

export async function exportCommand(args: string[]): Promise<number> {
  const p = parse(args, 'export');
  if (typeof p === 'number') return p;
  if (p.positionals.length < 1 || p.positionals.length > 2) {
    console.error(`fleetsim export: expected <run> [file.zip]\n${RUNS_USAGE}`);
    return 2;
  }
  let dir: string;
  try {
    dir = resolveRunRef(p.positionals[0], runsDirOf(p.values.dir));
  } catch (err) {
    if (!(err instanceof RunRefError)) throw err;
    console.error(`fleetsim export: ${err.message}`);
    return 2;
  }
  const file = resolve(p.positionals[1] ?? join(process.cwd(), `${basename(dir)}.zip`));
  if (!file.endsWith('.zip')) {
    console.error(`fleetsim export: ${file}: the archive name must end in .zip`);
    return 2;
  }
  const bytes = await exportRunArchive(dir, file, ({ files, totalFiles }) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2Kpacking ${files}/${totalFiles} files`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(`${file} (${mb(bytes)})`);
  const redacted = recordedRedactions(dir);
  if (redacted.length > 0) console.log(`redacted when recorded: ${redacted.join(', ')} (not in the zip)`);
  return 0;
}

export async function importCommand(args: string[]): Promise<number> {
  const p = parse(args, 'import');
  if (typeof p === 'number') return p;
  if (p.positionals.length !== 1) {
    console.error(`fleetsim import: expected one <file.zip>\n${RUNS_USAGE}`);
    return 2;
  }
  const runsDir = runsDirOf(p.values.dir);
  try {
    const id = await importRunArchive(resolve(p.positionals[0]), runsDir);
    console.log(`imported as ${id} in ${runsDir}`);
    return 0;
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    console.error(`fleetsim import: ${err.message}`);
    return 2;
  }
}
