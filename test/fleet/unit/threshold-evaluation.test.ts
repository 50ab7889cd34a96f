// Thresholds checked against a run's summary (whole run) and its one-second timeline (windows).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TimelinePoint } from '../../../src/contract/snapshot.ts';
import { parseThreshold, type Threshold } from '../../../src/contract/thresholds.ts';
import { evaluateThresholds, thresholdsHeld } from '../../../src/fleet/threshold-evaluation.ts';
import { point, summary } from '../../renderer/fixtures.ts';

function t(text: string, window: number | null = null): Threshold {
  const parsed = parseThreshold(text, window);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

const START = 1_700_000_000_000;

describe('evaluateThresholds over a whole run', () => {
  const s = summary({
    devices: 1000,
    online: 998,
    connectAttempts: 1100,
    connects: 1050,
    connectFailures: 50,
    disconnects: 30,
    durationMs: 60_000,
    saturation: [
      { hostId: 1, firstAt: START, t: 5, seconds: 3, worstLoopLagP99Ms: 80, worstCpuPct: 95 },
      { hostId: 1, firstAt: START + 20_000, t: 20, seconds: 2, worstLoopLagP99Ms: 70, worstCpuPct: 93 },
    ],
    generatorSaturated: true,
    latencyMs: { ...summary().latencyMs, puback: { count: 500, p50: 40, p90: 120, p99: 187.5, max: 900 }, connack: { count: 1050, p50: 3, p90: 8, p99: 1200, max: 1500 } },
  });

  test('each threshold gets its measured value, in its unit, and whether it held', () => {
    const r = evaluateThresholds(
      [t('online >= 99.9%'), t('online >= 99%'), t('puback.p99 < 200ms'), t('connack.p99 < 1s'), t('disconnects/s < 1'), t('connectFailures == 0'), t('saturation == 0'), t('connectFailures < 5%'), t('puback.max <= 0.9s')],
      s,
      [],
    );
    assert.deepEqual(
      r.map((x) => [x.check, x.measured, x.unit, x.pass]),
      [
        ['online >= 99.9%', 99.8, '%', false],
        ['online >= 99%', 99.8, '%', true],
        ['puback.p99 < 200ms', 187.5, 'ms', true],
        ['connack.p99 < 1s', 1200, 'ms', false],
        ['disconnects/s < 1', 0.5, '/s', true],
        ['connectFailures == 0', 50, '', false],
        // One host saturated twice is one saturated host.
        ['saturation == 0', 1, '', false],
        ['connectFailures < 5%', (50 * 100) / 1100, '%', true],
        ['puback.max <= 0.9s', 900, 'ms', true],
      ],
    );
    assert.equal(thresholdsHeld(r), false);
    assert.equal(thresholdsHeld(r.filter((x) => x.pass)), true);
    assert.equal(thresholdsHeld(undefined), true, 'no thresholds: nothing broken');
  });

  test('a share exactly at its bound holds (no float drift past it)', () => {
    const exact = summary({ devices: 500, online: 476 });
    assert.equal(476 / 500 * 100 < 95.2, true, 'the naive way lands below the bound');
    const [r] = evaluateThresholds([t('online >= 95.2%')], exact, []);
    assert.deepEqual([r.measured, r.pass], [95.2, true]);
  });

  test('a latency nothing recorded fails, saying so, instead of passing unseen', () => {
    const [r] = evaluateThresholds([t('echo.p99 < 100ms')], s, []);
    assert.deepEqual(r, { check: 'echo.p99 < 100ms', unit: 'ms', measured: null, pass: false, note: 'no echo latencies were recorded' });
  });
});

describe('evaluateThresholds per window', () => {
  // 12 s: online climbs to 100 by t=3; a burst of drops in seconds 7-8; puback p99 spikes at t=5.
  const timeline: TimelinePoint[] = Array.from({ length: 12 }, (_, i) => {
    const sec = i + 1;
    const p99 = { ...point(sec).p99, puback: sec === 5 ? 450 : 50 };
    return point(sec, { online: sec >= 3 ? (sec === 8 ? 90 : 100) : sec * 30, disconnects: sec === 7 || sec === 8 ? 6 : 0, p99 }, START);
  });
  // The point closed after the stop: its counts are the run's, its online (0: the teardown) is not.
  const teardown = point(13, { online: 0, disconnects: 0 }, START + 500);
  const later = point(14, { online: 0, disconnects: 50 }, START + 500);
  const s = summary({ devices: 100, online: 100, startedAt: new Date(START).toISOString(), endedAt: new Date(START + 12_400).toISOString(), durationMs: 12_400 });

  test('must hold in every window; the worst window is reported with how many broke it', () => {
    const [p99, drops, online] = evaluateThresholds([t('puback.p99 < 200ms', 4000), t('disconnects/s < 1', 4000), t('online >= 95%', 4000)], s, [...timeline, teardown, later]);
    assert.equal(p99.pass, false);
    assert.equal(p99.measured, 450);
    assert.deepEqual(p99.windows, { count: 4, failed: 1, worstFrom: 4, worstTo: 8 });
    assert.equal(p99.window, 4000);
    assert.equal(drops.pass, false);
    assert.equal(drops.measured, 3, '12 drops over the 4 s window 4-8');
    assert.deepEqual(drops.windows, { count: 4, failed: 1, worstFrom: 4, worstTo: 8 });
    // online at the end of each window: t=4 100%, t=8 90%, t=12 100%, t=13 the summary's 100% (not the teardown's 0).
    assert.equal(online.pass, false);
    assert.equal(online.measured, 90);
    assert.deepEqual(online.windows, { count: 4, failed: 1, worstFrom: 4, worstTo: 8 });
  });

  test('the same checks hold when every window is within bounds', () => {
    const calm = timeline.map((p) => ({ ...p, disconnects: 0, online: 100, p99: { ...p.p99, puback: 50 } }));
    const r = evaluateThresholds([t('puback.p99 < 200ms', 3000), t('disconnects < 1', 3000), t('online >= 95%', 3000)], s, calm);
    assert.deepEqual(r.map((x) => [x.pass, x.windows?.count, x.windows?.failed]), [[true, 4, 0], [true, 4, 0], [true, 4, 0]]);
    assert.equal(r[0].measured, 50);
  });

  test('a windowed check with nothing measured fails, saying so', () => {
    const [r] = evaluateThresholds([t('echo.p99 < 100ms', 5000)], s, timeline);
    assert.equal(r.pass, false);
    assert.equal(r.measured, null);
    assert.equal(r.note, 'nothing was measured in any window');
    const [none] = evaluateThresholds([t('online >= 1', 5000)], s, []);
    assert.deepEqual([none.pass, none.note], [false, 'the run has no timeline']);
  });
});
