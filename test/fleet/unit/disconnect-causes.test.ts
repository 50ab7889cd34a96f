import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameDisconnectCauses, tightestBand } from '../../../src/fleet/disconnect-causes.ts';
import { DropTimingPool, POOL_PER_REASON } from '../../../src/fleet/drop-timing-pool.ts';
import { DROP_TIMINGS_PER_BATCH, DropTimings } from '../../../src/engine/drop-timings.ts';

/** Triples [age, sinceRx, sinceTx] for n drops, from functions of the drop's index. */
function triples(n: number, age: (i: number) => number, sinceRx: (i: number) => number, sinceTx: (i: number) => number = sinceRx): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(age(i), sinceRx(i), sinceTx(i));
  return out;
}

function causes(disconnectReasons: Record<string, number>, timings: Record<string, number[]> = {}, failureReasons: Record<string, number> = {}) {
  const pool = new DropTimingPool();
  pool.add(timings);
  return nameDisconnectCauses({ disconnectReasons, failureReasons, timings: pool.samples() });
}

test('a tight time since the last byte received, over spread ages: an idle timeout at that time', () => {
  const [c, ...rest] = causes({ 'abnormal-close': 883 }, { 'abnormal-close': triples(883, (i) => 8_000 + i * 37, (i) => 7_900 + (i % 21) * 10, (i) => 1_000 + (i % 50) * 100) });
  assert.equal(rest.length, 0);
  assert.equal(c.kind, 'idle-timeout');
  assert.equal(c.count, 883);
  assert.equal(c.stat?.measure, 'sinceRx');
  assert.equal(c.stat?.meanMs, 8_000);
  assert.ok(c.stat!.spreadMs > 50 && c.stat!.spreadMs < 100, String(c.stat?.spreadMs));
  assert.equal(c.text, '883 connections closed by the peer after 8.0 ± 0.1 s without traffic from the server: an idle timeout between you and the target; a ping interval under 8.0 s keeps them open');
});

test('a tight connection age while the server kept talking: a lifetime limit, not an idle timeout', () => {
  const [c] = causes({ 'server-close': 40 }, { 'server-close': triples(40, (i) => 60_000 + (i % 5) * 20, (i) => (i * 97) % 5_000, (i) => (i * 53) % 5_000) });
  assert.equal(c.kind, 'max-age');
  assert.equal(c.stat?.measure, 'age');
  assert.match(c.text, /^40 connections closed by the peer at an age of 60.04 ± 0.03 s: a maximum connection age or session lifetime/);
});

test('silence from the devices only: an idle timeout counted on the time since sent', () => {
  const [c] = causes({ ECONNRESET: 30 }, { ECONNRESET: triples(30, (i) => 10_000 + i * 500, (i) => (i * 71) % 3_000, () => 30_000) });
  assert.equal(c.kind, 'idle-timeout');
  assert.equal(c.stat?.measure, 'sinceTx');
  assert.match(c.text, /after 30\.000 ± 0\.000 s without traffic from the devices/);
});

test('scattered drops, too few drops, instant closes and our own closes name nothing', () => {
  assert.deepEqual(causes({ 'server-close': 50 }, { 'server-close': triples(50, (i) => 1_000 + i * 911, (i) => 500 + ((i * 7_919) % 40_000), (i) => (i * 3_001) % 30_000) }), []);
  assert.deepEqual(causes({ 'server-close': 4 }, { 'server-close': triples(4, () => 5_000, () => 5_000) }), []);
  assert.deepEqual(causes({ 'server-close': 20 }, { 'server-close': triples(20, () => 300, () => 300) }), [], 'a close right after connecting is no idle limit');
  assert.deepEqual(causes({ 'client-close': 20, 'storm-reset': 20 }, { 'client-close': triples(20, () => 5_000, () => 5_000), 'storm-reset': triples(20, () => 5_000, () => 5_000) }), []);
  assert.deepEqual(causes({ 'server-close': 20 }), [], 'no timings, no timed cause');
});

test('a cluster among other drops of the same reason is counted as its share of the reason', () => {
  const cut = triples(60, (i) => 3_000 + i * 100, () => 3_000);
  const other = triples(40, (i) => 500 + i * 400, (i) => 100 + i * 300);
  const [c] = causes({ 'abnormal-close': 1_000 }, { 'abnormal-close': [...cut, ...other] });
  assert.equal(c.kind, 'idle-timeout');
  // 60 (+ any scattered drop that happens to sit in the band) of 100 timed drops, of 1000 in all.
  assert.ok(c.count >= 600 && c.count <= 640, String(c.count));
});

test('reasons that say it themselves are named by rule, drops and refusals alike, largest first', () => {
  const list = causes(
    { takeover: 12, 'keepalive-timeout': 30, 'ping-timeout': 2, 'server-disconnect:137': 5, 'tls-alert:certificate-expired': 1 },
    {},
    { 'connack-refused:server-busy': 40, 'http-503': 3, 'tls-alert:bad-certificate': 7, ECONNREFUSED: 100 },
  );
  assert.deepEqual(
    list.map((c) => [c.kind, c.reason, c.phase, c.count]),
    [
      ['overload', 'connack-refused:server-busy', 'connect', 40],
      ['keepalive', 'keepalive-timeout', 'disconnect', 30],
      ['takeover', 'takeover', 'disconnect', 12],
      ['tls-alert', 'tls-alert:bad-certificate', 'connect', 7],
      ['overload', 'server-disconnect:137', 'disconnect', 5],
      ['overload', 'http-503', 'connect', 3],
      ['keepalive', 'ping-timeout', 'disconnect', 2],
      ['tls-alert', 'tls-alert:certificate-expired', 'disconnect', 1],
    ],
  );
  const byReason = Object.fromEntries(list.map((c) => [c.reason, c.text]));
  assert.match(byReason.takeover, /^12 connections taken over: the broker closed the session because the same client id connected again/);
  assert.match(byReason['connack-refused:server-busy'], /^40 connections refused while connecting with connack-refused:server-busy: the target is shedding load/);
  assert.match(byReason['tls-alert:bad-certificate'], /TLS alert from the peer: bad certificate/);
  assert.match(byReason['tls-alert:certificate-expired'], /^1 connection ended by a TLS alert/);
});

test('tightestBand: the largest set inside one band, with its mean and spread', () => {
  assert.equal(tightestBand([]), null);
  const b = tightestBand([100, 5_000, 2_000, 2_100, 2_050, 9_000, 2_200])!;
  assert.equal(b.size, 4);
  assert.equal(b.meanMs, 2_087.5);
  // 5% of the value once that is wider than 250 ms: 180 s ± 9 s is one band.
  assert.equal(tightestBand([172_000, 175_000, 180_000, 179_000, 100_000])!.size, 4);
});

test('a host keeps at most 64 timed drops per reason and batch; the pool keeps a bounded sample', () => {
  const t = new DropTimings();
  for (let i = 0; i < 100; i++) t.record('abnormal-close', 1_000.4, 900.6, 10);
  t.record('takeover', 5, 5, 5);
  const cut = t.cut()!;
  assert.equal(cut['abnormal-close'].length, DROP_TIMINGS_PER_BATCH * 3);
  assert.deepEqual(cut['abnormal-close'].slice(0, 3), [1_000, 901, 10]);
  assert.deepEqual(cut.takeover, [5, 5, 5]);
  assert.equal(t.cut(), undefined, 'nothing since the last cut');

  const pool = new DropTimingPool(() => 0);
  for (let b = 0; b < 40; b++) pool.add({ x: triples(DROP_TIMINGS_PER_BATCH, () => b, () => b) });
  const s = pool.samples().get('x')!;
  assert.equal(s.seen, 40 * DROP_TIMINGS_PER_BATCH);
  assert.equal(s.triples.length, POOL_PER_REASON * 3);
  assert.equal(s.triples[0], 39, 'later drops replace earlier ones in the sample');
});
