// A run as one .zip to share (yazl to write, yauzl to read: both stream, so a run larger than
// memory still packs and unpacks). The archive holds one folder, <run id>/, with the run's files;
// an import unpacks it into the runs directory under the same id.
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { RunRecord } from '../contract/runs.ts';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
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

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip))));
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

export class ImportError extends Error {}

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
 * run folder with a run.json; other entries are skipped. An id already present gets a suffix.
 */
export async function importRunArchive(file: string, runsDir: string): Promise<string> {
  if (!existsSync(file)) throw new ImportError(`${file}: no such file`);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw new ImportError(`${file} is not a zip archive (${(err as Error).message})`);
  }
  const staging = join(runsDir, `.import-${process.pid}-${Date.now()}`);
  mkdirSync(staging, { recursive: true });
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
          if (!isRunFile(parts[1])) return;
          await pipeline(await openEntry(zip, entry), createWriteStream(join(staging, parts[1])));
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
    settleImportedRecord(join(staging, RUN_FILES.record));
    let target: string = id;
    for (let n = 2; existsSync(join(runsDir, target)); n++) target = `${id}-${n}`;
    renameSync(staging, join(runsDir, target));
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
