// The past runs the app can list, open, page through, export, import and report on: the
// FleetApi side of the runs directory. Every id that comes in from a page is checked to be a
// run directory name before any path is built from it.
import { join } from 'node:path';
import type { DeviceLog } from '../contract/device-log.ts';
import type { DevicePage, DeviceQuery } from '../contract/fleet-api.ts';
import type { ExportResult, ImportResult, ReportResult, RunDetail, RunListEntry } from '../contract/runs.ts';
import { defaultExportsDir } from '../shared/home.ts';
import { exportRunArchive, importRunArchive, ImportError, recordedRedactions } from '../runs/run-archive.ts';
import { listEntry, listRuns, readRun, runDevicesPage, runDeviceLog, runDir } from '../runs/run-reader.ts';
import { writeReport } from '../runs/report/write-report.ts';
import { CompareError, compareRunDirs } from '../runs/compare/compare-runs.ts';
import type { CompareResult } from '../contract/run-comparison.ts';

export class RunLibrary {
  constructor(private readonly runsDir: () => string) {}

  async list(): Promise<RunListEntry[]> {
    return listRuns(this.runsDir());
  }

  private dirOf(id: unknown): string | null {
    return typeof id === 'string' ? runDir(this.runsDir(), id) : null;
  }

  async open(id: string): Promise<RunDetail | null> {
    const dir = this.dirOf(id);
    return dir ? readRun(dir, id) : null;
  }

  async devices(id: string, query: DeviceQuery): Promise<DevicePage> {
    const dir = this.dirOf(id);
    const q = query ?? { offset: 0, limit: 100 };
    return dir ? runDevicesPage(dir, q) : { total: 0, offset: q.offset ?? 0, rows: [] };
  }

  async deviceLog(id: string, deviceId: string): Promise<DeviceLog | null> {
    const dir = this.dirOf(id);
    return dir && typeof deviceId === 'string' ? runDeviceLog(dir, deviceId) : null;
  }

  /** Writes run `id` as a zip to `file` (default: $FLEETSIM_HOME/exports/<id>.zip). */
  async export(id: string, file?: string): Promise<ExportResult> {
    const dir = this.dirOf(id);
    if (!dir) return { ok: false, problems: [`id: no run "${String(id)}" in ${this.runsDir()}`] };
    const out = file ?? join(defaultExportsDir(), `${id}.zip`);
    try {
      return { ok: true, file: out, bytes: await exportRunArchive(dir, out), redacted: recordedRedactions(dir) };
    } catch (err) {
      return { ok: false, problems: [`file: cannot write ${out}: ${(err as Error).message}`] };
    }
  }

  async import(file: unknown): Promise<ImportResult> {
    if (typeof file !== 'string' || file.trim() === '') return { ok: false, problems: ['file: expected the path of an exported run (.zip)'] };
    try {
      const id = await importRunArchive(file, this.runsDir());
      const dir = join(this.runsDir(), id);
      const entry = listEntry(dir, id);
      return entry ? { ok: true, run: entry } : { ok: false, problems: [`file: ${file} unpacked as ${id} but holds no readable run.json`] };
    } catch (err) {
      return { ok: false, problems: [`file: ${err instanceof ImportError ? err.message : `cannot import ${file}: ${(err as Error).message}`}`] };
    }
  }

  /** Runs `ids` compared, differences against the first; problems name the run that is missing or unreadable. */
  async compare(ids: string[]): Promise<CompareResult> {
    const dirs: string[] = [];
    for (const [i, id] of ids.entries()) {
      const dir = this.dirOf(id);
      if (!dir) return { ok: false, problems: [`ids[${i}]: no run "${String(id)}" in ${this.runsDir()}`] };
      dirs.push(dir);
    }
    try {
      return { ok: true, comparison: await compareRunDirs(dirs) };
    } catch (err) {
      if (err instanceof CompareError) return { ok: false, problems: [`ids: ${err.message}`] };
      throw err;
    }
  }

  async report(id: string): Promise<ReportResult> {
    const dir = this.dirOf(id);
    if (!dir) return { ok: false, problems: [`id: no run "${String(id)}" in ${this.runsDir()}`] };
    try {
      return { ok: true, file: await writeReport(dir) };
    } catch (err) {
      return { ok: false, problems: [`report: ${(err as Error).message}`] };
    }
  }
}
