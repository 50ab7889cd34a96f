// The soak's memory fit: a least-squares slope in MB/hour per host, over one process's samples,
// with the heap fitted through each window's lowest point.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostBatch } from '../helpers/host-batch.ts';
import { MemoryTrack, slope } from '../../bench/soak-memory.ts';

const T0 = 1_700_000_000_000;
const MB = 1024 * 1024;
const batch = (hostId: number, at: number, pid: number, rssMB: number, heapMB: number) =>
  hostBatch(hostId, at, { pid, cpuPct: 1, rssBytes: rssMB * MB, heapUsedBytes: heapMB * MB });

test('slope is the least-squares line through the points', () => {
  assert.equal(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]), 2);
  assert.equal(slope([{ x: 0, y: 4 }, { x: 1, y: 6 }, { x: 2, y: 4 }, { x: 3, y: 6 }]), 0.4);
  assert.equal(slope([{ x: 1, y: 9 }]), 0);
});

test('a host growing 1 MB a minute grows 60 MB/h; a flat one whose heap saws stays near 0', () => {
  const m = new MemoryTrack(5000);
  for (let s = 0; s <= 1800; s += 5) {
    m.add(batch(0, T0 + s * 1000, 100, 100 + s / 60, 20 + s / 60));
    // Host 1's heap climbs 10 MB and is collected every minute: its floor stays at 20 MB.
    m.add(batch(1, T0 + s * 1000, 101, 100, 20 + (s % 60) / 6));
  }
  const [grows, flat] = m.slopes(T0, 60_000);
  assert.equal(grows.rssMBPerHour, 60);
  assert.ok(Math.abs(grows.heapMBPerHour - 60) < 1, `heap ${grows.heapMBPerHour}`);
  assert.equal(flat.rssMBPerHour, 0);
  assert.ok(Math.abs(flat.heapMBPerHour) < 1, `heap floor ${flat.heapMBPerHour}`);
  assert.equal(grows.minutes, 30);
});

test('a host restarted by a storm is fitted over its longest stretch as one process; samples before `from` are left out', () => {
  const m = new MemoryTrack(5000);
  for (let s = 0; s <= 600; s += 5) m.add(batch(0, T0 + s * 1000, s < 120 ? 100 : 200, s < 120 ? 300 : 50 + s / 60, 20));
  const [h] = m.slopes(T0 + 60_000, 60_000);
  assert.equal(h.firstRssMB, 52, 'starts with the new process');
  assert.equal(h.rssMBPerHour, 60);
  assert.equal(h.minutes, 8);
});

test('a restarted process is judged after its own warm-up, as the first was before `from`', () => {
  const m = new MemoryTrack(5000);
  // pid 200 starts at 120 s at 50 MB and grows 1 MB/min for 3 minutes (reconnecting its devices), then stays flat.
  for (let s = 0; s <= 1200; s += 5) m.add(batch(0, T0 + s * 1000, s < 120 ? 100 : 200, s < 120 ? 300 : 50 + Math.min(s - 120, 180) / 60, 20));
  const [cold] = m.slopes(T0 + 60_000, 60_000);
  assert.ok(cold.rssMBPerHour > 1, `without a warm-up the climb counts: ${cold.rssMBPerHour}`);
  const [warm] = m.slopes(T0 + 60_000, 60_000, 180_000);
  assert.equal(warm.rssMBPerHour, 0);
  assert.equal(warm.firstRssMB, 53);
  assert.equal(warm.minutes, 15);
});

test('the heap is fitted through what full collections left, when hosts report it', () => {
  const m = new MemoryTrack(5000);
  for (let s = 0; s <= 1800; s += 5) {
    // heapUsed saws between 20 and 40 MB; the live set after each full collection (every 2 min) grows 1 MB each time.
    const live = 20 + Math.floor(s / 120);
    m.add(hostBatch(0, T0 + s * 1000, { pid: 1, cpuPct: 1, rssBytes: 100 * MB, heapUsedBytes: (20 + (s % 120) / 6) * MB, heapLiveBytes: live * MB }));
  }
  const [h] = m.slopes(T0, 60_000);
  assert.equal(h.heapMeasure, 'live');
  assert.ok(Math.abs(h.heapMBPerHour - 30) < 2, `live heap grows 30 MB/h: ${h.heapMBPerHour}`);
  assert.equal(h.firstHeapMB, 20);
  assert.equal(h.lastHeapMB, 35);
});
