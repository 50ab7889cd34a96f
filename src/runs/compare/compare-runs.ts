// Reads the runs to compare from disk (as `fleetsim report` does) and writes compare.html
// with a rename, so a reader never sees half a page.
import { renameSync, writeFileSync } from 'node:fs';
import { MAX_COMPARED_RUNS, type RunComparison } from '../../contract/run-comparison.ts';
import { readReportInput } from '../report/write-report.ts';
import { compareRuns } from './compare-model.ts';
import { renderComparison } from './render-compare.ts';

/** A run that cannot be compared: which one, and why. */
export class CompareError extends Error {}

/** The comparison of the runs in `dirs` (two or more), differences against the first. */
export async function compareRunDirs(dirs: readonly string[]): Promise<RunComparison> {
  if (dirs.length < 2) throw new CompareError(`a comparison needs two runs or more, got ${dirs.length}`);
  if (dirs.length > MAX_COMPARED_RUNS) throw new CompareError(`at most ${MAX_COMPARED_RUNS} runs at once, got ${dirs.length}`);
  const inputs = [];
  for (const dir of dirs) {
    let input;
    try {
      input = await readReportInput(dir);
    } catch (err) {
      throw new CompareError(`${dir}: ${(err as Error).message}`);
    }
    const { reason } = input.detail.entry;
    if (reason?.startsWith('unreadable:')) throw new CompareError(`${dir} cannot be read as a run (${reason.slice('unreadable:'.length).trim()})`);
    inputs.push(input);
  }
  return compareRuns(inputs);
}

export function writeComparison(comparison: RunComparison, file: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, renderComparison(comparison, Date.now()));
  renameSync(tmp, file);
}
