// Latency histograms: HdrHistogram in microseconds, mergeable across hosts by
// shipping each interval's delta as HdrHistogram's compressed base64 encoding.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../contract/metrics.ts';

export type Histogram = hdr.Histogram;

/** 1 µs to 1 hour, 2 significant digits (1% error), 32-bit buckets. */
export function newHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32);
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
  // Our histograms are built in JS (no WebAssembly), so they carry a recorded-values iterator.
  const it = (h as unknown as hdr.JsHistogram).recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    const ms = v.valueIteratedTo / 1000;
    for (let i = 0; i < boundsMs.length; i++) if (ms <= boundsMs[i]) counts[i] += v.countAddedInThisIterationStep;
  }
  return { boundsMs, counts, count: h.totalCount, sumMs: h.totalCount ? (h.mean * h.totalCount) / 1000 : 0 };
}
