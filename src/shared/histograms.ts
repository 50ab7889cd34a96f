// Latency histograms: HdrHistogram in microseconds, mergeable across hosts by
// shipping each interval's delta as HdrHistogram's compressed base64 encoding.
import type * as hdr from 'hdr-histogram-js';
import int32HistogramModule from 'hdr-histogram-js/dist/Int32Histogram.js';
import encodingModule from 'hdr-histogram-js/dist/JsHistogram.encoding.js';
import type { LatencySummary } from '../contract/metrics.ts';

// encodeIntoCompressedBase64 is added to JsHistogram's prototype by its encoding module.
export type Histogram = hdr.JsHistogram & { encodeIntoCompressedBase64(compressionLevel?: number): string };

// Only the plain-JS histogram and its encoding: the package's index also loads its WebAssembly
// build (a large inlined module and its loader), ~7 MB more in every host process. Imported
// statically (not through createRequire) so that bundles which take their dependencies in
// (the device host) contain them.
const Int32Histogram = int32HistogramModule.default as unknown as new (lowest: number, highest: number, digits: number) => Histogram;
const encoding = encodingModule as unknown as { decompress(data: Uint8Array): Uint8Array; doDecode(data: Uint8Array, bitBucketSize: 32): Histogram };

/** 1 µs to 1 hour, 2 significant digits (1% error), 32-bit buckets. */
export function newHistogram(): Histogram {
  const h = new Int32Histogram(1, 3_600_000_000, 2);
  h.autoResize = true;
  return h;
}

export function encodeHistogram(h: Histogram): string {
  return h.encodeIntoCompressedBase64();
}

export function decodeHistogram(encoded: string): Histogram {
  return encoding.doDecode(encoding.decompress(Buffer.from(encoded, 'base64')), 32);
}

/** Percentiles in milliseconds. */
export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

/** Records a duration in ms (fractional allowed) as µs, clamped to the histogram's range. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < 1 ? 1 : us > 3_600_000_000 ? 3_600_000_000 : us);
}

/** Cumulative counts of samples ≤ each bound (ms), as a Prometheus histogram wants them, plus the sum (ms). */
export interface BucketCounts {
  boundsMs: readonly number[];
  counts: number[];
  count: number;
  sumMs: number;
}

export function bucketCounts(h: Histogram, boundsMs: readonly number[]): BucketCounts {
  const counts = boundsMs.map(() => 0);
  const it = h.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    const ms = v.valueIteratedTo / 1000;
    for (let i = 0; i < boundsMs.length; i++) if (ms <= boundsMs[i]) counts[i] += v.countAddedInThisIterationStep;
  }
  return { boundsMs, counts, count: h.totalCount, sumMs: h.totalCount ? (h.mean * h.totalCount) / 1000 : 0 };
}
