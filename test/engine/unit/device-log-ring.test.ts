import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventRing, HOST_EVENT_BUDGET, ringCapacity } from '../../../src/engine/device-log-ring.ts';

test('a ring keeps the last N events, oldest first, with their details', () => {
  const ring = new EventRing(20);
  for (let i = 0; i < 47; i++) ring.push(i % 2 ? 'online' : 'disconnected', i % 3 === 0 ? `reason ${i}` : undefined);
  const events = ring.list();
  assert.equal(events.length, 20);
  // Events 27..46 survive: kinds alternate and details sit where they were pushed.
  events.forEach((e, j) => {
    const i = 27 + j;
    assert.equal(e.kind, i % 2 ? 'online' : 'disconnected');
    assert.equal(e.detail, i % 3 === 0 ? `reason ${i}` : undefined);
    assert.ok(e.t > 0);
  });
});

test('a ring below its capacity lists what it holds, and a zero ring nothing', () => {
  const ring = new EventRing(200);
  ring.push('connecting');
  ring.push('gave-up', 'max attempts');
  assert.deepEqual(ring.list().map((e) => [e.kind, e.detail]), [['connecting', undefined], ['gave-up', 'max attempts']]);
  const none = new EventRing(0);
  none.push('error', 'x');
  assert.deepEqual(none.list(), []);
});

test('a host shares its event budget over its devices, never below a few each or above logRing', () => {
  assert.equal(ringCapacity(200, 100), 200);
  assert.equal(ringCapacity(200, 10_000), Math.floor(HOST_EVENT_BUDGET / 10_000));
  assert.equal(ringCapacity(200, 1_000_000), 16);
  assert.equal(ringCapacity(0, 10), 0);
});
