// What a user may type to name a recorded run: a path to its directory, its id (the directory
// name) in the runs directory, or `latest`.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listRuns } from './run-reader.ts';
import { RUN_FILES } from './run-layout.ts';

export class RunRefError extends Error {}

/** The run directory `ref` names; throws RunRefError saying what was wrong. */
export function resolveRunRef(ref: string, runsDir: string): string {
  if (ref === 'latest') {
    const newest = listRuns(runsDir).find((r) => r.status !== 'recording');
    if (!newest) throw new RunRefError(`no recorded runs in ${runsDir}`);
    return newest.dir;
  }
  for (const dir of [resolve(ref), join(runsDir, ref)]) {
    if (!existsSync(dir)) continue;
    if (!statSync(dir).isDirectory()) throw new RunRefError(`${dir} is a file, not a run directory`);
    if (!existsSync(join(dir, RUN_FILES.record))) throw new RunRefError(`${dir} is not a run directory (it has no ${RUN_FILES.record})`);
    return dir;
  }
  throw new RunRefError(`no run "${ref}": not a directory, and not a run in ${runsDir} (try \`fleetsim runs\`)`);
}
