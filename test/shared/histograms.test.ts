// Latency histograms cross processes as HdrHistogram's standard compressed base64 encoding:
// what one host records must come out the same in the controller, and stay readable by any
// HdrHistogram implementation (here the package's own public decoder).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import { bucketCounts, decodeHistogram, encodeHistogram, newHistogram, recordMs, summarize } from '../../src/shared/histograms.ts';

function sample() {
  const h = newHistogram();
  for (let i = 1; i <= 1000; i++) recordMs(h, i / 10); // 0.1 ms .. 100 ms
  recordMs(h, 5000);
  return h;
}

test('encode then decode keeps the count and the percentiles', () => {
  const h = sample();
  const back = decodeHistogram(encodeHistogram(h));
  assert.equal(back.totalCount, 1001);
  // Decoding keeps buckets, not exact values: the max comes back as its bucket's top (≤1% off).
  const { max: maxBack, ...restBack } = summarize(back);
  const { max: maxOrig, ...restOrig } = summarize(h);
  assert.deepEqual(restBack, restOrig);
  assert.ok(Math.abs(maxBack - maxOrig) <= maxOrig / 100, `max ${maxBack} vs ${maxOrig}`);
  assert.ok(Math.abs(summarize(back).p50 - 50) <= 0.5, `p50 ${summarize(back).p50}`);
  assert.ok(Math.abs(summarize(back).max - 5000) <= 50, `max ${summarize(back).max}`);
});

test('the encoding is the standard one: the public decoder reads it, and we read the public encoder', () => {
  const h = sample();
  const viaPublic = hdr.decodeFromCompressedBase64(encodeHistogram(h), 32);
  assert.equal(viaPublic.totalCount, 1001);
  assert.equal(viaPublic.getValueAtPercentile(99), h.getValueAtPercentile(99));
  const ref = hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 });
  ref.recordValue(1234);
  ref.recordValue(98_765);
  const ours = decodeHistogram(hdr.encodeIntoCompressedBase64(ref));
  assert.equal(ours.totalCount, 2);
  assert.ok(Math.abs(ours.maxValue - ref.maxValue) <= ref.maxValue / 100, `max ${ours.maxValue}`);
  assert.equal(ours.getValueAtPercentile(10), ref.getValueAtPercentile(10));
});

test('merging decoded deltas adds them up, and bucketCounts is cumulative', () => {
  const total = newHistogram();
  for (let host = 0; host < 3; host++) total.add(decodeHistogram(encodeHistogram(sample())));
  assert.equal(total.totalCount, 3003);
  // Bounds just above sample values: a bucket counts as its top value (≤1% above the recorded one).
  const b = bucketCounts(total, [1.05, 10.05, 100.5, 10_000]);
  assert.deepEqual(b.counts, [30, 300, 3000, 3003]);
  assert.equal(b.count, 3003);
});

test('out-of-range values are clamped, not thrown', () => {
  const h = newHistogram();
  recordMs(h, 0);
  recordMs(h, -3);
  recordMs(h, 10 * 3_600_000);
  assert.equal(h.totalCount, 3);
  assert.equal(h.minNonZeroValue, 1);
});
