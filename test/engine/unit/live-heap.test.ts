// A host asked to watch collections reports the heap a full collection left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LiveHeapWatch } from '../../../src/engine/live-heap.ts';
import { waitFor } from '../../helpers/ports.ts';

setFlagsFromString('--expose-gc');
const fullCollection = runInNewContext('gc') as () => void;

test('after a full collection the watch holds the heap in use, and more when more is kept alive', async () => {
  const watch = new LiveHeapWatch();
  try {
    assert.equal(watch.bytes, undefined, 'nothing before a full collection');
    fullCollection();
    await waitFor('a full collection seen', () => watch.bytes !== undefined);
    const before = watch.bytes!;
    const kept = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `device-${i}` }));
    watch.bytes = undefined;
    fullCollection();
    await waitFor('a second full collection seen', () => watch.bytes !== undefined);
    assert.ok(watch.bytes! - before > 5_000_000, `200k small objects kept alive: ${before} -> ${watch.bytes}`);
    assert.equal(kept.length, 200_000);
  } finally {
    watch.stop();
  }
});
