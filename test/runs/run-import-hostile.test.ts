// Importing a run from someone else: zip bombs (one huge entry, many entries, too much in all, a
// compression ratio no run has) are refused with the cap named and nothing left behind; a run
// whose files are malformed is refused before it is moved in; a report.html in the zip is never
// used (the report is written again here); one broken run in the directory never hides the rest.
import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import yazl from 'yazl';
import { exportRunArchive, importRunArchive, ImportError } from '../../src/runs/run-archive.ts';
import { listRuns } from '../../src/runs/run-reader.ts';
import { summaryProblems } from '../../src/runs/run-check.ts';
import { RunLibrary } from '../../src/fleet/run-library.ts';
import { writeSyntheticRun } from './synthetic-run.ts';

const work = mkdtempSync(join(tmpdir(), 'fleetsim-import-hostile-'));
const RUN = '2026-11-20T06-00-00-000Z-shared';
let n = 0;

/** A good run directory to start from. */
function goodRun(): string {
  const dir = join(work, `src-${++n}`, RUN);
  writeSyntheticRun(dir, { name: 'shared', seconds: 5, devices: 10, hosts: 1 });
  return dir;
}

type Entry = { name: string; data: Buffer | (() => Readable); compress?: boolean };

async function zipOf(entries: Entry[]): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    if (Buffer.isBuffer(e.data)) zip.addBuffer(e.data, e.name, { compress: e.compress ?? true });
    else zip.addReadStream(e.data(), e.name, { compress: e.compress ?? true });
  }
  zip.end();
  const file = join(work, `zip-${++n}.zip`);
  await pipeline(zip.outputStream, createWriteStream(file));
  return file;
}

/** The files of a good run as zip entries. */
function runEntries(dir: string, id = RUN): Entry[] {
  return readdirSync(dir).map((name) => ({ name: `${id}/${name}`, data: readFileSync(join(dir, name)) }));
}

/** `bytes` zero bytes, streamed (never held in memory whole). */
function zeros(bytes: number): () => Readable {
  return () => {
    let left = bytes;
    const chunk = Buffer.alloc(1024 * 1024, 0x30);
    return new Readable({
      read() {
        if (left <= 0) return void this.push(null);
        const n = Math.min(left, chunk.length);
        left -= n;
        this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      },
    });
  };
}

function freshRunsDir(): string {
  const d = join(work, `runs-${++n}`);
  mkdirSync(d);
  return d;
}

async function refusedWith(file: string, runsDir: string, pattern: RegExp, limits?: Parameters<typeof importRunArchive>[2]): Promise<void> {
  await assert.rejects(importRunArchive(file, runsDir, limits), (err: Error) => {
    assert.ok(err instanceof ImportError, `an ImportError, not ${err.stack}`);
    assert.match(err.message, pattern);
    return true;
  });
  assert.deepEqual(readdirSync(runsDir), [], 'nothing left behind');
}

describe('run import: caps', () => {
  test('one huge, highly compressible entry (a timeline the app reads whole) is refused', async () => {
    const dir = goodRun();
    const bomb = await zipOf([...runEntries(dir).filter((e) => !e.name.endsWith('timeline.csv')), { name: `${RUN}/timeline.csv`, data: zeros(80 * 1024 * 1024) }]);
    await refusedWith(bomb, freshRunsDir(), /timeline\.csv: .*(over|more than) .*MiB|compress/);
  });

  test('an entry over the per-entry cap is refused', async () => {
    const dir = goodRun();
    const file = await zipOf([...runEntries(dir), { name: `${RUN}/events-host0.ndjson`, data: zeros(3 * 1024 * 1024), compress: false }]);
    await refusedWith(file, freshRunsDir(), /events-host0\.ndjson: .*over .*2 MiB/, { maxEntryBytes: 2 * 1024 * 1024 });
  });

  test('too many entries is refused before anything is unpacked', async () => {
    const dir = goodRun();
    const many: Entry[] = Array.from({ length: 300 }, (_, i) => ({ name: `${RUN}/events-host${i}.ndjson`, data: Buffer.from('{}\n') }));
    const file = await zipOf([...runEntries(dir), ...many]);
    await refusedWith(file, freshRunsDir(), /more than 200 entries/, { maxEntries: 200 });
  });

  test('too many bytes in all is refused', async () => {
    const dir = goodRun();
    const parts: Entry[] = Array.from({ length: 4 }, (_, i) => ({ name: `${RUN}/devices-host${i}.csv`, data: zeros(1024 * 1024), compress: false }));
    const file = await zipOf([...runEntries(dir), ...parts]);
    await refusedWith(file, freshRunsDir(), /more than 3 MiB in all/, { maxTotalBytes: 3 * 1024 * 1024 });
  });

  test('a compression ratio no recorded run has is refused', async () => {
    const dir = goodRun();
    const file = await zipOf([...runEntries(dir), { name: `${RUN}/devices-host0.csv`, data: zeros(8 * 1024 * 1024) }]);
    await refusedWith(file, freshRunsDir(), /devices-host0\.csv: compressed more than 50:1/, { maxRatio: 50 });
  });

  test('a good run still imports with the default caps', async () => {
    const dir = goodRun();
    const runsDir = freshRunsDir();
    const id = await importRunArchive(await zipOf(runEntries(dir)), runsDir);
    assert.equal(id, RUN);
    assert.deepEqual(readdirSync(runsDir), [RUN]);
  });
});

describe('run import: malformed runs and reports', () => {
  test('a run whose scenario.json is {} is refused, and nothing is moved in', async () => {
    const dir = goodRun();
    writeFileSync(join(dir, 'scenario.json'), '{}');
    await refusedWith(await zipOf(runEntries(dir)), freshRunsDir(), /scenario\.json: /);
  });

  test('a run.json that is not a run record is refused', async () => {
    const dir = goodRun();
    for (const bad of ['[]', '{"status":"complete"}', 'null', '{"status":"pwned","startedAt":"x","pid":1}']) {
      writeFileSync(join(dir, 'run.json'), bad);
      await refusedWith(await zipOf(runEntries(dir)), freshRunsDir(), /run\.json: /);
    }
  });

  test("the zip's report.html is never used: the report is written again, and it runs no script", async () => {
    const dir = goodRun();
    const evil = '<!doctype html><meta http-equiv="Content-Security-Policy" content="script-src \'unsafe-inline\'"><script>window.PWNED=1</script>';
    const file = await zipOf([...runEntries(dir), { name: `${RUN}/report.html`, data: Buffer.from(evil) }]);
    const runsDir = freshRunsDir();
    const library = new RunLibrary(() => runsDir);
    const imported = await library.import(file);
    assert.ok(imported.ok, JSON.stringify(imported));
    const report = readFileSync(join(runsDir, RUN, 'report.html'), 'utf8');
    assert.doesNotMatch(report, /PWNED/);
    assert.match(report, /<meta name="generator" content="Fleetsim">/);
  });

  test('one broken run in the runs directory is listed as broken; the others are still listed', async () => {
    const runsDir = freshRunsDir();
    writeSyntheticRun(join(runsDir, '2026-11-20T06-00-00-000Z-good'), { name: 'good', seconds: 3, devices: 5, hosts: 1 });
    writeSyntheticRun(join(runsDir, '2026-11-21T06-00-00-000Z-broken'), { name: 'broken', seconds: 3, devices: 5, hosts: 1 });
    writeFileSync(join(runsDir, '2026-11-21T06-00-00-000Z-broken', 'scenario.json'), '{}');
    writeSyntheticRun(join(runsDir, '2026-11-22T06-00-00-000Z-odd'), { name: 'odd', seconds: 3, devices: 5, hosts: 1 });
    writeFileSync(join(runsDir, '2026-11-22T06-00-00-000Z-odd', 'summary.json'), '{"name": 7, "peakOnline": "many"}');
    const runs = listRuns(runsDir);
    assert.deepEqual(runs.map((r) => r.id).sort(), ['2026-11-20T06-00-00-000Z-good', '2026-11-21T06-00-00-000Z-broken', '2026-11-22T06-00-00-000Z-odd']);
    const broken = runs.find((r) => r.id.endsWith('broken'))!;
    assert.equal(broken.status, 'incomplete');
    assert.match(broken.reason ?? '', /^unreadable: scenario\.json: /);
    const odd = runs.find((r) => r.id.endsWith('odd'))!;
    assert.equal(typeof odd.name, 'string');
    assert.equal(odd.peakOnline, null);
    const library = new RunLibrary(() => runsDir);
    assert.equal((await library.list()).length, 3);
    assert.equal(await library.open('2026-11-21T06-00-00-000Z-broken').then((d) => d?.entry.status), 'incomplete', 'opening it does not throw either');
  });

  test('export then import of a good run round-trips', async () => {
    const dir = goodRun();
    const zip = join(work, 'round.zip');
    await exportRunArchive(dir, zip);
    const runsDir = freshRunsDir();
    assert.equal(await importRunArchive(zip, runsDir), RUN);
    assert.ok(existsSync(join(runsDir, RUN, 'run.json')));
  });
});

test('a summary with malformed per-group figures is refused, naming the group; one without groups (older versions) is fine', () => {
  const base = { name: 'r', devices: 1, peakOnline: 1, hosts: [] };
  assert.deepEqual(summaryProblems(base), []);
  assert.deepEqual(summaryProblems({ ...base, groups: { a: { disconnectReasons: {}, latency: {} } } }), []);
  assert.deepEqual(summaryProblems({ ...base, groups: [] }), ["summary.json: groups: expected each group's figures by group name"]);
  assert.deepEqual(summaryProblems({ ...base, groups: { a: { disconnectReasons: {}, latency: {} }, b: { latency: null } } }), [
    "summary.json: groups.b: expected the group's figures (disconnectReasons and latency included)",
  ]);
});
