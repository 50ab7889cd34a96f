// The recorded runs in the UI: the runs store against a fake FleetApi (list, open, the open run
// finishing, export / report / import answers), the figures of a summary, "Run again", the
// browser-mode links, and a past run's chart source.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FleetApi } from '../../src/contract/fleet-api.ts';
import type { ExportResult, ImportResult, ReportResult, RunDetail, RunListEntry } from '../../src/contract/runs.ts';
import { recordedChartSource } from '../../renderer/state/chart-source.ts';
import { problemsOfField, runAgainDraft, runDurationMs, runFileUrl, runStatusBadge, summaryFigures } from '../../renderer/state/runs-model.ts';
import { createRunsStore } from '../../renderer/state/runs-store.ts';
import { demoScenario, point, summary } from './fixtures.ts';

function entry(id: string, over: Partial<RunListEntry> = {}): RunListEntry {
  return { id, name: id.replace(/^.*Z-/, ''), dir: `/runs/${id}`, status: 'complete', startedAt: '2026-01-02T10:00:00.000Z', endedAt: '2026-01-02T10:00:30.000Z', devices: 1200, peakOnline: 1200, bytes: 1000, ...over };
}

function detailOf(e: RunListEntry, over: Partial<RunDetail> = {}): RunDetail {
  return { entry: e, scenario: demoScenario(), source: { name: 'demo', groups: [] }, summary: summary(), timeline: [point(1), point(2)], skippedRows: 0, files: [], ...over };
}

/** A FleetApi with the runs methods, answering from `runs` and the results set on it. */
class FakeRuns {
  runs: RunListEntry[] = [];
  calls: Array<[string, unknown[]]> = [];
  exportResult: ExportResult = { ok: true, file: '/home/x/exports/a.zip', bytes: 2048 };
  reportResult: ReportResult = { ok: true, file: '/runs/a/report.html' };
  importResult: ImportResult = { ok: false, problems: ['file: /nope.zip: no such file'] };
  fail: string | null = null;
  api = {
    listRuns: async () => {
      this.calls.push(['listRuns', []]);
      if (this.fail) throw new Error(this.fail);
      return this.runs.map((r) => ({ ...r }));
    },
    openRun: async (id: string) => {
      this.calls.push(['openRun', [id]]);
      const e = this.runs.find((r) => r.id === id);
      return e ? detailOf({ ...e }) : null;
    },
    exportRun: async (id: string) => (this.calls.push(['exportRun', [id]]), this.exportResult),
    reportRun: async (id: string) => (this.calls.push(['reportRun', [id]]), this.reportResult),
    importRun: async (...args: unknown[]) => (this.calls.push(['importRun', args]), this.importResult),
  } as unknown as FleetApi;
}

describe('runs store', () => {
  test('lists the runs, opens one, and says when a run is gone or the list cannot be read', async () => {
    const fake = new FakeRuns();
    fake.runs = [entry('b'), entry('a')];
    const store = createRunsStore(() => fake.api);
    assert.equal(store.getState().listStatus, 'idle');
    await store.refresh();
    assert.deepEqual(store.getState().runs.map((r) => r.id), ['b', 'a']);
    assert.equal(store.getState().listStatus, 'ok');

    await store.open('a');
    let s = store.getState();
    assert.equal(s.openId, 'a');
    assert.equal(s.detailStatus, 'ok');
    assert.equal(s.detail?.entry.id, 'a');
    const seq = s.detailSeq;

    await store.open('gone');
    s = store.getState();
    assert.equal(s.detailStatus, 'missing');
    assert.equal(s.detail, null);
    assert.ok(s.detailSeq >= seq);

    fake.fail = 'socket closed';
    await store.refresh();
    assert.equal(store.getState().listStatus, 'error');
    assert.equal(store.getState().listError, 'socket closed');
    assert.equal(store.getState().runs.length, 2, 'the last list stays');

    store.close();
    assert.equal(store.getState().openId, null);
    assert.equal(store.getState().detailStatus, 'idle');
  });

  test('the open run is read again when it finishes recording (and only then)', async () => {
    const fake = new FakeRuns();
    fake.runs = [entry('live', { status: 'recording', endedAt: undefined, peakOnline: null })];
    const store = createRunsStore(() => fake.api);
    await store.refresh();
    await store.open('live');
    const seq = store.getState().detailSeq;
    await store.refresh();
    assert.equal(fake.calls.filter(([m]) => m === 'openRun').length, 1, 'same status: not read again');
    fake.runs = [entry('live', { status: 'complete' })];
    await store.refresh();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(store.getState().detail?.entry.status, 'complete');
    assert.equal(store.getState().detailSeq, seq + 1);
  });

  test('a late answer for a run no longer open is dropped', async () => {
    const fake = new FakeRuns();
    fake.runs = [entry('a'), entry('b')];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const open = fake.api.openRun.bind(fake.api);
    fake.api.openRun = async (id: string) => {
      if (id === 'a') await slow;
      return open(id);
    };
    const store = createRunsStore(() => fake.api);
    const first = store.open('a');
    await store.open('b');
    release();
    await first;
    assert.equal(store.getState().openId, 'b');
    assert.equal(store.getState().detail?.entry.id, 'b');
  });

  test('export and report: the file written, or the problems; a canceled dialog says nothing', async () => {
    const fake = new FakeRuns();
    fake.runs = [entry('a')];
    const store = createRunsStore(() => fake.api);
    await store.exportOpen();
    assert.equal(fake.calls.length, 0, 'nothing open: nothing to export');
    await store.open('a');
    await store.exportOpen();
    assert.deepEqual(store.getState().exported, { file: '/home/x/exports/a.zip', bytes: 2048, redacted: [] });
    await store.reportOpen();
    assert.deepEqual(store.getState().reported, { file: '/runs/a/report.html' });
    assert.deepEqual(fake.calls.filter(([m]) => m !== 'openRun'), [['exportRun', ['a']], ['reportRun', ['a']]]);
    fake.exportResult = { ok: true, file: '/home/x/exports/a.zip', bytes: 2048, redacted: ['groups[0].mqtt.password'] };
    await store.exportOpen();
    assert.deepEqual(store.getState().exported?.redacted, ['groups[0].mqtt.password'], 'what was redacted is kept for the page to show');
    assert.equal(store.getState().busy, null);

    fake.exportResult = { ok: false, canceled: true, problems: [] };
    await store.exportOpen();
    assert.deepEqual(store.getState().actionProblems, []);
    fake.reportResult = { ok: false, problems: ['report: disk full'] };
    await store.reportOpen();
    assert.deepEqual(store.getState().actionProblems, ['report: disk full']);

    await store.open('a');
    assert.equal(store.getState().exported, null, 'opening a run clears the last answers');
    assert.deepEqual(store.getState().actionProblems, []);
  });

  test('import: problems for the field, then the imported run listed and opened', async () => {
    const fake = new FakeRuns();
    const store = createRunsStore(() => fake.api);
    store.setImportPath('/nope.zip');
    await store.importRun('/nope.zip');
    assert.deepEqual(store.getState().importProblems, ['file: /nope.zip: no such file']);
    store.setImportPath('/ok.zip');
    assert.deepEqual(store.getState().importProblems, [], 'editing the path clears them');

    const imported = entry('imported');
    fake.importResult = { ok: true, run: imported };
    fake.runs = [imported];
    await store.importRun('/ok.zip');
    const s = store.getState();
    assert.equal(s.importPath, '');
    assert.deepEqual(s.runs.map((r) => r.id), ['imported']);
    assert.equal(s.openId, 'imported');
    assert.equal(s.detailStatus, 'ok');

    fake.importResult = { ok: false, canceled: true, problems: [] };
    await store.importRun();
    assert.deepEqual(store.getState().importProblems, [], 'the desktop dialog canceled');
    assert.deepEqual(fake.calls.filter(([m]) => m === 'importRun').at(-1), ['importRun', []], 'no path from the page in the desktop app');
  });
});

describe('runs model', () => {
  test('status badges carry the reason of an incomplete run', () => {
    assert.deepEqual(runStatusBadge({ status: 'complete' }), { label: 'complete', tone: 'ok', reason: null });
    assert.equal(runStatusBadge({ status: 'incomplete', reason: 'host 1 was lost' }).reason, 'host 1 was lost');
    assert.equal(runStatusBadge({ status: 'recording' }).tone, 'live');
    assert.equal(runDurationMs(entry('a')), 30_000);
    assert.equal(runDurationMs(entry('a', { endedAt: undefined })), null);
  });

  test('headline figures are the summary’s', () => {
    const s = summary({ peakOnline: 1190, online: 1180, disconnects: 7, sent: { heartbeat: 10, status: 2, ping: 0 }, bytes: { sent: 5000, received: 10 } });
    const byKey = Object.fromEntries(summaryFigures(s).map((f) => [f.key, f]));
    assert.equal(byKey.peakOnline.value, 1190);
    assert.equal(byKey.online.value, 1180);
    assert.equal(byKey.disconnects.value, 7);
    assert.equal(byKey.disconnects.alarm, true);
    assert.equal(byKey.sent.value, 12);
    assert.equal(byKey.sent.sub, '10 heartbeat · 2 status');
    assert.equal(byKey.bytesSent.kind, 'bytes');
  });

  test('"Run again" loads the scenario as written, else the one as run', () => {
    const source = { name: 'mine', duration: '10s', groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 5, extra: 'kept' }] };
    const fromSource = runAgainDraft({ source, scenario: demoScenario() });
    assert.deepEqual(fromSource, source);
    assert.notEqual(fromSource, source, 'a copy');
    const fromScenario = runAgainDraft({ source: null, scenario: demoScenario() });
    assert.equal(fromScenario?.name, 'demo');
    assert.equal(fromScenario?.duration, '30s');
    assert.equal(runAgainDraft({ source: 'not an object', scenario: null }), null);
  });

  test('browser-mode links carry the page token; problems split by field', () => {
    assert.equal(runFileUrl('2026-x-demo', 'export.zip', '?token=a+b/c'), '/runs/2026-x-demo/export.zip?token=a%20b%2Fc');
    assert.equal(runFileUrl('r', 'report.html', ''), '/runs/r/report.html?token=');
    assert.deepEqual(problemsOfField(['file: no such file', 'other: x'], 'file'), { mine: ['no such file'], others: ['other: x'] });
  });

  test('a past run charts its own timeline: x ends where the run did, its storms marked', () => {
    const storm = summary().storms;
    const src = recordedChartSource([point(0), point(1), point(2, { online: 99 })], storm);
    assert.equal(src.timeline.length, 3);
    assert.equal(src.timeline.last('online'), 99);
    assert.equal(src.minSpanSec(), 0);
    assert.equal(src.storms(), storm);
    assert.equal(typeof src.subscribe(() => {}), 'function');
  });
});
