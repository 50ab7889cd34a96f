// A recorded run: every file there, totals that agree with each other, and a record that
// survives a killed host.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateScenario } from '../../src/contract/validate.ts';
import { createRun } from '../../src/fleet/recorded-run.ts';
import { decodeHistogram, newHistogram, summarize } from '../../src/shared/histograms.ts';
import { deviceEvents, readHostEventLog } from '../../src/runs/event-logs.ts';
import { readRun, runDeviceLog, runDevicesPage } from '../../src/runs/run-reader.ts';
import { TIMELINE_COLUMNS } from '../../src/runs/timeline-csv.ts';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function scenario(extra: Record<string, unknown> = {}) {
  const v = validateScenario({
    name: 'recorded',
    duration: '3s',
    ramp: 0,
    hosts: 2,
    groups: [{ name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 20, mqtt: { qos: 1 }, timers: { heartbeat: { every: '300ms' } } }],
    ...extra,
  });
  assert.ok(v.ok, v.ok ? '' : v.problems.join('\n'));
  return v.scenario;
}

test('a recorded run leaves every file, and their totals agree with the summary', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'fleetsim-runs-'));
  const s = scenario();
  const source = { name: 'recorded', note: 'as written' };
  const { controller, recorder } = createRun(s, { record: { runsDir: runs, source } });
  assert.ok(recorder);
  assert.match(readFileSync(join(recorder.dir, 'run.json'), 'utf8'), /"status": "incomplete"/, 'incomplete while running');
  await controller.start();
  const summary = await controller.done;
  await recorder.finished;

  assert.deepEqual(readdirSync(runs), [recorder.id]);
  assert.match(recorder.dir, /\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-recorded$/);
  const files = readdirSync(recorder.dir).sort();
  for (const f of ['devices.csv', 'events-host0.ndjson', 'events-host1.ndjson', 'fleet-events.ndjson', 'report.html', 'run.json', 'scenario-source.json', 'scenario.json', 'summary.json', 'timeline.csv']) {
    assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  }
  assert.ok(!files.some((f) => f.startsWith('devices-host') || f.endsWith('.tmp')), `host parts merged and temp files gone: ${files.join(', ')}`);
  assert.deepEqual(JSON.parse(readFileSync(join(recorder.dir, 'scenario.json'), 'utf8')), JSON.parse(JSON.stringify(s)));
  assert.deepEqual(JSON.parse(readFileSync(join(recorder.dir, 'scenario-source.json'), 'utf8')), source);
  assert.deepEqual(JSON.parse(readFileSync(join(recorder.dir, 'summary.json'), 'utf8')), JSON.parse(JSON.stringify(summary)));
  const run = JSON.parse(readFileSync(join(recorder.dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'complete', run.reason);
  assert.equal(run.pid, process.pid);

  // timeline.csv: one row per second, adding up to the summary.
  const [header, ...rows] = readFileSync(join(recorder.dir, 'timeline.csv'), 'utf8').trim().split('\n');
  const cols = header.split(',');
  assert.deepEqual(cols.slice(0, TIMELINE_COLUMNS.length), [...TIMELINE_COLUMNS]);
  assert.deepEqual(cols.slice(TIMELINE_COLUMNS.length), ['host0_cpuPct', 'host0_rssMB', 'host0_loopLagP99Ms', 'host1_cpuPct', 'host1_rssMB', 'host1_loopLagP99Ms']);
  assert.equal(rows.length, controller.timeline().length);
  const column = (name: string) => rows.map((r) => Number(r.split(',')[cols.indexOf(name)]));
  assert.equal(Math.max(...column('online')), summary.peakOnline);
  assert.equal(sum(column('connectsPerSec')), summary.connects, 'connects per second add up to the total');
  assert.equal(sum(column('sentPerSec')), summary.sent.heartbeat + summary.sent.status + summary.sent.ping, 'pings included');
  assert.ok(column('connectP50Ms').some((x) => x > 0), 'connect p50 recorded');

  // histograms.ndjson: each second with samples (the same seconds as timeline.csv), then the whole run's.
  const lines = readFileSync(join(recorder.dir, 'histograms.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const total = lines.at(-1).total;
  assert.ok(total?.puback && total.connect, `a total line with puback and connect: ${Object.keys(total ?? {}).join(', ')}`);
  const seconds = lines.slice(0, -1);
  assert.ok(seconds.length > 0 && seconds.every((l) => !('total' in l) && Object.keys(l.h).length > 0), 'only seconds with samples');
  const ats = new Set(rows.map((r) => r.split(',')[cols.indexOf('at')]));
  for (const l of seconds) assert.ok(ats.has(new Date(l.at).toISOString()), `second at ${l.at} is a timeline row`);
  const added = newHistogram();
  for (const l of seconds) if (l.h.puback) added.add(decodeHistogram(l.h.puback));
  assert.equal(added.totalCount, summary.latencyMs.puback.count, 'the seconds add up to the whole run');
  assert.deepEqual(summarize(decodeHistogram(total.puback)), summary.latencyMs.puback, 'the total is the summary\'s latency');
  const row = rows.find((r) => r.split(',')[cols.indexOf('at')] === new Date(seconds[0].at).toISOString())!;
  const firstP99 = seconds[0].h.puback ? summarize(decodeHistogram(seconds[0].h.puback)).p99 : 0;
  assert.equal(Number(row.split(',')[cols.indexOf('pubackP99Ms')]), firstP99, "a second's p99 is its histogram's");

  // devices.csv: one row per device, adding up to the summary.
  const page = await runDevicesPage(recorder.dir, { offset: 0, limit: 1000 });
  assert.equal(page.total, 20);
  assert.equal(sum(page.rows.map((d) => d.connects)), summary.connects);
  assert.equal(sum(page.rows.map((d) => d.disconnects)), summary.disconnects);
  assert.equal(sum(page.rows.map((d) => d.sent)), summary.sent.heartbeat + summary.sent.status);
  assert.equal(sum(page.rows.map((d) => d.received)), summary.received);
  assert.equal(sum(page.rows.map((d) => d.bytesSent)), summary.bytes.sent);
  assert.equal(sum(page.rows.map((d) => d.bytesReceived)), summary.bytes.received);
  assert.deepEqual(new Set(page.rows.map((d) => d.hostId)), new Set([0, 1]));
  assert.ok(page.rows.every((d) => d.state === 'stopped'));

  // The hosts' event logs: every device's history, written by its own host.
  let online = 0;
  for (const h of [0, 1]) for await (const e of readHostEventLog(recorder.dir, h)) if (e.kind === 'online') online++;
  assert.equal(online, summary.connects, 'one "online" event per connect');
  const log = await runDeviceLog(recorder.dir, page.rows[0].id);
  assert.ok(log);
  assert.deepEqual(log.events.map((e) => e.kind).slice(0, 3), ['connecting', 'connected', 'online']);
  assert.equal(log.events.at(-1)?.kind, 'stopped');
  assert.equal((await deviceEvents(recorder.dir, page.rows[0].id, null, 2)).events.length, 2, 'only the last `limit` events');

  const detail = await readRun(recorder.dir);
  assert.ok(detail);
  assert.equal(detail.entry.status, 'complete');
  assert.equal(detail.timeline.length, rows.length);
  assert.equal(detail.summary?.connects, summary.connects);
  const fleetEvents = readFileSync(join(recorder.dir, 'fleet-events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(fleetEvents.some((e) => e.type === 'run-state' && e.state === 'running'));
});

test('a host killed mid-run still leaves a readable record, marked incomplete with the reason', async () => {
  const runs = mkdtempSync(join(tmpdir(), 'fleetsim-runs-'));
  const s = scenario({ duration: '3s', storms: [{ at: '1500ms', action: 'kill-host', host: 1 }] });
  const { controller, recorder } = createRun(s, { record: { runsDir: runs } });
  assert.ok(recorder);
  await controller.start();
  const summary = await controller.done;
  await recorder.finished;

  const run = JSON.parse(readFileSync(join(recorder.dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'incomplete');
  assert.match(run.reason, /host 1 was lost \(killed by SIGKILL\)/);
  assert.match(run.reason, /rebuilt from the event log/);
  assert.ok(existsSync(join(recorder.dir, 'summary.json')));

  const page = await runDevicesPage(recorder.dir, { offset: 0, limit: 1000 });
  assert.equal(page.total, 20, 'every device has a row, the killed host’s too');
  const lost = page.rows.filter((d) => d.hostId === 1);
  assert.equal(lost.length, 10);
  assert.ok(lost.every((d) => d.state === 'lost' && d.connects === 1), 'rebuilt rows: lost, one connect each (from the event log)');
  assert.equal(sum(page.rows.map((d) => d.connects)), summary.connects);
  const detail = await readRun(recorder.dir);
  assert.equal(detail?.entry.status, 'incomplete');
});
