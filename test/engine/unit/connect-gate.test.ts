// The connect gate: a token bucket in front of a FIFO, pumped with synthetic times.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectGate, type Waiter } from '../../../src/engine/connect-gate.ts';

/** Synthetic clock start: before the gate's construction time, so the first pump adds no tokens. */
const T0 = 1_000_000;

function waiters(n: number, admitted: number[], offset = 0): Waiter[] {
  return Array.from({ length: n }, (_, i) => ({ admit: () => admitted.push(offset + i) }));
}

/** Pumps every `stepMs` from `from` (exclusive) to `to` (inclusive); returns admissions per pump. */
function pumpRange(gate: ConnectGate, admitted: number[], from: number, to: number, stepMs: number): number[] {
  const perPump: number[] = [];
  for (let now = from + stepMs; now <= to; now += stepMs) {
    const before = admitted.length;
    gate.pump(now);
    perPump.push(admitted.length - before);
  }
  return perPump;
}

describe('ConnectGate', () => {
  test('at 10/s, one simulated second of 50 ms pumps admits about 10, spread out', () => {
    const gate = new ConnectGate(10);
    const admitted: number[] = [];
    for (const w of waiters(100, admitted)) gate.enqueue(w);
    gate.pump(T0);
    assert.equal(admitted.length, 0, 'tokens out of nothing');

    const perPump = pumpRange(gate, admitted, T0, T0 + 1000, 50);
    assert.equal(perPump.length, 20);
    assert.ok(admitted.length >= 9 && admitted.length <= 11, `admitted ${admitted.length}`);
    assert.ok(Math.max(...perPump) <= 1, `bursty: ${perPump.join(',')}`);
    assert.equal(gate.waiting, 100 - admitted.length);
  });

  test('the rate holds over a longer run', () => {
    const gate = new ConnectGate(200);
    const admitted: number[] = [];
    for (const w of waiters(10_000, admitted)) gate.enqueue(w);
    gate.pump(T0);
    pumpRange(gate, admitted, T0, T0 + 10_000, 50);
    assert.ok(admitted.length >= 1990 && admitted.length <= 2010, `admitted ${admitted.length}`);
  });

  test('admits in FIFO order, across pumps and later enqueues', () => {
    const gate = new ConnectGate(100);
    const admitted: number[] = [];
    for (const w of waiters(30, admitted)) gate.enqueue(w);
    gate.pump(T0);
    pumpRange(gate, admitted, T0, T0 + 200, 50);
    for (const w of waiters(30, admitted, 30)) gate.enqueue(w);
    pumpRange(gate, admitted, T0 + 200, T0 + 2000, 50);
    assert.deepEqual(admitted, Array.from({ length: 60 }, (_, i) => i));
    assert.equal(gate.waiting, 0);
  });

  test('after a long idle the burst is capped at 100 ms worth of tokens', () => {
    const gate = new ConnectGate(100);
    const admitted: number[] = [];
    gate.pump(T0);
    gate.pump(T0 + 60_000); // a minute with nobody waiting
    for (const w of waiters(50, admitted)) gate.enqueue(w);
    gate.pump(T0 + 60_000);
    assert.equal(admitted.length, 10);
    gate.pump(T0 + 60_050);
    assert.equal(admitted.length, 15);
  });

  test('a low rate still has a burst of one, so it is never starved', () => {
    const gate = new ConnectGate(5);
    const admitted: number[] = [];
    for (const w of waiters(20, admitted)) gate.enqueue(w);
    gate.pump(T0);
    gate.pump(T0 + 10_000);
    assert.equal(admitted.length, 1, 'burst after idle');
    const perPump = pumpRange(gate, admitted, T0 + 10_000, T0 + 11_000, 50);
    assert.equal(admitted.length, 6);
    assert.deepEqual(perPump.map((n, i) => (n ? i : -1)).filter((i) => i >= 0), [3, 7, 11, 15, 19], 'one every 200 ms');
  });

  // Known bug (see report): the bucket is capped at max(1, rate × 0.1) *before* admitting, so
  // when a 50 ms refill overshoots the cap the overshoot is thrown away even though devices
  // are waiting. The long-run rate falls short: 12.5/s admits 10/s, 9/s admits 6.7/s.
  test('the long-run rate matches the setting at every rate', () => {
    for (const rate of [2, 3, 7, 9, 12.5, 15.625]) {
      const gate = new ConnectGate(rate);
      const admitted: number[] = [];
      for (const w of waiters(5000, admitted)) gate.enqueue(w);
      gate.pump(T0);
      pumpRange(gate, admitted, T0, T0 + 100_000, 50);
      const perSec = admitted.length / 100;
      assert.ok(Math.abs(perSec - rate) <= rate * 0.02, `rate ${rate}/s admitted ${perSec}/s`);
    }
  });

  test('time going backwards adds no tokens', () => {
    const gate = new ConnectGate(100);
    const admitted: number[] = [];
    for (const w of waiters(50, admitted)) gate.enqueue(w);
    gate.pump(T0 + 1000);
    gate.pump(T0); // clock stepped back
    gate.pump(T0 + 10);
    assert.equal(admitted.length, 1);
  });

  test('rate 0 is unlimited but admits at most 2000 per pump', () => {
    const gate = new ConnectGate(0);
    const admitted: number[] = [];
    for (const w of waiters(4500, admitted)) gate.enqueue(w);
    gate.pump(T0);
    assert.equal(admitted.length, 2000);
    assert.equal(gate.waiting, 2500);
    gate.pump(T0); // no time passed: unlimited does not depend on time
    assert.equal(admitted.length, 4000);
    gate.pump(T0 + 50);
    assert.equal(admitted.length, 4500);
    assert.equal(gate.waiting, 0);
    // Order survives the queue compaction after the first big pump.
    assert.deepEqual(admitted, Array.from({ length: 4500 }, (_, i) => i));
  });

  test('setRate changes the rate from the next pump', () => {
    const gate = new ConnectGate(10);
    const admitted: number[] = [];
    for (const w of waiters(1000, admitted)) gate.enqueue(w);
    gate.pump(T0);
    pumpRange(gate, admitted, T0, T0 + 1000, 50);
    const atTen = admitted.length;
    assert.ok(atTen >= 9 && atTen <= 11);

    gate.setRate(100);
    pumpRange(gate, admitted, T0 + 1000, T0 + 2000, 50);
    const atHundred = admitted.length - atTen;
    assert.ok(atHundred >= 95 && atHundred <= 105, `admitted ${atHundred} at 100/s`);

    gate.setRate(0);
    gate.pump(T0 + 2050);
    assert.equal(admitted.length, 1000, 'unlimited admits everyone left');
  });

  test('a waiter enqueued from inside admit() waits for a later pump slot', () => {
    const gate = new ConnectGate(0);
    const order: string[] = [];
    gate.enqueue({
      admit: () => {
        order.push('first');
        gate.enqueue({ admit: () => order.push('requeued') });
      },
    });
    gate.enqueue({ admit: () => order.push('second') });
    gate.pump(T0);
    assert.deepEqual(order, ['first', 'second', 'requeued']);
  });

  test('clear() drops every waiter; later waiters are admitted normally', () => {
    const gate = new ConnectGate(0);
    const admitted: number[] = [];
    for (const w of waiters(10, admitted)) gate.enqueue(w);
    assert.equal(gate.waiting, 10);
    gate.clear();
    assert.equal(gate.waiting, 0);
    gate.pump(T0);
    assert.deepEqual(admitted, []);
    for (const w of waiters(3, admitted, 100)) gate.enqueue(w);
    gate.pump(T0 + 50);
    assert.deepEqual(admitted, [100, 101, 102]);
  });

  test('waiting counts what is queued and not yet admitted', () => {
    const gate = new ConnectGate(100);
    const admitted: number[] = [];
    assert.equal(gate.waiting, 0);
    for (const w of waiters(25, admitted)) gate.enqueue(w);
    assert.equal(gate.waiting, 25);
    gate.pump(T0);
    gate.pump(T0 + 50);
    assert.equal(admitted.length, 5);
    assert.equal(gate.waiting, 20);
  });
});
