// The editor's machine check: asked once edits pause, the latest answer wins, and the verdict line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PreflightReport, PreflightResult } from '../../src/contract/preflight.ts';
import { createPreflightStore, preflightVerdict } from '../../renderer/state/preflight-store.ts';

function report(levels: Array<'ok' | 'warn' | 'error'>): PreflightReport {
  return { ok: !levels.includes('error'), hosts: 13, devices: 250_000, memoryEstimateBytes: 5.7 * 2 ** 30, checks: levels.map((level, i) => ({ level, topic: 'ports', message: `check ${i}` })) };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('edits in quick succession make one request, for the last draft', async () => {
  const asked: unknown[] = [];
  const p = createPreflightStore(() => async (draft) => {
    asked.push(draft);
    return { ok: true, report: report(['ok']) };
  }, 20);
  p.schedule({ n: 1 });
  p.schedule({ n: 2 });
  p.schedule({ n: 3 });
  await sleep(60);
  assert.deepEqual(asked, [{ n: 3 }]);
  assert.equal(p.store.getState().report?.hosts, 13);
  assert.equal(p.store.getState().busy, false);
});

test('a slow older answer never replaces a newer one; clear() drops both', async () => {
  const answers = new Map<number, (r: PreflightResult) => void>();
  const p = createPreflightStore(() => (draft) => new Promise((resolve) => answers.set((draft as { n: number }).n, resolve)), 0);
  const first = p.runNow({ n: 1 });
  const second = p.runNow({ n: 2 });
  answers.get(2)!({ ok: true, report: report(['error']) });
  await second;
  answers.get(1)!({ ok: true, report: report(['ok']) });
  await first;
  assert.equal(p.store.getState().report?.ok, false, 'the newer answer stays');
  const third = p.runNow({ n: 3 });
  p.clear();
  answers.get(3)!({ ok: false, problems: ['groups: expected at least one group'] });
  await third;
  assert.deepEqual(p.store.getState(), { busy: false, report: null, problems: [] });
});

test('Check now replaces a check still waiting for edits to pause', async () => {
  const asked: unknown[] = [];
  const p = createPreflightStore(() => async (draft) => {
    asked.push(draft);
    return { ok: true, report: report(['ok']) };
  }, 20);
  p.schedule({ n: 1 });
  await p.runNow({ n: 2 });
  await sleep(60);
  assert.deepEqual(asked, [{ n: 2 }]);
});

test('an unreachable fleet or an invalid scenario leaves no report, only the reason', async () => {
  const failing = createPreflightStore(() => async () => {
    throw new Error('bridge closed');
  }, 0);
  await failing.runNow({});
  assert.deepEqual(failing.store.getState(), { busy: false, report: null, problems: ['bridge closed'] });
  const invalid = createPreflightStore(() => async () => ({ ok: false, problems: ['groups: expected at least one group'] }), 0);
  await invalid.runNow({});
  assert.deepEqual(invalid.store.getState().problems, ['groups: expected at least one group']);
});

test('the verdict says refused, warnings or ok, with hosts and memory', () => {
  const plan = '13 hosts, ~5.7 GB';
  assert.deepEqual(preflightVerdict(report(['error', 'error', 'warn'])), { tone: 'error', text: 'Would be refused: 2 problems', plan });
  assert.deepEqual(preflightVerdict(report(['ok', 'error'])), { tone: 'error', text: 'Would be refused: 1 problem', plan });
  assert.deepEqual(preflightVerdict(report(['ok', 'warn'])), { tone: 'warn', text: 'This machine holds it, with 1 warning: 13 hosts, ~5.7 GB', plan });
  assert.deepEqual(preflightVerdict(report(['ok'])), { tone: 'ok', text: 'This machine holds it: 13 hosts, ~5.7 GB', plan });
  assert.equal(preflightVerdict({ ...report(['ok']), hosts: 1 }).text, 'This machine holds it: 1 host, ~5.7 GB');
});
