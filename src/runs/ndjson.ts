// Reads NDJSON files (plain or gzipped) line by line, never whole: a run's event logs can be
// larger than memory. A line that does not parse (the torn last line of a file a crashed
// process was appending to) is counted and skipped, not fatal.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { constants, createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface NdjsonStats {
  lines: number;
  skipped: number;
}

function open(file: string): Readable {
  const raw = createReadStream(file);
  if (!file.endsWith('.gz')) return raw;
  // Sync flush at the end: a part cut short yields what was inflated instead of an error.
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/** Each line of `file` (plain or .gz) as text. */
export function readLines(file: string): AsyncIterable<string> {
  return createInterface({ input: open(file), crlfDelay: Infinity });
}

/** Yields each parsed line of `file`; `stats` counts the lines read and skipped. */
export async function* readNdjson<T>(file: string, stats: NdjsonStats = { lines: 0, skipped: 0 }): AsyncGenerator<T> {
  for await (const line of readLines(file)) {
    if (line === '') continue;
    let value: T;
    try {
      value = JSON.parse(line) as T;
    } catch {
      stats.skipped++;
      continue;
    }
    stats.lines++;
    yield value;
  }
}
