// What a token holder can ask of browser mode: every call's parameters are checked (count and
// shape), exports go to FLEETSIM_HOME/exports only, and paths the page names (runs directory,
// PKI directory, a zip to import) are limited to safe choices.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { BridgeMessage } from '../../src/contract/fleet-api.ts';
import { checkParams } from '../../src/contract/fleet-params.ts';
import { startBridge, type BridgeServer } from '../../src/cli/bridge/bridge-server.ts';
import { FleetService } from '../../src/fleet/fleet-service.ts';
import { SettingsStore } from '../../src/runs/settings-store.ts';

const home = process.env.FLEETSIM_HOME!;
const outside = mkdtempSync(join(tmpdir(), 'fleetsim-outside-'));
const root = mkdtempSync(join(tmpdir(), 'fleetsim-renderer-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>Fleetsim</title>');
const runsDir = join(home, 'runs');
const service = new FleetService({ settings: new SettingsStore(join(home, 'params-settings.json')) });
let bridge: BridgeServer;
let ws: WebSocket;
let nextId = 0;

function call(method: string, ...params: unknown[]): Promise<BridgeMessage> {
  const id = ++nextId;
  return new Promise((resolve) => {
    const onMessage = (d: WebSocket.RawData) => {
      const m = JSON.parse(d.toString()) as BridgeMessage;
      if ('id' in m && m.id === id) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

function refused(m: BridgeMessage): string {
  assert.ok('ok' in m && !m.ok, `expected an error answer, got ${JSON.stringify(m)}`);
  return (m as { error: string }).error;
}

function problems(m: BridgeMessage): string[] {
  assert.ok('ok' in m && m.ok, JSON.stringify(m));
  const r = (m as { result: { ok: boolean; problems?: string[] } }).result;
  assert.equal(r.ok, false, JSON.stringify(r));
  return r.problems ?? [];
}

describe('browser mode: parameters and paths', () => {
  before(async () => {
    assert.ok((await service.updateSettings({ runsDir })).ok);
    bridge = await startBridge({ api: service, rendererRoot: root, port: 0 });
    ws = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`ws://127.0.0.1:${bridge.port}/api?token=${bridge.token}`, { origin: `http://127.0.0.1:${bridge.port}` });
      s.once('open', () => resolve(s));
      s.once('error', reject);
    });
    const ended = new Promise<void>((resolve) => service.onUpdate((u) => u.type === 'ended' && resolve()));
    assert.deepEqual(await service.start({ name: 'params', duration: '1s', ramp: 0, hosts: 1, groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 2 }] }), { ok: true });
    await ended;
    await service.recordFinished;
  });
  after(async () => {
    ws?.close();
    await service.shutdown();
    await bridge?.close();
  });

  test('checkParams names the method, the parameter and what was wrong', () => {
    assert.deepEqual(checkParams('status', []), { ok: true, params: [] });
    assert.deepEqual(checkParams('exportRun', ['a', '/tmp/x.zip']), { ok: false, problems: ['exportRun: takes 1 parameter (id), got 2'] });
    assert.deepEqual(checkParams('stop', [1]), { ok: false, problems: ['stop: takes 0 parameters, got 1'] });
    assert.deepEqual(checkParams('certsInit', [{}, true]), { ok: false, problems: ['certsInit: takes 0 to 1 parameters (request), got 2'] });
    assert.deepEqual(checkParams('importRun', []), { ok: true, params: [] });
    assert.match(checkParams('openRun', ['../x']).ok ? '' : (checkParams('openRun', ['../x']) as { problems: string[] }).problems[0], /^openRun: id: expected a run id/);
    const deep = checkParams('runDevices', ['abc', { offset: -1, limit: 10, evil: 1 }]);
    assert.equal(deep.ok, false);
    assert.ok(!deep.ok && deep.problems.some((p) => p.startsWith('runDevices: query.offset: ')), JSON.stringify(deep));
    assert.ok(!deep.ok && deep.problems.some((p) => p.startsWith('runDevices: query: ') && p.includes('evil')), JSON.stringify(deep));
    assert.equal(checkParams('status', { 0: 1 }).ok, false);
    assert.deepEqual(checkParams('compareRuns', [['a', 'b']]), { ok: true, params: [['a', 'b']] });
    assert.deepEqual(checkParams('compareRuns', [['a']]), { ok: false, problems: ['compareRuns: ids: expected two runs or more to compare'] });
    const escape = checkParams('compareRuns', [['a', '../../etc']]);
    assert.ok(!escape.ok && escape.problems.some((p) => p.startsWith('compareRuns: ids.[1]: expected a run id')), JSON.stringify(escape));
  });

  test('exportRun takes no path: a second parameter is refused and nothing is written there', async () => {
    const id = (await service.listRuns())[0].id;
    const target = join(outside, 'overwritten.zip');
    writeFileSync(target, 'precious');
    assert.match(refused(await call('exportRun', id, target)), /^exportRun: takes 1 parameter \(id\), got 2$/);
    assert.equal(readFileSync(target, 'utf8'), 'precious');
    const ok = (await call('exportRun', id)) as { result: { ok: boolean; file: string } };
    assert.equal(ok.result.ok, true);
    assert.equal(ok.result.file, join(home, 'exports', `${id}.zip`));
  });

  test('certsInit: only inside FLEETSIM_HOME; --force elsewhere deletes nothing', async () => {
    mkdirSync(join(outside, 'devices'), { recursive: true });
    writeFileSync(join(outside, 'devices', 'keep.txt'), 'mine');
    assert.match(problems(await call('certsInit', { dir: outside, force: true }))[0], /^dir: in browser mode a test PKI can only be created inside /);
    assert.match(problems(await call('certsInit', { dir: join(home, '..', 'escaped-pki') }))[0], /^dir: in browser mode/);
    assert.equal(readFileSync(join(outside, 'devices', 'keep.txt'), 'utf8'), 'mine');
    assert.equal(existsSync(join(outside, 'ca.pem')), false);
    const made = (await call('certsInit', { dir: join(home, 'pki-b') })) as { result: { ok: boolean; created: boolean } };
    assert.equal(made.result.ok, true);
  });

  test('updateSettings: the runs directory stays, or moves inside FLEETSIM_HOME; elsewhere is refused and not created', async () => {
    const elsewhere = join(outside, 'new-runs-dir');
    assert.match(problems(await call('updateSettings', { runsDir: elsewhere }))[0], /^runsDir: in browser mode the runs directory can only be moved inside /);
    assert.equal(existsSync(elsewhere), false);
    assert.equal((await service.settings()).runsDir, runsDir);
    const same = (await call('updateSettings', { runsDir, record: true })) as { result: { ok: boolean } };
    assert.equal(same.result.ok, true, 'the current directory may be sent back unchanged');
    const inside = (await call('updateSettings', { runsDir: join(home, 'runs-b') })) as { result: { ok: boolean } };
    assert.equal(inside.result.ok, true);
    assert.ok((await service.updateSettings({ runsDir })).ok);
  });

  test('importRun: an absolute .zip path only, read as a file', async () => {
    assert.match(problems(await call('importRun', '/etc/passwd'))[0], /^file: expected the absolute path of an exported run \(\.zip\)/);
    assert.match(problems(await call('importRun', 'relative.zip'))[0], /^file: expected the absolute path/);
    mkdirSync(join(outside, 'dir.zip'));
    assert.match(problems(await call('importRun', join(outside, 'dir.zip')))[0], /^file: .*dir\.zip is not a file/);
    assert.match(problems(await call('importRun', join(outside, 'missing.zip')))[0], /missing\.zip: no such file/);
    assert.match(refused(await call('importRun', 42)), /^importRun: file: /);
  });

  test('shapes: ids, queries and counts are checked before the service sees them', async () => {
    assert.match(refused(await call('openRun', { toString: 1 })), /^openRun: id: /);
    assert.match(refused(await call('runDevices', 'x', { offset: 0, limit: 1e9 })), /^runDevices: query\.limit: /);
    assert.match(refused(await call('setRamp', 'fast')), /^setRamp: connectsPerSec: /);
    assert.match(refused(await call('listRuns', 1, 2, 3)), /^listRuns: takes 0 parameters, got 3$/);
    assert.equal(((await call('status')) as { ok: boolean }).ok, true);
  });

  test('startCapacity: the block keys and value types at the bridge, their meaning at the service, each by field path', async () => {
    assert.deepEqual(checkParams('startCapacity', [{}]), { ok: true, params: [{}] });
    assert.deepEqual(checkParams('startCapacity', [{}, { step: '10%', hold: 5000 }]), { ok: true, params: [{}, { step: '10%', hold: 5000 }] });
    assert.deepEqual(checkParams('startCapacity', []), { ok: false, problems: ['startCapacity: takes 1 to 2 parameters (scenario, capacity), got 0'] });
    const shape = checkParams('startCapacity', [{}, { step: { percent: 10 }, evil: 1 }]);
    assert.ok(!shape.ok && shape.problems.some((p) => p.startsWith('startCapacity: capacity.step: ')), JSON.stringify(shape));
    assert.ok(!shape.ok && shape.problems.some((p) => p.startsWith('startCapacity: capacity: ') && p.includes('evil')), JSON.stringify(shape));
    assert.match(refused(await call('startCapacity', {}, 'fast')), /^startCapacity: capacity: /);
    assert.match(refused(await call('startCapacity', {}, {}, {})), /^startCapacity: takes 1 to 2 parameters \(scenario, capacity\), got 3$/);
    // Well formed, but not a setting the search can use: the service names the field.
    const scenario = { name: 'cap', ramp: 0, hosts: 1, groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 2 }] };
    const meaning = problems(await call('startCapacity', scenario, { hold: '1', maxDrops: '120%' }));
    assert.deepEqual(meaning.map((p) => p.split(':')[0]), ['capacity.hold', 'capacity.maxDrops']);
    assert.equal((await service.status()).state, 'stopped', 'nothing started');
  });
});
