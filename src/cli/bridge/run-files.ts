// The files of a recorded run that browser mode lets the page download: its exported .zip and
// its report.html. Both are found through the FleetService and written on demand when missing
// or older than the run's own files (a run still being recorded is written again each time).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportResult, ReportResult } from '../../contract/runs.ts';
import { defaultExportsDir } from '../../shared/home.ts';
import { RUN_FILES } from '../../runs/run-layout.ts';
import { runDir } from '../../runs/run-reader.ts';

export interface RunFiles {
  /** The run's .zip (exported now if need be); null when there is no such run. */
  exportFile(id: string): Promise<string | null>;
  /** The run's report.html (written now if need be); null when there is no such run. */
  reportFile(id: string): Promise<string | null>;
}

/** What the resolver needs of a FleetService. */
export interface RunFilesService {
  settings(): Promise<{ runsDir: string }>;
  exportRun(id: string): Promise<ExportResult>;
  reportRun(id: string): Promise<ReportResult>;
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** The newest change to the run's own files (not `except`, not temporary files). */
function newestChange(dir: string, except: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === except || name.endsWith('.tmp')) continue;
    newest = Math.max(newest, mtime(join(dir, name)));
  }
  return newest;
}

function upToDate(file: string, dir: string, except: string): boolean {
  return existsSync(file) && statSync(file).isFile() && mtime(file) >= newestChange(dir, except);
}

export function serviceRunFiles(service: RunFilesService, exportsDir: () => string = defaultExportsDir): RunFiles {
  // One write at a time per file: two downloads at once must not write the same temporary file.
  const pending = new Map<string, Promise<string | null>>();
  const once = (key: string, make: () => Promise<string | null>): Promise<string | null> => {
    const running = pending.get(key);
    if (running) return running;
    const p = make().finally(() => pending.delete(key));
    pending.set(key, p);
    return p;
  };
  const dirOf = async (id: string) => runDir((await service.settings()).runsDir, id);

  return {
    exportFile: (id) =>
      once(`export:${id}`, async () => {
        const dir = await dirOf(id);
        if (!dir) return null;
        const file = join(exportsDir(), `${id}.zip`);
        if (upToDate(file, dir, '')) return file;
        const r = await service.exportRun(id);
        if (!r.ok) throw new Error(r.problems.join('; '));
        return r.file;
      }),
    reportFile: (id) =>
      once(`report:${id}`, async () => {
        const dir = await dirOf(id);
        if (!dir) return null;
        const file = join(dir, RUN_FILES.report);
        if (upToDate(file, dir, RUN_FILES.report)) return file;
        const r = await service.reportRun(id);
        if (!r.ok) throw new Error(r.problems.join('; '));
        return r.file;
      }),
  };
}
