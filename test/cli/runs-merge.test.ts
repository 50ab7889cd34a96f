// `fleetsim runs merge`: two real shards of one fleet (two `fleetsim run --shard` processes
// against one mosquitto, started together) merged into one run that is the fleet: devices,
// seconds, exact percentiles, fleet-unique hosts with their event logs, listed, reported,
// exported. And every refusal exits 2 leaving nothing behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LATENCY_KINDS, type LatencyKind } from '../../src/contract/metrics.ts';
import type { RunListEntry, RunRecord } from '../../src/contract/runs.ts';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { decodeHistogram, newHistogram, summarize, type Histogram } from '../../src/shared/histograms.ts';
import { runDeviceLog } from '../../src/runs/run-reader.ts';
import { parseTimeline } from '../../src/runs/timeline-csv.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const work = mkdtempSync(join(tmpdir(), 'fleetsim-merge-'));
const shardsDir = join(work, 'shards');
const runsDir = join(work, 'runs');
const RUN_ID = 'merge-1';

function fleetsim(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: work, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const shard = (i: number) => join(shardsDir, `${RUN_ID}-shard${i}`);
const csvRows = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const histogramLines = (dir: string) => readFileSync(join(dir, 'histograms.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
/** Whatever the runs directory holds, hidden entries included: a refusal must leave it as it was. */
const runsDirNow = () => (existsSync(runsDir) ? readdirSync(runsDir).sort() : []);

function added(encoded: Array<string | undefined>): Histogram {
  const h = newHistogram();
  for (const e of encoded) if (e) h.add(decodeHistogram(e));
  return h;
}

let broker: Mosquitto;

before(async () => {
  broker = await startMosquitto();
  const scenario = join(work, 'fleet.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      name: 'merged-fleet',
      target: 'external',
      duration: '4s',
      ramp: 0,
      hosts: 2,
      groups: [{ name: 'm', protocol: 'mqtt', url: `mqtt://127.0.0.1:${broker.port}`, count: 30, clientId: 'dev-{index}', mqtt: { qos: 1 }, timers: { heartbeat: { every: '300ms' } } }],
    }),
  );
  const startAt = new Date(Date.now() + 3000).toISOString();
  const results = await Promise.all([0, 1].map((i) => fleetsim(['run', scenario, '--shard', `${i}/2`, '--run-id', RUN_ID, '--start-at', startAt, '--record', shardsDir, '--json'])));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await broker?.stop();
});

test('two shards merge into one run that is the fleet: devices, seconds, exact percentiles, hosts and their logs', async () => {
  const r = await fleetsim(['runs', 'merge', shard(0), shard(1), '--dir', runsDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.status, 'complete', result.reason);
  assert.equal(result.devices, 30);
  assert.equal(result.hosts, 4);
  const dir = result.dir as string;
  assert.equal(join(runsDir, result.id), dir);
  assert.deepEqual(runsDirNow(), [result.id], 'no staging left behind');
  const shardSummaries = [0, 1].map((i) => readJson<RunSummary>(join(shard(i), 'summary.json')));

  // run.json: the run id, and which fleet hosts came from which shard.
  const record = readJson<RunRecord>(join(dir, 'run.json'));
  assert.equal(record.status, 'complete');
  assert.equal(record.runId, RUN_ID);
  assert.equal(record.hosts, 4);
  assert.deepEqual(record.merged?.shards.map((s) => [s.shard?.index, s.hostIds, s.source]), [[0, [0, 1], shard(0)], [1, [2, 3], shard(1)]]);

  // devices.csv: the union of the shards' rows, each id once, hosts renumbered.
  const rows = csvRows(join(dir, 'devices.csv'));
  const shardRows = [0, 1].map((i) => csvRows(join(shard(i), 'devices.csv')));
  assert.equal(rows.length, 30);
  assert.deepEqual(rows.map((c) => c[0]).sort(), Array.from({ length: 30 }, (_, i) => `dev-${i}`).sort(), 'every device once');
  const hostOf = new Map(rows.map((c) => [c[0], Number(c[3])]));
  for (const c of shardRows[1]) assert.equal(hostOf.get(c[0]), Number(c[3]) + 2, `${c[0]}: shard 1's host ${c[3]} is fleet host ${Number(c[3]) + 2}`);
  for (const c of shardRows[0]) assert.equal(hostOf.get(c[0]), Number(c[3]));

  // Event logs under the new host ids; a shard 1 device's log is found through its row.
  for (const h of [0, 1, 2, 3]) assert.ok(existsSync(join(dir, `events-host${h}.ndjson`)), `events-host${h}.ndjson`);
  const late = shardRows[1][0][0];
  const log = await runDeviceLog(dir, late);
  assert.ok(log && log.device.hostId >= 2, `device ${late} on a shard 1 host`);
  assert.deepEqual(log.events.slice(0, 3).map((e) => e.kind), ['connecting', 'connected', 'online']);

  // timeline.csv: at a second both shards closed, online is the sum of theirs; host columns for 4 hosts.
  const merged = parseTimeline(readFileSync(join(dir, 'timeline.csv'), 'utf8')).points;
  const shardTimelines = [0, 1].map((i) => parseTimeline(readFileSync(join(shard(i), 'timeline.csv'), 'utf8')).points);
  const second = (at: number) => Math.round(at / 1000);
  const common = shardTimelines[0].map((p) => second(p.at)).filter((s) => shardTimelines[1].some((q) => second(q.at) === s));
  assert.ok(common.length >= 3, `the shards share seconds: ${common.length}`);
  const mid = common[Math.floor(common.length / 2)];
  const at = (points: typeof merged, s: number) => points.filter((p) => second(p.at) === s);
  assert.equal(at(merged, mid).length, 1);
  assert.ok(at(merged, mid)[0].online > 0);
  assert.equal(at(merged, mid)[0].online, at(shardTimelines[0], mid)[0].online + at(shardTimelines[1], mid)[0].online);
  assert.deepEqual(at(merged, mid)[0].hosts.map((h) => h.hostId).sort(), [0, 1, 2, 3]);
  assert.equal(merged.reduce((n, p) => n + p.connects, 0), shardSummaries[0].connects + shardSummaries[1].connects, 'connects per second add up');

  // That second's puback p99, from the two shards' histograms of it added together.
  const secondHists = [0, 1].map((i) => histogramLines(shard(i)).filter((l) => l.at !== undefined && second(l.at) === mid).map((l) => l.h.puback as string | undefined));
  const both = added(secondHists.flat());
  assert.ok(both.totalCount > 0, 'pubacks in that second');
  assert.equal(at(merged, mid)[0].p99.puback, summarize(both).p99);

  // summary.json: totals summed, latency from the whole-run histograms added (exact), hosts tagged.
  const summary = readJson<RunSummary>(join(dir, 'summary.json'));
  assert.equal(summary.devices, 30);
  assert.equal(summary.connects, 30);
  assert.equal(summary.received, shardSummaries[0].received + shardSummaries[1].received);
  assert.equal(summary.sent.heartbeat, shardSummaries[0].sent.heartbeat + shardSummaries[1].sent.heartbeat);
  assert.equal(summary.peakOnline, Math.max(...merged.map((p) => p.online)));
  const totals = [0, 1].map((i) => histogramLines(shard(i)).at(-1).total as Partial<Record<LatencyKind, string>>);
  for (const k of ['puback', 'connect', 'connack'] as const) {
    const expected = summarize(added(totals.map((t) => t[k])));
    assert.ok(expected.count > 0, `${k} samples`);
    assert.deepEqual(summary.latencyMs[k], expected, `${k}: percentiles of the histograms added, not averaged`);
  }
  assert.equal(summary.latencyMs.puback.count, shardSummaries[0].latencyMs.puback.count + shardSummaries[1].latencyMs.puback.count);
  assert.deepEqual(summary.hosts.map((h) => [h.hostId, h.shard]), [[0, 0], [1, 0], [2, 1], [3, 1]]);
  assert.deepEqual(Object.keys(histogramLines(dir).at(-1).total).sort(), LATENCY_KINDS.filter((k) => totals.some((t) => t[k])).sort(), 'the merged run keeps its histograms too');

  // fleet-events.ndjson: both shards' events, tagged, in time order.
  const events = readFileSync(join(dir, 'fleet-events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual([...new Set(events.map((e) => e.shard))].sort(), [0, 1]);
  assert.deepEqual(events.map((e) => e.at), [...events.map((e) => e.at)].sort((a, b) => a - b));

  // A normal run: listed, reported (hosts labelled with their shard), exported.
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /host 3 <span class="pill">shard 1<\/span>/);
  const listed = JSON.parse((await fleetsim(['runs', '--dir', runsDir, '--json'])).stdout) as RunListEntry[];
  assert.deepEqual(listed.map((e) => [e.id, e.status, e.devices, e.peakOnline]), [[result.id, 'complete', 30, summary.peakOnline]]);
  const report = await fleetsim(['report', result.id, '--dir', runsDir]);
  assert.equal(report.code, 0, report.stderr);
  const zip = join(work, 'merged.zip');
  const exported = await fleetsim(['export', result.id, zip, '--dir', runsDir]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(existsSync(zip));
});

test('a shard given as an exported .zip merges like its directory', async () => {
  const zip = join(work, 'shard1.zip');
  const exported = await fleetsim(['export', shard(1), zip]);
  assert.equal(exported.code, 0, exported.stderr);
  const dir = mkdtempSync(join(work, 'zip-runs-'));
  const r = await fleetsim(['runs', 'merge', shard(0), zip, '--dir', dir, '--name', 'from-zip', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.status, 'complete', result.reason);
  assert.match(result.id, /-from-zip$/);
  assert.equal(csvRows(join(result.dir, 'devices.csv')).length, 30);
  assert.deepEqual(readdirSync(dir), [result.id], 'the unpacked zip is not left behind');
});

/** A copy of shard `i`'s record with `edit` applied to its run.json (and scenario.json). */
function editedCopy(i: number, name: string, edit: { record?: (r: RunRecord) => void; scenario?: (s: Record<string, any>) => void }): string {
  const dir = join(work, name);
  cpSync(shard(i), dir, { recursive: true });
  if (edit.record) {
    const r = readJson<RunRecord>(join(dir, 'run.json'));
    edit.record(r);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(r));
  }
  if (edit.scenario) {
    const s = readJson<Record<string, any>>(join(dir, 'scenario.json'));
    edit.scenario(s);
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(s));
  }
  return dir;
}

test('refusals exit 2 with one line saying why, and leave nothing behind', async () => {
  const before = runsDirNow();
  const notARun = mkdtempSync(join(work, 'not-a-run-'));
  const otherRun = editedCopy(1, 'other-run', { record: (r) => (r.runId = 'merge-2') });
  const otherScenario = editedCopy(1, 'other-scenario', { scenario: (s) => (s.groups[0].clientId = 'other-{index}') });
  const manyHosts = editedCopy(1, 'many-hosts', { record: (r) => (r.hosts = 1e9) });
  const badShard = editedCopy(1, 'bad-shard', { record: (r) => (r.shard = { index: 5, count: 2 }) });
  const cases: Array<[string[], RegExp]> = [
    [[shard(0)], /needs at least 2 shard records to merge, got 1/],
    [[shard(0), shard(0)], /shard 0\/2 is given twice/],
    [[shard(0), otherRun], /the inputs are from different runs: .*merge-1.*merge-2.*--force/],
    [[shard(0), notARun], /not-a-run-\w+ is not a run directory \(no run\.json\)/],
    [[shard(0), otherScenario], /the scenario of shard 1\/2 .* differs from shard 0\/2's at groups\[0\]\.clientId/],
    [[shard(0), join(work, 'nowhere.zip')], /nowhere\.zip: no such file/],
    [[shard(0), manyHosts], /many-hosts: the record names host ids up to 999999999; at most 4096 hosts per shard/],
    [[shard(0), badShard], /bad-shard: run\.json has a shard that is not one/],
    [[shard(0), shard(1), '--name', '///'], /--name must hold a letter or digit/],
  ];
  for (const [args, message] of cases) {
    const r = await fleetsim(['runs', 'merge', ...args, '--dir', runsDir]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.deepEqual(runsDirNow(), before, `${args.join(' ')}: nothing left in the runs directory`);
  }
  // --force merges different run ids anyway, saying so.
  const forced = await fleetsim(['runs', 'merge', shard(0), otherRun, '--dir', runsDir, '--force', '--name', 'forced', '--json']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, /warning: merging different run ids/);
  assert.equal(JSON.parse(forced.stdout).status, 'complete');
});

test('missing shards are not refused: the merged run is incomplete, saying which', async () => {
  const dir = mkdtempSync(join(work, 'missing-runs-'));
  const of3 = [0, 1].map((i) => editedCopy(i, `of3-shard${i}`, { record: (r) => (r.shard = { index: i, count: 3 }) }));
  const r = await fleetsim(['runs', 'merge', ...of3, '--dir', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.status, 'incomplete');
  assert.equal(readJson<RunRecord>(join(result.dir, 'run.json')).reason, 'shard 2 of 3 missing');
  const listed = JSON.parse((await fleetsim(['runs', '--dir', dir, '--json'])).stdout) as RunListEntry[];
  assert.deepEqual(listed.map((e) => [e.status, e.reason]), [['incomplete', 'shard 2 of 3 missing']]);
});
