// The files of a run, read back: torn last lines after a crash, CSV quoting, event-log rotation
// and gzip, devices rebuilt from events, settings checked per field, run references.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LATENCY_KINDS, type LatencyKind } from '../../src/contract/metrics.ts';
import type { TimelinePoint } from '../../src/contract/snapshot.ts';
import { EventLogWriter } from '../../src/engine/event-log-writer.ts';
import { csvLine, parseCsvLine } from '../../src/runs/csv.ts';
import { mergeDevices, pageDeviceFile, writeDevicesPart } from '../../src/runs/devices-csv.ts';
import { deviceEvents, readHostEventLog } from '../../src/runs/event-logs.ts';
import { readNdjson, type NdjsonStats } from '../../src/runs/ndjson.ts';
import { resolveRunRef, RunRefError } from '../../src/runs/run-ref.ts';
import { checkSettingsPatch, SettingsStore } from '../../src/runs/settings-store.ts';
import { parseTimeline, thinTimeline, timelineHeader, timelineRow } from '../../src/runs/timeline-csv.ts';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `fleetsim-${prefix}-`));

function point(t: number): TimelinePoint {
  const lat = (v: number) => Object.fromEntries(LATENCY_KINDS.map((k) => [k, v])) as Record<LatencyKind, number>;
  return {
    t,
    at: 1_700_000_000_000 + t * 1000,
    online: t * 10,
    connecting: 2,
    backoff: 1,
    connects: 10,
    disconnects: 3,
    disconnectsByReason: { 'keepalive-timeout': 2, 'error:ECONNRESET': 1 },
    sent: 50,
    received: 40,
    bytesSent: 1000,
    writeQueueBytes: 7,
    inflight: 4,
    targetBufferedBytes: 9,
    p50: lat(1.5),
    p99: lat(12),
    hosts: [
      { hostId: 0, cpuPct: 12.5, rssMB: 80, loopLagP99Ms: 3 },
      { hostId: 1, cpuPct: 10, rssMB: 70, loopLagP99Ms: 2 },
    ],
  };
}

test('timeline.csv round-trips, and a torn last row is skipped, not fatal', () => {
  const text = timelineHeader(2) + [1, 2, 3].map((t) => timelineRow(point(t), 2)).join('');
  const parsed = parseTimeline(text);
  assert.equal(parsed.skipped, 0);
  assert.deepEqual(parsed.points, [point(1), point(2), point(3)]);
  const torn = text + timelineRow(point(4), 2).slice(0, 30);
  const again = parseTimeline(torn);
  assert.equal(again.points.length, 3);
  assert.equal(again.skipped, 1);
  assert.deepEqual(thinTimeline(Array.from({ length: 10_000 }, (_, i) => point(i)), 100).map((p) => p.t).filter((t) => t === 0 || t === 9999), [0, 9999]);
});

test('NDJSON reading skips a half-written last line and counts it', async () => {
  const dir = tmp('ndjson');
  const file = join(dir, 'x.ndjson');
  writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":3');
  const stats: NdjsonStats = { lines: 0, skipped: 0 };
  const values: unknown[] = [];
  for await (const v of readNdjson(file, stats)) values.push(v);
  assert.deepEqual(values, [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(stats, { lines: 2, skipped: 1 });
});

test('CSV cells with commas, quotes and line breaks survive a round trip', () => {
  const cells = ['dev,1', 'say "hi"', 'plain', '', 'a\nb'];
  assert.deepEqual(parseCsvLine(csvLine(cells).slice(0, -1)), cells);
  assert.deepEqual(parseCsvLine('a,,c'), ['a', '', 'c']);
});

test('event logs rotate past their size limit into gzipped parts that read back in order', async () => {
  const dir = tmp('rotate');
  const writer = new EventLogWriter(dir, 3, 4096);
  for (let i = 0; i < 1000; i++) {
    writer.write(1_700_000_000_000 + i, `dev-${i % 10}`, 'g', i % 10, i % 2 ? 'online' : 'connecting', i % 7 === 0 ? `n=${i}` : undefined);
    if (i % 50 === 49) writer.flush();
  }
  await writer.close();
  const files = readdirSync(dir).sort();
  const parts = files.filter((f) => /^events-host3\.\d+\.ndjson\.gz$/.test(f));
  assert.ok(parts.length >= 5, `rotated parts: ${files.join(', ')}`);
  assert.ok(files.includes('events-host3.ndjson'));
  assert.ok(!files.some((f) => f.endsWith('.tmp') || /\.\d+\.ndjson$/.test(f)), `only whole .gz parts remain: ${files.join(', ')}`);
  const ts: number[] = [];
  for await (const e of readHostEventLog(dir, 3)) ts.push(e.t - 1_700_000_000_000);
  assert.deepEqual(ts, Array.from({ length: 1000 }, (_, i) => i), 'every event, in order, across parts');
  const { events, total } = await deviceEvents(dir, 'dev-7', 3, 5);
  assert.equal(total, 100);
  assert.deepEqual(events.map((e) => e.t - 1_700_000_000_000), [957, 967, 977, 987, 997]);
  assert.equal(events[0].detail, undefined);

  // A host restarted into the same run continues the part numbers.
  const again = new EventLogWriter(dir, 3, 4096);
  for (let i = 0; i < 200; i++) again.write(1_700_000_100_000 + i, 'dev-x', 'g', 0, 'online');
  again.flush();
  await again.close();
  const after = readdirSync(dir).filter((f) => /^events-host3\.\d+\.ndjson\.gz$/.test(f));
  assert.ok(after.length > parts.length && parts.every((p) => after.includes(p)), 'older parts kept');
});

test('devices.csv merges the hosts’ rows and rebuilds a killed host’s from its event log', async () => {
  const dir = tmp('devices');
  const row = (id: string, index: number, hostId: number) => ({ id, group: 'g', index, hostId, state: 'stopped' as const, connects: 2, disconnects: 1, lastReason: 'error:ECONNRESET, twice', sent: 5, received: 4, bytesSent: 100, bytesReceived: 80, writeQueueBytes: 0, inflight: 0 });
  writeDevicesPart(dir, 0, [row('d,0', 0, 0), row('d1', 1, 0)]);
  const log = new EventLogWriter(dir, 1, 1 << 20);
  log.write(1, 'd2', 'g', 2, 'connecting');
  log.write(2, 'd2', 'g', 2, 'online');
  log.write(3, 'd2', 'g', 2, 'disconnected', 'keepalive-timeout');
  log.write(4, 'd2', 'g', 2, 'online');
  log.write(5, 'd3', 'g', 3, 'connect-failed', 'connack-refused:not-authorized');
  await log.close();
  appendFileSync(join(dir, 'events-host1.ndjson'), '{"t":6,"id":"d2","g":"g","i":2,"kind":"disc'); // killed mid-line
  const merged = await mergeDevices(dir, [0, 1]);
  assert.deepEqual(merged, { rows: 4, rebuiltHosts: [1] });
  assert.ok(!existsSync(join(dir, 'devices-host0.csv')));
  const page = await pageDeviceFile(join(dir, 'devices.csv'), { offset: 0, limit: 10 });
  assert.equal(page.total, 4);
  assert.equal(page.rows[0].id, 'd,0');
  assert.equal(page.rows[0].lastReason, 'error:ECONNRESET, twice');
  const d2 = page.rows.find((d) => d.id === 'd2');
  assert.deepEqual([d2?.state, d2?.connects, d2?.disconnects, d2?.lastReason, d2?.index], ['lost', 2, 1, 'keepalive-timeout', 2]);
  assert.equal(page.rows.find((d) => d.id === 'd3')?.lastReason, 'connack-refused:not-authorized');
  const filtered = await pageDeviceFile(join(dir, 'devices.csv'), { offset: 1, limit: 1, state: 'stopped' });
  assert.deepEqual([filtered.total, filtered.rows.map((d) => d.id)], [2, ['d1']]);
  assert.deepEqual(await mergeDevices(dir, [0, 1]), { rows: -1, rebuiltHosts: [] }, 'merging twice is a no-op');
});

test('settings are checked per field and persisted', () => {
  const home = tmp('settings');
  const file = join(home, 'settings.json');
  const store = new SettingsStore(file);
  assert.equal(store.get().record, true);
  assert.equal(store.get().metricsPort, null);
  const bad = store.update({ metricsPort: 70000, runsDir: '', record: 'yes', eventLogMaxMB: 0, colour: 'red' });
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.ok(bad.problems.some((p) => p.startsWith('metricsPort: expected a port number')));
    assert.ok(bad.problems.some((p) => p.startsWith('runsDir:')));
    assert.ok(bad.problems.some((p) => p.startsWith('record:')));
    assert.ok(bad.problems.some((p) => p.startsWith('eventLogMaxMB:')));
    assert.ok(bad.problems.some((p) => p.startsWith('colour: unknown setting')));
  }
  const runsDir = join(home, 'my runs');
  const good = store.update({ metricsPort: 9464, runsDir, record: false });
  assert.ok(good.ok);
  assert.ok(existsSync(runsDir), 'the runs directory is created');
  assert.deepEqual(new SettingsStore(file).get(), { runsDir, record: false, metricsPort: 9464, eventLogMaxMB: 64 });
  assert.deepEqual(checkSettingsPatch({ metricsPort: null }).value, { metricsPort: null });
});

test('a run is named by its directory, its id in the runs directory, or latest', () => {
  const runs = tmp('refs');
  const make = (id: string, startedAt: string) => {
    mkdirSync(join(runs, id));
    writeFileSync(join(runs, id, 'run.json'), JSON.stringify({ status: 'complete', startedAt, endedAt: startedAt, pid: 1 }));
  };
  make('2026-01-01T00-00-00-000Z-a', '2026-01-01T00:00:00.000Z');
  make('2026-01-02T00-00-00-000Z-b', '2026-01-02T00:00:00.000Z');
  mkdirSync(join(runs, 'not-a-run'));
  assert.equal(resolveRunRef('latest', runs), join(runs, '2026-01-02T00-00-00-000Z-b'));
  assert.equal(resolveRunRef('2026-01-01T00-00-00-000Z-a', runs), join(runs, '2026-01-01T00-00-00-000Z-a'));
  assert.equal(resolveRunRef(join(runs, '2026-01-01T00-00-00-000Z-a'), '/nowhere'), join(runs, '2026-01-01T00-00-00-000Z-a'));
  assert.throws(() => resolveRunRef('nope', runs), (e: Error) => e instanceof RunRefError && /no run "nope"/.test(e.message));
  assert.throws(() => resolveRunRef(join(runs, 'not-a-run'), runs), /is not a run directory \(it has no run.json\)/);
  assert.throws(() => resolveRunRef('latest', tmp('empty')), /no recorded runs/);
  assert.ok(readFileSync(join(runs, '2026-01-01T00-00-00-000Z-a', 'run.json'), 'utf8'));
});
