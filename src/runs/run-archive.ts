// A run as one .zip to share (yazl to write, yauzl to read: both stream, so a run larger than
// memory still packs and unpacks). The archive holds one folder, <run id>/, with the run's files;
// an import unpacks it into the runs directory under the same id.
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { RunRecord } from '../contract/runs.ts';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { redactionNoteFields } from './redact.ts';
import { writeReport } from './report/write-report.ts';
import { runDirProblems } from './run-check.ts';
import { DEVICES_PART_PATTERN, EVENT_LOG_PATTERN, isRunId, RUN_FILES, STILL_RECORDING } from './run-layout.ts';

const KNOWN_FILES = new Set<string>(Object.values(RUN_FILES));

/** Files a run directory may hold; nothing else is packed or unpacked. */
export function isRunFile(name: string): boolean {
  return KNOWN_FILES.has(name) || EVENT_LOG_PATTERN.test(name) || DEVICES_PART_PATTERN.test(name);
}

export interface ArchiveProgress {
  files: number;
  totalFiles: number;
  bytes: number;
}

/** Writes `dir` as a zip to `file` (a temp name, then renamed); resolves with the zip's size. */
export async function exportRunArchive(dir: string, file: string, onProgress?: (p: ArchiveProgress) => void): Promise<number> {
  if (!existsSync(join(dir, RUN_FILES.record))) throw new Error(`${dir} is not a run directory (no ${RUN_FILES.record})`);
  const id = basename(dir);
  const names = readdirSync(dir).filter(isRunFile).sort();
  const zip = new yazl.ZipFile();
  let bytes = 0;
  names.forEach((name, i) => {
    // Gzipped event log parts do not shrink again: store them as they are.
    zip.addFile(join(dir, name), `${id}/${name}`, { compress: !name.endsWith('.gz') });
    bytes += statSync(join(dir, name)).size;
    onProgress?.({ files: i + 1, totalFiles: names.length, bytes });
  });
  zip.end();
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.tmp`;
  await pipeline(zip.outputStream, createWriteStream(tmp));
  renameSync(tmp, file);
  return statSync(file).size;
}

/** The scenario fields a run's files say were redacted when it was recorded (scenario.json and scenario-source.json together). */
export function recordedRedactions(dir: string): string[] {
  const fields = new Set<string>();
  for (const name of [RUN_FILES.scenario, RUN_FILES.scenarioSource]) {
    try {
      for (const f of redactionNoteFields(JSON.parse(readFileSync(join(dir, name), 'utf8')))) fields.add(f);
    } catch {
      // Missing or unreadable: nothing said.
    }
  }
  return [...fields];
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip))));
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

export class ImportError extends Error {}

/** What an import unpacks at most: a run from elsewhere must not fill the disk or the memory of whoever reads it. */
export interface ImportLimits {
  /** Entries in the zip (a run has a dozen files, a few per host). */
  maxEntries: number;
  /** Bytes of one unpacked file. */
  maxEntryBytes: number;
  /** Bytes of one unpacked file that readers load whole (the JSON files and timeline.csv). */
  maxWholeFileBytes: number;
  /** Bytes unpacked in all. */
  maxTotalBytes: number;
  /** Unpacked to packed size, per entry (checked from 1 MiB unpacked on: small files may shrink a lot). */
  maxRatio: number;
}

const MiB = 1024 * 1024;
export const IMPORT_LIMITS: ImportLimits = {
  maxEntries: 10_000,
  maxEntryBytes: 2048 * MiB,
  maxWholeFileBytes: 64 * MiB,
  maxTotalBytes: 8192 * MiB,
  maxRatio: 500,
};

/** Files every reader loads whole: held to maxWholeFileBytes. */
const READ_WHOLE = new Set<string>([RUN_FILES.record, RUN_FILES.scenario, RUN_FILES.scenarioSource, RUN_FILES.summary, RUN_FILES.timeline]);

const mib = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MiB`;

/** Counts what streams through; fails once the entry or the whole import is over its cap (declared sizes may lie). */
function byteCap(name: string, entryCap: number, total: { bytes: number; cap: number }): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      total.bytes += chunk.length;
      if (seen > entryCap) return done(new ImportError(`${name}: unpacks to more than ${mib(entryCap)} (over the import cap for this file)`));
      if (total.bytes > total.cap) return done(new ImportError(`the archive unpacks to more than ${mib(total.cap)} in all (over the import cap)`));
      done(null, chunk);
    },
  });
}

/** Why the zip is refused before anything is unpacked, from its directory alone; null when it may be unpacked. */
function entryProblem(entry: yauzl.Entry, name: string, limits: ImportLimits): string | null {
  const cap = READ_WHOLE.has(name) ? Math.min(limits.maxWholeFileBytes, limits.maxEntryBytes) : limits.maxEntryBytes;
  if (entry.uncompressedSize > cap) return `${name}: unpacks to ${mib(entry.uncompressedSize)}, over the import cap of ${mib(cap)} for this file`;
  if (entry.uncompressedSize >= MiB && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
    return `${name}: compressed more than ${limits.maxRatio}:1 (${mib(entry.compressedSize)} unpacks to ${mib(entry.uncompressedSize)}): not a recorded run`;
  }
  return null;
}

/** A run exported while it was being recorded must not look "recording" here (its pid means nothing on this machine). */
function settleImportedRecord(file: string): void {
  let record: RunRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    throw new ImportError(`${RUN_FILES.record} in the archive is not valid JSON`);
  }
  if (record.status === 'complete' || record.endedAt) return;
  record.reason = record.reason === STILL_RECORDING ? 'exported before the run had ended' : record.reason;
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
}

/**
 * Unpacks an exported run into `runsDir`; resolves with the new run's id. The zip must hold one
 * run folder with a run.json; other entries, and a report.html (it is written again from the
 * run's data once the run is in place, never taken from a zip), are skipped. The run is unpacked to a hidden staging
 * directory under the caps in `limits`, checked (runDirProblems), and only then moved in; a
 * refused import leaves nothing behind. An id already present gets a suffix.
 */
export async function importRunArchive(file: string, runsDir: string, limits: Partial<ImportLimits> = {}): Promise<string> {
  const caps: ImportLimits = { ...IMPORT_LIMITS, ...limits };
  if (!existsSync(file)) throw new ImportError(`${file}: no such file`);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw new ImportError(`${file} is not a zip archive (${(err as Error).message})`);
  }
  if (zip.entryCount > caps.maxEntries) {
    zip.close();
    throw new ImportError(`${file} holds ${zip.entryCount} entries, more than ${caps.maxEntries} entries (over the import cap): not a recorded run`);
  }
  mkdirSync(runsDir, { recursive: true });
  const staging = join(runsDir, `.import-${process.pid}-${Date.now()}`);
  mkdirSync(staging, { recursive: true });
  const total = { bytes: 0, cap: caps.maxTotalBytes };
  let id: string | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const parts = entry.fileName.split('/');
          if (entry.fileName.endsWith('/')) return; // a folder entry
          if (parts.length !== 2 || !isRunId(parts[0])) throw new ImportError(`${entry.fileName}: not a file of a Fleetsim run (expected <run id>/<file>)`);
          if (id !== null && parts[0] !== id) throw new ImportError(`the archive holds more than one run (${id}, ${parts[0]})`);
          id = parts[0];
          const name = parts[1];
          if (!isRunFile(name) || name === RUN_FILES.report) return;
          const problem = entryProblem(entry, name, caps);
          if (problem) throw new ImportError(problem);
          const cap = READ_WHOLE.has(name) ? Math.min(caps.maxWholeFileBytes, caps.maxEntryBytes) : caps.maxEntryBytes;
          await pipeline(await openEntry(zip, entry), byteCap(name, cap, total), createWriteStream(join(staging, name)));
        })()
          .then(() => zip.readEntry())
          .catch((err: unknown) => {
            zip.close();
            reject(err);
          });
      });
      zip.readEntry();
    });
    if (id === null || !existsSync(join(staging, RUN_FILES.record))) throw new ImportError(`${file} holds no Fleetsim run (no <run id>/${RUN_FILES.record})`);
    const problems = runDirProblems(staging);
    if (problems.length > 0) throw new ImportError(`the run in ${file} is malformed: ${problems.join('; ')}`);
    settleImportedRecord(join(staging, RUN_FILES.record));
    let target: string = id;
    for (let n = 2; existsSync(join(runsDir, target)); n++) target = `${id}-${n}`;
    renameSync(staging, join(runsDir, target));
    // The report is always written here, from the run's data: a report.html from a zip could carry script.
    try {
      await writeReport(join(runsDir, target));
    } catch (err) {
      rmSync(join(runsDir, target), { recursive: true, force: true });
      throw new ImportError(`the run in ${file} is malformed: its report cannot be written (${(err as Error).message})`);
    }
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
