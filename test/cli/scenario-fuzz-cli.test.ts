// The scenario fuzzer through the real CLI: generated scenario files through `fleetsim validate`
// and `fleetsim preflight`, and a few tiny fleets through `fleetsim run --duration 1s`. Each ends
// with exit 2 and a field path, or as a valid scenario (a run that runs); never a stack trace,
// never a hang (every process has a deadline).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { runnable, scenario } from '../helpers/scenario-arbitraries.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const STACK = /\n\s+at .+:\d+:\d+/;
/** An indented problem line naming a field: "  groups[0].url: port 0 …". */
const FIELD_LINE = /^\s+(\(scenario\)|[A-Za-z][^\s:]*): \S/m;

function fleetsim(args: string[], timeout: number) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 });
  assert.ok(!r.error, `fleetsim ${args.join(' ')}: ${r.error?.message} (a hang?)`);
  assert.doesNotMatch(r.stderr, STACK, `fleetsim ${args[0]}: a stack trace:\n${r.stderr.slice(0, 1500)}`);
  assert.doesNotMatch(r.stderr, /^fleetsim: (TypeError|RangeError|Error|SyntaxError)/m, r.stderr.slice(0, 1500));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-fuzz-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('20 generated scenario files through fleetsim validate and preflight: exit 2 with a field path, or valid', { timeout: 300_000 }, () => {
  const counts = { scenarios: 0, valid: 0, refused: 0, crashes: 0 };
  fc.sample(scenario, { numRuns: 20, seed: SEED }).forEach((input, i) => {
    counts.scenarios++;
    const file = join(dir, `s${i}.json`);
    writeFileSync(file, JSON.stringify(input) ?? 'null');
    const validate = fleetsim(['validate', file], 60_000);
    const check = fleetsim(['preflight', file], 60_000);
    assert.ok(validate.status === 0 || validate.status === 2, `validate exit ${validate.status}: ${validate.stderr.slice(0, 500)}`);
    if (validate.status === 2) {
      counts.refused++;
      assert.match(validate.stderr, FIELD_LINE, validate.stderr.slice(0, 500));
      assert.equal(check.status, 2, 'preflight refuses what validate refuses');
      assert.match(check.stderr, FIELD_LINE);
    } else {
      counts.valid++;
      assert.match(validate.stdout, /valid: \d+ group\(s\)/);
      assert.ok(check.status === 0 || check.status === 1, `preflight exit ${check.status}: ${check.stderr.slice(0, 500)}`);
      assert.match(check.stdout, /the run would (start|be refused)/);
    }
  });
  console.log(`# CLI scenario fuzz: ${counts.scenarios} scenarios through validate and preflight (${counts.valid} valid, ${counts.refused} refused), crashes = ${counts.crashes}`);
  assert.ok(counts.refused > 0 && counts.valid > 0, JSON.stringify(counts));
});

test('tiny generated fleets through fleetsim run --duration 1s: a run that ends, or exit 2 with a field path', { timeout: 400_000 }, () => {
  const counts = { scenarios: 0, ran: 0, refused: 0, crashes: 0 };
  // Always one valid and one broken among them, whatever the seed draws.
  const samples = [
    { name: 'fuzz-ok', target: 'embedded', ramp: 0, groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 2, timers: { heartbeat: { every: '200ms', topic: 'd/{id}' } } }] },
    { name: 'fuzz-bad', target: 'embedded', ramp: 0, groups: [{ protocol: 'ws', url: 'embedded:ws', count: 2, clientId: 'dev-{idx}' }] },
    ...fc.sample(runnable, { numRuns: 3, seed: SEED }),
  ];
  samples.forEach((input, i) => {
    counts.scenarios++;
    const file = join(dir, `run${i}.json`);
    writeFileSync(file, JSON.stringify(input));
    const run = fleetsim(['run', file, '--duration', '1s', '--no-record', '--json'], 90_000);
    if (run.status === 2) {
      counts.refused++;
      assert.match(run.stderr, FIELD_LINE, run.stderr.slice(0, 500));
      return;
    }
    assert.equal(run.status, 0, `run exit ${run.status}: ${run.stderr.slice(0, 800)}`);
    const summary = JSON.parse(run.stdout) as { devices?: unknown };
    assert.ok(summary && typeof summary === 'object');
    counts.ran++;
  });
  console.log(`# CLI run fuzz: ${counts.scenarios} scenarios through run (${counts.ran} ran, ${counts.refused} refused), crashes = ${counts.crashes}`);
  assert.ok(counts.ran >= 1 && counts.refused >= 1, JSON.stringify(counts));
});
