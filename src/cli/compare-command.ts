// `fleetsim compare <run> <run> [more…] [--json] [--out FILE] [--dir DIR]`: headline figures of
// recorded runs side by side with differences against the first, and compare.html with their
// timelines overlaid. Exit codes: 0 compared, 1 a run could not be read or the page written, 2 bad input.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MAX_COMPARED_RUNS } from '../contract/run-comparison.ts';
import { comparisonTable } from '../runs/compare/compare-format.ts';
import { CompareError, compareRunDirs, writeComparison } from '../runs/compare/compare-runs.ts';
import { ImportError, importRunArchive } from '../runs/run-archive.ts';
import { resolveRunRef, RunRefError } from '../runs/run-ref.ts';
import { parseCommandArgs } from './command-args.ts';
import { SettingsStore } from '../runs/settings-store.ts';

export const COMPARE_USAGE = `usage: fleetsim compare <run> <run> [more…] [--json] [--out FILE] [--dir DIR]
  Compares two to ${MAX_COMPARED_RUNS} recorded runs: headline figures (online, drops by reason, connect rate,
  p50/p99 per latency kind, generator CPU and RSS per device, thresholds) with differences
  against the first run, printed as a table, and compare.html with their timelines overlaid
  (one self-contained page, like report.html).
  <run> is a run directory, a run id from \`fleetsim runs\`, "latest", or a .zip from \`fleetsim export\`.
  --json      print the comparison as JSON instead of the table
  --out FILE  where to write the page (default: ./compare.html)
  --dir DIR   the runs directory (default: the app's setting, $FLEETSIM_HOME/runs)`;

export async function compareCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'compare', usage: COMPARE_USAGE }, args, {
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    dir: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length < 2 || positionals.length > MAX_COMPARED_RUNS) {
    const got = positionals.length < 2 ? `two runs or more to compare, got ${positionals.length}` : `at most ${MAX_COMPARED_RUNS} runs at once, got ${positionals.length}`;
    console.error(`fleetsim compare: expected ${got}\n${COMPARE_USAGE}`);
    return 2;
  }
  if (values.out !== undefined && values.out.trim() === '') {
    console.error('fleetsim compare: --out needs a file name');
    return 2;
  }
  const runsDir = values.dir !== undefined ? resolve(values.dir) : new SettingsStore().get().runsDir;
  // Zips are unpacked (checked as `fleetsim import` does) into a staging directory removed at the end.
  let staging: string | null = null;
  try {
    const dirs: string[] = [];
    for (const [i, ref] of positionals.entries()) {
      try {
        if (ref.endsWith('.zip') && existsSync(ref) && statSync(ref).isFile()) {
          staging ??= mkdtempSync(join(tmpdir(), 'fleetsim-compare-'));
          const into = join(staging, String(i));
          mkdirSync(into);
          dirs.push(join(into, await importRunArchive(resolve(ref), into)));
        } else dirs.push(resolveRunRef(ref, runsDir));
      } catch (err) {
        if (!(err instanceof RunRefError) && !(err instanceof ImportError)) throw err;
        console.error(`fleetsim compare: run ${i + 1} ("${ref}"): ${err.message}`);
        return 2;
      }
    }
    return await compareAndWrite(dirs, values.json, values.out);
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
}

async function compareAndWrite(dirs: string[], json: boolean, out: string | undefined): Promise<number> {
  let comparison;
  try {
    comparison = await compareRunDirs(dirs);
  } catch (err) {
    if (!(err instanceof CompareError)) throw err;
    console.error(`fleetsim compare: ${err.message}`);
    return 1;
  }
  const file = resolve(out ?? 'compare.html');
  try {
    writeComparison(comparison, file);
  } catch (err) {
    console.error(`fleetsim compare: could not write ${file}: ${(err as Error).message}`);
    return 1;
  }
  if (json) console.log(JSON.stringify({ ...comparison, html: file }, null, 2));
  else console.log(`${comparisonTable(comparison)}\ncompare.html written to ${file}`);
  return 0;
}
