// Secrets in a scenario never reach a run's files (and so never an exported zip): they are
// replaced when recorded, the files say which, export lists them, and running the recorded
// scenario again refuses, naming the field, instead of connecting with the placeholder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetService } from '../../src/fleet/fleet-service.ts';
import { RunLibrary } from '../../src/fleet/run-library.ts';
import { RunRecorder } from '../../src/fleet/run-recorder.ts';
import { REDACTED, redactScenario } from '../../src/runs/redact.ts';
import { SettingsStore } from '../../src/runs/settings-store.ts';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const SECRETS = ['hunter2-mqtt', 'tls-key-pass', 'Bearer abc.def', 'session=xyz'];
const source = {
  name: 'secret',
  target: 'external',
  groups: [
    { name: 'meters', protocol: 'mqtt', url: 'mqtts://127.0.0.1:8883', count: 1, mqtt: { username: 'meter', password: SECRETS[0] }, tls: { passphrase: SECRETS[1] } },
    { name: 'panels', protocol: 'ws', url: 'ws://127.0.0.1:9', count: 1, ws: { headers: { authorization: SECRETS[2], cookie: SECRETS[3] } } },
  ],
};

function record(runsDir: string, src: object): RunRecorder {
  const v = validateScenario(src);
  assert.ok(v.ok, v.ok ? '' : v.problems.join('\n'));
  const recorder = new RunRecorder(runsDir, v.scenario, { source: src });
  recorder.abandon('recorded for a test, never run');
  return recorder;
}

test('redactScenario replaces the MQTT password, the TLS passphrase and every WebSocket header, and lists them', () => {
  const { scenario, fields } = redactScenario(source);
  assert.deepEqual(fields, ['groups[0].mqtt.password', 'groups[0].tls.passphrase', 'groups[1].ws.headers.authorization', 'groups[1].ws.headers.cookie']);
  const text = JSON.stringify(scenario);
  for (const s of SECRETS) assert.ok(!text.includes(s), s);
  assert.equal((scenario as typeof source).groups[0].mqtt!.username, 'meter', 'a user name is not a secret');
  assert.match(text, /"redacted":\{"note":"secrets were replaced/);
  assert.deepEqual(redactScenario({ name: 'plain', groups: [] }), { scenario: { name: 'plain', groups: [] }, fields: [] });
});

test('recorded files hold no secret; export lists what was redacted; run --from refuses naming the field', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'fleetsim-redact-'));
  const recorder = record(runsDir, source);
  for (const file of ['scenario.json', 'scenario-source.json']) {
    const text = readFileSync(join(recorder.dir, file), 'utf8');
    for (const s of SECRETS) assert.ok(!text.includes(s), `${file} holds ${s}`);
    assert.ok(text.includes(REDACTED), file);
    assert.match(text, /"fields": \[/);
  }

  const library = new RunLibrary(() => runsDir);
  const exported = await library.export(recorder.id, join(runsDir, '..', `${recorder.id}.zip`));
  assert.ok(exported.ok, JSON.stringify(exported));
  assert.deepEqual(exported.redacted, ['groups[0].mqtt.password', 'groups[0].tls.passphrase', 'groups[1].ws.headers.authorization', 'groups[1].ws.headers.cookie']);
  const zip = readFileSync(exported.file);
  for (const s of SECRETS) assert.equal(zip.includes(s), false, `the zip holds ${s}`);

  const cli = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'run', '--from', recorder.dir, '--no-record', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(cli.status, 2, cli.stdout + cli.stderr);
  assert.match(cli.stderr, /--from: groups\[0\]\.mqtt\.password was redacted when the run was recorded: give it again/);

  const exportCli = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'export', recorder.dir, join(runsDir, '..', 'cli-export.zip')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(exportCli.status, 0, exportCli.stderr);
  assert.match(exportCli.stdout, /redacted when recorded: groups\[0\]\.mqtt\.password, groups\[0\]\.tls\.passphrase, groups\[1\]\.ws\.headers\.authorization, groups\[1\]\.ws\.headers\.cookie/);

  // The app's "run again" starts from scenario-source.json: refused the same way.
  const service = new FleetService({ settings: new SettingsStore(join(runsDir, '..', 'redact-settings.json')) });
  const started = await service.start(JSON.parse(readFileSync(join(recorder.dir, 'scenario-source.json'), 'utf8')));
  assert.equal(started.ok, false);
  assert.match(started.ok ? '' : started.problems[0], /^groups\[0\]\.mqtt\.password was redacted when the run was recorded/);
  await service.shutdown();
});

test('a scenario without secrets is recorded as is, with no note, and exports with nothing redacted', async () => {
  const runsDir = mkdtempSync(join(tmpdir(), 'fleetsim-redact-plain-'));
  const plain = { name: 'plain', target: 'external', groups: [{ protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 1 }] };
  const recorder = record(runsDir, plain);
  assert.deepEqual(JSON.parse(readFileSync(join(recorder.dir, 'scenario-source.json'), 'utf8')), plain);
  const exported = await new RunLibrary(() => runsDir).export(recorder.id, join(runsDir, '..', 'plain.zip'));
  assert.ok(exported.ok);
  assert.deepEqual(exported.redacted, []);
});
