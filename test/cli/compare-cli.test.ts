/// <reference lib="dom" />
// `fleetsim compare` as a user runs it: two runs recorded by `fleetsim run` (the second with a
// threshold), compared by id, by path and as "latest"; the table, the JSON, compare.html opened
// in Chromium with every request off the file blocked; and the errors for bad input.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { RunListEntry } from '../../src/contract/runs.ts';
import type { RunComparison } from '../../src/contract/run-comparison.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fleetsim.mjs');
const RESULTS = join(ROOT, 'test-results');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-home-compare-'));
const work = mkdtempSync(join(tmpdir(), 'fleetsim-compare-cli-'));
const runsDir = join(home, 'runs');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function fleetsim(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FLEETSIM_HOME: home }, cwd: work });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : null), stdout, stderr });
    });
  });
}

let ids: string[] = [];

before(async () => {
  const scenario = (name: string, count: number) => {
    const file = join(work, `${name}.yaml`);
    writeFileSync(file, `name: ${name}\nramp: 0\nhosts: 1\ngroups:\n  - name: m\n    protocol: mqtt\n    url: embedded:mqtt\n    count: ${count}\n    timers: { heartbeat: { every: 300ms } }\n`);
    return file;
  };
  const first = await fleetsim(['run', scenario('small', 8), '--duration', '2s']);
  assert.equal(first.code, 0, first.stderr);
  const second = await fleetsim(['run', scenario('large', 16), '--duration', '2s', '--threshold', 'connack.p99 < 30s']);
  assert.equal(second.code, 0, second.stderr);
  const list = JSON.parse((await fleetsim(['runs', '--json'])).stdout) as RunListEntry[];
  ids = list.map((r) => r.id).reverse();
  assert.equal(ids.length, 2);
});

after(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

test('the table: one column per run, differences against the first, thresholds; compare.html in the current directory', async () => {
  const r = await fleetsim(['compare', ids[0], join(runsDir, ids[1])]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /base small\s+#2 large/);
  assert.match(r.stdout, /devices\s+8\s+16 {2}\+8 \(\+100%\)/);
  assert.match(r.stdout, /peak online\s+8\s+16 {2}\+8 \(\+100%\)/);
  assert.match(r.stdout, /connack p99\s+\d/);
  assert.match(r.stdout, /generator RSS per device\s+[\d,.]+ KB/);
  assert.match(r.stdout, /thresholds\s+—\s+all 1 held/);
  const file = join(work, 'compare.html');
  assert.ok(r.stdout.trimEnd().endsWith(`compare.html written to ${file}`), r.stdout);
  assert.ok(existsSync(file));
});

test('--json: the comparison as data, with where the page went (--out)', async () => {
  const out = join(work, 'pages', 'cmp.html');
  mkdirSync(join(work, 'pages'), { recursive: true });
  const r = await fleetsim(['compare', ids[0], 'latest', '--json', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as RunComparison & { html: string };
  assert.equal(c.html, out);
  assert.deepEqual(c.runs.map((x) => x.id), ids);
  assert.deepEqual(c.runs.map((x) => x.thresholds), [null, { passed: 1, failed: 0 }]);
  const devices = c.figures.find((f) => f.key === 'devices')!;
  assert.deepEqual(devices.values, [8, 16]);
  assert.deepEqual(devices.diffs[1], { abs: 8, pct: 100 });
  assert.ok(existsSync(out));
});

test('a .zip from `fleetsim export` is compared like the run it holds, and its staging directory is removed', async () => {
  const zip = join(work, 'large.zip');
  const exported = await fleetsim(['export', ids[1], zip]);
  assert.equal(exported.code, 0, exported.stderr);
  const r = await fleetsim(['compare', ids[0], zip, '--json', '--out', join(work, 'zip.html')]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as RunComparison;
  assert.equal(c.runs[1].id, ids[1]);
  assert.deepEqual(c.figures.find((f) => f.key === 'devices')!.values, [8, 16]);
  assert.ok(!existsSync(c.runs[1].dir), `staging ${c.runs[1].dir} removed`);
});

test('compare.html is self-contained: CSP, no script, nothing fetched; the overlaid charts draw one line per run', async () => {
  const file = join(work, 'compare.html');
  assert.equal((await fleetsim(['compare', ...ids])).code, 0);
  const page = readFileSync(file, 'utf8');
  assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(page, /<script|<link rel="stylesheet"|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  mkdirSync(RESULTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    tab.on('request', (q) => {
      if (!q.url().startsWith('file:') && !q.url().startsWith('data:')) requests.push(q.url());
    });
    await tab.goto(pathToFileURL(file).href);
    assert.equal(await tab.textContent('[data-testid="title"]'), '2 runs compared');
    assert.equal(await tab.locator('table.runs tbody tr').count(), 2);
    assert.match((await tab.textContent('[data-figure="devices"]')) ?? '', /8\s*16\s*\+8 \(\+100%\)/);
    const lines = await tab.$$eval('[data-chart="online"] svg path.series', (ps) => ps.map((p) => p.getAttribute('data-series')));
    assert.deepEqual(lines, ['base small', '#2 large']);
    assert.ok(await tab.locator('[data-chart="p99-connack"] svg').count());
    await tab.screenshot({ path: join(RESULTS, 'compare-cli.png'), fullPage: true });
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
  }
});

test('bad input: fewer than two runs, a run not found (which one), an unreadable record', async () => {
  const one = await fleetsim(['compare', ids[0]]);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /expected two runs or more to compare, got 1/);
  const missing = await fleetsim(['compare', ids[0], 'no-such-run']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /run 2 \("no-such-run"\): no run "no-such-run"/);
  const broken = join(work, 'broken-run');
  cpSync(join(runsDir, ids[1]), broken, { recursive: true });
  writeFileSync(join(broken, 'run.json'), '{ torn');
  const unreadable = await fleetsim(['compare', ids[0], broken]);
  assert.equal(unreadable.code, 1);
  assert.match(unreadable.stderr, new RegExp(`${broken.replace(/[.*+?^$()|[\]\\]/g, '\\$&')} cannot be read as a run`));
});
