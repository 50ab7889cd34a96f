// The app's side of recorded runs (FleetService, as IPC and the bridge serve it): recording on
// by default where the settings say, past runs listed, opened, paged, exported and imported,
// /metrics served on the port the settings give.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FleetService } from '../../src/fleet/fleet-service.ts';
import { SettingsStore } from '../../src/runs/settings-store.ts';
import { freePort } from '../helpers/ports.ts';

const home = mkdtempSync(join(tmpdir(), 'fleetsim-service-'));
const scenario = { name: 'svc', duration: '2s', ramp: 0, hosts: 1, groups: [{ name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 12, timers: { heartbeat: { every: '300ms' } } }] };

test('a run started from the app is recorded where the settings say, and reads back from disk', async () => {
  const settings = new SettingsStore(join(home, 'settings.json'));
  const runsDir = join(home, 'elsewhere');
  const port = await freePort();
  assert.ok(settings.update({ runsDir, metricsPort: port }).ok);
  const service = new FleetService({ settings });
  try {
    const started = await service.start(scenario);
    assert.deepEqual(started, { ok: true });
    const status = await service.status();
    assert.ok(status.recordDir?.startsWith(runsDir), String(status.recordDir));
    assert.equal(status.metricsUrl, `http://127.0.0.1:${port}/metrics`);
    const scrape = await (await fetch(status.metricsUrl!)).text();
    assert.match(scrape, /fleetsim_devices\{state="online"\}/);
    const listed = await service.listRuns();
    assert.equal(listed[0].status, 'recording');

    await new Promise<void>((resolve) => service.onUpdate((u) => u.type === 'ended' && resolve()));
    await service.recordFinished;
    const [run] = await service.listRuns();
    assert.equal(run.status, 'complete', run.reason);
    assert.equal(run.name, 'svc');
    assert.equal(run.dir, status.recordDir);

    const detail = await service.openRun(run.id);
    assert.ok(detail);
    assert.ok(detail.timeline.length >= 2);
    assert.deepEqual(detail.source, scenario, 'the scenario as written, for "run again"');
    assert.equal(detail.summary?.peakOnline, 12);
    assert.ok(detail.files.some((f) => f.name === 'devices.csv' && f.bytes > 0));

    const page = await service.runDevices(run.id, { offset: 0, limit: 5, search: 'dev-1' });
    assert.ok(page.total >= 1 && page.rows.every((d) => d.id.includes('dev-1')));
    const log = await service.runDeviceLog(run.id, page.rows[0].id);
    assert.ok(log?.events.some((e) => e.kind === 'online'));

    const exported = await service.exportRun(run.id);
    assert.ok(exported.ok);
    assert.ok(exported.file.startsWith(join(process.env.FLEETSIM_HOME!, 'exports')));
    assert.equal(readFileSync(exported.file).subarray(0, 2).toString(), 'PK');
    const imported = await service.importRun(exported.file);
    assert.ok(imported.ok);
    assert.equal(imported.run.id, `${run.id}-2`);
    const report = await service.reportRun(run.id);
    assert.ok(report.ok && existsSync(report.file));

    // The run and its imported copy compared: the same figures, no difference; a missing run named.
    const compared = await service.compareRuns([run.id, imported.run.id]);
    assert.ok(compared.ok, compared.ok ? '' : compared.problems.join('; '));
    assert.deepEqual(compared.comparison.runs.map((r) => r.id), [run.id, imported.run.id]);
    assert.deepEqual(compared.comparison.figures.find((f) => f.key === 'peakOnline'), { key: 'peakOnline', label: 'peak online', unit: 'count', values: [12, 12], diffs: [{ abs: 0, pct: 0 }, { abs: 0, pct: 0 }] });
    assert.deepEqual(await service.compareRuns([run.id, 'no-such-run']), { ok: false, problems: [`ids[1]: no run "no-such-run" in ${runsDir}`] });

    // Ids from a page are checked before any path is built from them.
    assert.equal(await service.openRun('../../etc'), null);
    assert.deepEqual(await service.exportRun('../x'), { ok: false, problems: [`id: no run "../x" in ${runsDir}`] });
    const badImport = await service.importRun('/nowhere/run.zip');
    assert.ok(!badImport.ok && /file: \/nowhere\/run.zip: no such file/.test(badImport.problems[0]));
    const bad = await service.updateSettings({ metricsPort: -1 });
    assert.ok(!bad.ok && bad.problems[0].startsWith('metricsPort:'));
  } finally {
    await service.shutdown();
  }
});

test('with recording off a run leaves nothing on disk', async () => {
  const settings = new SettingsStore(join(home, 'settings-off.json'));
  const runsDir = join(home, 'off-runs');
  assert.ok(settings.update({ runsDir, record: false }).ok);
  const service = new FleetService({ settings });
  try {
    assert.deepEqual(await service.start({ ...scenario, duration: '1s' }), { ok: true });
    assert.equal((await service.status()).recordDir, null);
    await new Promise<void>((resolve) => service.onUpdate((u) => u.type === 'ended' && resolve()));
    assert.deepEqual(await service.listRuns(), []);
  } finally {
    await service.shutdown();
  }
});
