// Reads a run's histograms.ndjson (see run-layout.ts): the seconds' encoded latency histograms
// and the whole run's. A torn last line (a crashed recorder) is skipped like in every NDJSON file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LATENCY_KINDS, type EncodedHistograms, type LatencyKind } from '../../contract/metrics.ts';
import type { SecondHistograms } from '../../contract/snapshot.ts';
import { decodeHistogram, newHistogram, type Histogram } from '../../shared/histograms.ts';
import { readNdjson } from '../ndjson.ts';
import { RUN_FILES } from '../run-layout.ts';

export interface HistogramsFile {
  seconds: SecondHistograms[];
  /** The whole run's, when the recorder got to write it (absent after a crash). */
  total: EncodedHistograms | null;
}

/** null when the run has no histograms file (recorded before runs kept them). */
export async function readHistogramsFile(dir: string): Promise<HistogramsFile | null> {
  const file = join(dir, RUN_FILES.histograms);
  if (!existsSync(file)) return null;
  const out: HistogramsFile = { seconds: [], total: null };
  for await (const line of readNdjson<Partial<SecondHistograms> & { total?: EncodedHistograms }>(file)) {
    if (line && typeof line === 'object' && line.total && typeof line.total === 'object') out.total = line.total;
    else if (line && typeof line.at === 'number' && line.h && typeof line.h === 'object') out.seconds.push({ t: Number(line.t) || 0, at: line.at, h: line.h });
  }
  return out;
}

export type HistogramSet = Partial<Record<LatencyKind, Histogram>>;

/** Adds encoded histograms into `into` (kinds it lacks are made); unknown kinds are ignored. */
export function addEncoded(into: HistogramSet, encoded: EncodedHistograms): HistogramSet {
  for (const k of LATENCY_KINDS) {
    const e = encoded[k];
    if (typeof e !== 'string') continue;
    (into[k] ??= newHistogram()).add(decodeHistogram(e));
  }
  return into;
}

/** A shard's whole-run histograms: its total line, or (after a crash) its seconds added up. */
export function shardTotal(file: HistogramsFile): HistogramSet {
  if (file.total) return addEncoded({}, file.total);
  const set: HistogramSet = {};
  for (const s of file.seconds) addEncoded(set, s.h);
  return set;
}
