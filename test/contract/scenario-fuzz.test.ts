// Property-based: 2,000 generated scenarios (well-formed ones with fields broken, random JSON,
// huge and unicode strings, prototype keys, deep nesting) through validation and, when valid,
// the preflight: never a throw, every problem names a field path, a valid scenario stays valid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { validateScenario } from '../../src/contract/validate.ts';
import { readMachineFacts } from '../../src/fleet/machine-facts.ts';
import { preflight } from '../../src/fleet/preflight.ts';
import { scenario } from '../helpers/scenario-arbitraries.ts';

const RUNS = 2000;
const TOP_LEVEL = ['(scenario)', 'name', 'target', 'duration', 'ramp', 'hosts', 'logRing', 'groups', 'embedded', 'storms'];
/** A problem line: a path that starts at a scenario field, then ": ", then what is wrong. */
const hasPath = (p: string) => {
  const colon = p.indexOf(': ');
  if (colon <= 0 || p.length - colon < 4) return false;
  const head = /^[^.[:]+/.exec(p.slice(0, colon))?.[0] ?? p.slice(0, colon);
  return TOP_LEVEL.includes(head);
};

test(`validation and preflight of ${RUNS} generated scenarios: a field path for every problem, never a crash`, { timeout: 240_000 }, () => {
  const facts = readMachineFacts();
  const counts = { scenarios: 0, valid: 0, invalid: 0, crashes: 0, problems: 0 };
  const failures: string[] = [];
  const details = fc.check(
    fc.property(scenario, (input) => {
      counts.scenarios++;
      let result;
      try {
        result = validateScenario(input);
      } catch (err) {
        counts.crashes++;
        failures.push(`validate threw: ${(err as Error).stack?.split('\n').slice(0, 3).join(' / ')}`);
        return false;
      }
      if (!result.ok) {
        counts.invalid++;
        counts.problems += result.problems.length;
        assert.ok(result.problems.length > 0);
        for (const p of result.problems) {
          assert.ok(hasPath(p), `problem without a field path: ${p.slice(0, 300)}`);
          assert.ok(p.length < 2000, `a problem line of ${p.length} characters (echoing a huge value?): ${p.slice(0, 200)}`);
          assert.ok(!/\n\s+at /.test(p), `a stack trace in a problem: ${p.slice(0, 300)}`);
        }
        return true;
      }
      counts.valid++;
      // A valid scenario is valid as what it parsed to (durations back to text would differ, so re-check the shape only).
      assert.ok(result.scenario.groups.length > 0);
      try {
        const report = preflight(result.scenario, facts);
        assert.ok(report.checks.length > 0);
      } catch (err) {
        counts.crashes++;
        failures.push(`preflight threw: ${(err as Error).stack?.split('\n').slice(0, 3).join(' / ')}`);
        return false;
      }
      return true;
    }),
    { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261205), endOnFailure: true },
  );
  // The counterexample may hold megabytes: report it cut short.
  if (details.failed) failures.push(`${String(details.errorInstance ?? '').slice(0, 600)} — input: ${JSON.stringify(details.counterexample)?.slice(0, 600)}`);
  console.log(`# scenario fuzz: ${counts.scenarios} scenarios tried (${counts.valid} valid, ${counts.invalid} refused with ${counts.problems} problems), crashes = ${counts.crashes}`);
  assert.deepEqual(failures, []);
  assert.equal(counts.crashes, 0);
  assert.ok(counts.valid > 20 && counts.invalid > 200, `the generator reaches both sides: ${JSON.stringify(counts)}`);
});
