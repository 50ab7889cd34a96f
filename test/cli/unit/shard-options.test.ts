// Which shard a process is: flags, FLEETSIM_* variables, and Kubernetes' JOB_COMPLETION_INDEX.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveDistributedRun } from '../../../src/cli/shard-options.ts';

const now = Date.parse('2026-12-05T14:00:00Z');
const resolve = (flags: Record<string, string>, env: Record<string, string> = {}) => resolveDistributedRun(flags, env, 'seed fleet', now);

test('no shard flags: a plain run', () => {
  assert.deepEqual(resolve({}), { ok: true, run: null });
});

test('--shard I/N with a run id and start time', () => {
  assert.deepEqual(resolve({ shard: '1/4', 'run-id': 'r1', 'start-at': '2026-12-05T14:01:00Z' }), { ok: true, run: { runId: 'r1', shard: { index: 1, count: 4 }, startAt: Date.parse('2026-12-05T14:01:00Z') } });
});

test('an Indexed Job pod: --shards N takes its index from JOB_COMPLETION_INDEX', () => {
  const r = resolve({ shards: '150', 'run-id': 'big' }, { JOB_COMPLETION_INDEX: '149' });
  assert.deepEqual(r, { ok: true, run: { runId: 'big', shard: { index: 149, count: 150 } } });
  assert.match((resolve({ shards: '4', 'run-id': 'x' }) as { problems: string[] }).problems[0], /JOB_COMPLETION_INDEX/);
  assert.match((resolve({ shards: '4', 'run-id': 'x' }, { JOB_COMPLETION_INDEX: '4' }) as { problems: string[] }).problems[0], /out of range 0-3/);
});

test('environment variables stand in for flags, flags win', () => {
  const env = { FLEETSIM_SHARD: '2/3', FLEETSIM_RUN_ID: 'from-env', FLEETSIM_START_AT: '2026-12-05T14:00:30+01:00' };
  assert.deepEqual(resolve({}, env), { ok: true, run: { runId: 'from-env', shard: { index: 2, count: 3 }, startAt: Date.parse('2026-12-05T13:00:30Z') } });
  assert.equal((resolve({ shard: '0/3' }, env) as { run: { shard: { index: number } } }).run.shard.index, 0);
});

test('shards given the same start time derive the same run id', () => {
  const a = resolve({ shard: '0/2', 'start-at': '2026-12-05T14:05:00Z' });
  const b = resolve({ shard: '1/2', 'start-at': '2026-12-05T14:05:00Z' });
  assert.ok(a.ok && b.ok && a.run && b.run);
  assert.equal(a.run.runId, b.run.runId);
  assert.equal(a.run.runId, 'seed-fleet-20261205T140500Z');
});

test('bad input names the flag and what is wrong', () => {
  const problems = (flags: Record<string, string>, env: Record<string, string> = {}) => {
    const r = resolve(flags, env);
    assert.equal(r.ok, false);
    return (r as { problems: string[] }).problems.join('\n');
  };
  assert.match(problems({ shard: '1/2' }), /--run-id: shards of one fleet need a run id/);
  assert.match(problems({ shard: '5' }), /--shard: expected I\/N/);
  assert.match(problems({ shard: '1/2', shards: '3', 'run-id': 'r' }), /--shards 3 contradicts --shard 1\/2/);
  assert.match(problems({ 'start-at': '14:00' }), /--start-at: expected an ISO time with its zone/);
  assert.match(problems({ 'start-at': '2026-12-05T14:00:00' }), /with its zone/);
  assert.match(problems({ 'start-at': '2026-12-07T14:00:00Z' }), /more than 24 hours away/);
  assert.match(problems({ 'run-id': 'a b' }), /--run-id: expected letters/);
  assert.match(problems({}, { FLEETSIM_SHARD: 'x' }), /FLEETSIM_SHARD: expected I\/N/);
});
