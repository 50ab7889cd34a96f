// A paused gate holds first connects back and lets reconnects through; resume admits the held first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectGate, type Waiter } from '../../../src/engine/connect-gate.ts';

const T0 = 1_000_000;
const waiter = (name: string, firstConnect: boolean, admitted: string[]): Waiter => ({ firstConnect, admit: () => admitted.push(name) });

test('paused: first connects are held (no token spent), reconnects admitted; resume admits the held ones first', () => {
  const gate = new ConnectGate(0); // unlimited: only the pause holds anything back
  const admitted: string[] = [];
  gate.setPaused(true);
  gate.enqueue(waiter('new-1', true, admitted));
  gate.enqueue(waiter('re-1', false, admitted));
  gate.enqueue(waiter('new-2', true, admitted));
  gate.pump(T0);
  assert.deepEqual(admitted, ['re-1']);
  assert.equal(gate.waiting, 2);
  gate.enqueue(waiter('re-2', false, admitted));
  gate.enqueue(waiter('new-3', true, admitted));
  gate.pump(T0 + 50);
  assert.deepEqual(admitted, ['re-1', 're-2']);
  gate.setPaused(false);
  gate.pump(T0 + 100);
  assert.deepEqual(admitted, ['re-1', 're-2', 'new-1', 'new-2', 'new-3']);
  assert.equal(gate.waiting, 0);
});

test('a rate-limited paused gate spends its tokens on reconnects only', () => {
  const gate = new ConnectGate(10);
  const admitted: string[] = [];
  gate.setPaused(true);
  for (let i = 0; i < 5; i++) gate.enqueue(waiter(`new-${i}`, true, admitted));
  gate.enqueue(waiter('re-0', false, admitted));
  gate.pump(Date.now() + 1000);
  assert.deepEqual(admitted, ['re-0']);
});
