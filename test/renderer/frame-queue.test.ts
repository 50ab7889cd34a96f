// The frame queue spreads deferred redraws over frames: a newer job for a key replaces the one
// waiting, a frame stops once it has spent its budget (after at least one job), and what is left
// runs in the next frames, oldest first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameQueue } from '../../renderer/lib/frame-queue.ts';

function harness(budgetMs: number) {
  const frames: Array<() => void> = [];
  let clock = 0;
  const queue = new FrameQueue({ budgetMs, requestFrame: (run) => frames.push(run), now: () => clock });
  const ran: string[] = [];
  /** A job that takes `ms` of the frame. */
  const job = (name: string, ms: number) => () => {
    ran.push(name);
    clock += ms;
  };
  const nextFrame = () => {
    const run = frames.shift();
    assert.ok(run, 'a frame was requested');
    run();
  };
  return { queue, ran, job, nextFrame, frames };
}

test('jobs run in a coming frame, not at once; one frame is requested for many jobs', () => {
  const h = harness(8);
  h.queue.schedule('a', h.job('a', 1));
  h.queue.schedule('b', h.job('b', 1));
  assert.deepEqual(h.ran, []);
  assert.equal(h.frames.length, 1);
  h.nextFrame();
  assert.deepEqual(h.ran, ['a', 'b']);
  assert.equal(h.frames.length, 0, 'nothing left, no frame requested');
});

test('a newer job for a key replaces the waiting one and goes to the back of the line', () => {
  const h = harness(100);
  h.queue.schedule('a', h.job('a1', 1));
  h.queue.schedule('b', h.job('b', 1));
  h.queue.schedule('a', h.job('a2', 1));
  h.nextFrame();
  assert.deepEqual(h.ran, ['b', 'a2']);
});

test('a frame stops at its budget and the rest run in the next frames; a job over budget still runs alone', () => {
  const h = harness(8);
  for (const name of ['a', 'b', 'c', 'd', 'e']) h.queue.schedule(name, h.job(name, name === 'a' ? 20 : 3));
  h.nextFrame();
  assert.deepEqual(h.ran, ['a'], 'one job over budget fills the frame');
  h.nextFrame();
  assert.deepEqual(h.ran, ['a', 'b', 'c', 'd'], '3 + 3 + 3 ms: stops past 8 ms');
  assert.equal(h.queue.pending, 1);
  h.nextFrame();
  assert.deepEqual(h.ran, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(h.frames.length, 0);
});

test('a cancelled job does not run, and a failing job does not stop the others', () => {
  const h = harness(8);
  h.queue.schedule('a', h.job('a', 1));
  h.queue.schedule('b', () => {
    throw new Error('boom');
  });
  h.queue.schedule('c', h.job('c', 1));
  h.queue.cancel('a');
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    h.nextFrame();
  } finally {
    console.error = original;
  }
  assert.deepEqual(h.ran, ['c']);
  assert.equal(errors.length, 1);
});
