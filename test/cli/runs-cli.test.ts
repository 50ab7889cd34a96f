// Recorded runs from the command line: recorded by default, listed, exported, imported, run
// again; and a run whose app is killed mid-run still leaves a readable, honest record.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunListEntry } from '../../src/contract/runs.ts';
import { readHostEventLog } from '../../src/runs/event-logs.ts';
import { readRun, runDevicesPage } from '../../src/runs/run-reader.ts';
import { waitFor } from '../helpers/ports.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-home-runs-'));
const work = mkdtempSync(join(tmpdir(), 'fleetsim-runs-cli-'));
const runsDir = join(home, 'runs');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function fleetsim(args: string[], onStart?: (pid: number) => void): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FLEETSIM_HOME: home }, cwd: work });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    onStart?.(child.pid!);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : null), stdout, stderr });
    });
  });
}

const scenarioFile = join(work, 'fleet.yaml');
writeFileSync(scenarioFile, `name: shared\nramp: 0\nhosts: 2\ngroups:\n  - name: m\n    protocol: mqtt\n    url: embedded:mqtt\n    count: 24\n    timers: { heartbeat: { every: 400ms } }\n`);

const runs = async (dir = runsDir) => JSON.parse((await fleetsim(['runs', '--json', '--dir', dir])).stdout) as RunListEntry[];

test('every run is recorded under FLEETSIM_HOME/runs by default, and --no-record keeps none', async () => {
  const r = await fleetsim(['run', scenarioFile, '--duration', '2s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`run recorded in ${runsDir.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}/\\S+-shared`));
  const list = await runs();
  assert.equal(list.length, 1);
  assert.equal(list[0].status, 'complete');
  assert.equal(list[0].devices, 24);
  assert.equal(list[0].peakOnline, 24);
  const none = await fleetsim(['run', scenarioFile, '--duration', '1s', '--no-record']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal((await runs()).length, 1);
});

test('export → import round trip: the same files, byte for byte (the report written again); a second import gets its own id', async () => {
  const [run] = await runs();
  const zip = join(work, 'shared-run.zip');
  const ex = await fleetsim(['export', 'latest', zip]);
  assert.equal(ex.code, 0, ex.stderr);
  assert.equal(readFileSync(zip).subarray(0, 2).toString(), 'PK');
  const other = join(work, 'colleague-runs');
  const im = await fleetsim(['import', zip, '--dir', other]);
  assert.equal(im.code, 0, im.stderr);
  assert.match(im.stdout, new RegExp(`imported as ${run.id}`));
  const files = readdirSync(run.dir).sort();
  assert.deepEqual(readdirSync(join(other, run.id)).sort(), files);
  // report.html is never taken from a zip: it is written again from the run's data.
  for (const f of files.filter((name) => name !== 'report.html')) assert.ok(readFileSync(join(other, run.id, f)).equals(readFileSync(join(run.dir, f))), `${f} is identical`);
  assert.match(readFileSync(join(other, run.id, 'report.html'), 'utf8'), /<meta name="generator" content="Fleetsim">/);
  const detail = await readRun(join(other, run.id));
  assert.equal(detail?.entry.status, 'complete');
  assert.equal(detail?.summary?.peakOnline, 24);

  const again = await fleetsim(['import', zip, '--dir', other]);
  assert.match(again.stdout, new RegExp(`imported as ${run.id}-2`));
  const notZip = join(work, 'not.zip');
  writeFileSync(notZip, 'hello');
  const bad = await fleetsim(['import', notZip, '--dir', other]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a zip archive/);
  const missing = await fleetsim(['export', 'no-such-run']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no run "no-such-run"/);
});

test('run --from <run> runs the recorded scenario again, as written, with new overrides', async () => {
  const [first] = await runs();
  const r = await fleetsim(['run', '--from', first.id, '--duration', '1s', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).devices, 24);
  const [second] = await runs();
  assert.notEqual(second.id, first.id);
  const source = (id: string) => JSON.parse(readFileSync(join(runsDir, id, 'scenario-source.json'), 'utf8'));
  assert.deepEqual(source(second.id), { ...source(first.id), duration: '1s' });
  const bad = await fleetsim(['run', '--from', 'nowhere']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--from: no run "nowhere"/);
});

test('the app killed mid-run: the record keeps every event and device row up to the kill, marked interrupted', async () => {
  const killHome = join(work, 'killed');
  let pid = 0;
  const running = fleetsim(['run', scenarioFile, '--duration', '60s', '--record', killHome], (p) => (pid = p));
  let dir = '';
  await waitFor('three seconds of timeline', () => {
    const id = existsSync(killHome) ? readdirSync(killHome)[0] : undefined;
    dir = id ? join(killHome, id) : '';
    return Boolean(id) && existsSync(join(dir, 'timeline.csv')) && readFileSync(join(dir, 'timeline.csv'), 'utf8').trim().split('\n').length >= 4;
  }, 30_000);
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  const r = await running;
  assert.equal(r.code, -1, 'killed');
  // Its hosts notice the lost channel, save their rows and exit.
  await waitFor('both hosts’ device rows', () => readdirSync(dir).filter((f) => /^devices-host\d\.csv$/.test(f)).length === 2, 15_000);

  const detail = await readRun(dir);
  assert.ok(detail);
  assert.equal(detail.entry.status, 'incomplete');
  assert.match(detail.entry.reason ?? '', /^interrupted: the recording process \(pid \d+\) stopped before the run ended, \d+ s in; there is no summary$/);
  assert.equal(detail.summary, null);
  const last = detail.timeline.at(-1)!;
  assert.ok(killedAt - last.at <= 1500, `the timeline reaches the last second before the kill (${killedAt - last.at} ms)`);
  const page = await runDevicesPage(dir, { offset: 0, limit: 100 });
  assert.equal(page.total, 24);
  assert.ok(page.rows.every((d) => d.state === 'online' && d.connects === 1 && d.sent > 0), 'each row as the host last saw it');
  const online = new Map<string, number>();
  for (const h of [0, 1]) for await (const e of readHostEventLog(dir, h)) if (e.kind === 'online') online.set(e.id, (online.get(e.id) ?? 0) + 1);
  assert.equal(online.size, 24, 'no event lost: every device’s online event is in its host’s log');
  const list = await runs(killHome);
  assert.equal(list[0].status, 'incomplete');
});
