// The built preload (dist/preload.cjs), executed the way a sandboxed renderer runs it: CommonJS,
// with only 'electron' to require. What it exposes is exactly FleetApi, as named functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLEET_METHODS } from '../../src/contract/fleet-api.ts';
import { loadPreload } from './helpers/preload-sandbox.ts';

test('the preload requires only electron and exposes one object, window.fleet', () => {
  const { exposed, required } = loadPreload();
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.equal(exposed.length, 1);
  assert.equal(exposed[0][0], 'fleet');
});

test('window.fleet has exactly the FleetApi functions, and nothing else (no ipcRenderer)', () => {
  const { exposed, ipcRenderer } = loadPreload();
  const api = exposed[0][1];
  assert.deepEqual(Object.keys(api).sort(), [...FLEET_METHODS, 'onUpdate'].sort());
  for (const [key, value] of Object.entries(api)) {
    assert.equal(typeof value, 'function', key);
    assert.notEqual(value, ipcRenderer.invoke);
    assert.notEqual(value, ipcRenderer.on);
  }
});

test('each method invokes fleet:<name> with its arguments', async () => {
  const { exposed, invoked } = loadPreload();
  const api = exposed[0][1] as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const args: Record<string, unknown[]> = {
    listPresets: [],
    start: [{ groups: [] }],
    startCapacity: [{ groups: [] }, { step: '10%' }],
    stop: [],
    status: [],
    setTimers: ['m', { heartbeat: { every: '1s' } }],
    setRamp: [50],
    deviceLog: ['dev-1'],
    devices: [{ offset: 0, limit: 10 }],
    storm: [{ action: 'drop', percent: 10 }],
    certsInit: [{ dir: '/tmp/pki', serverNames: ['broker.local'] }],
    settings: [],
    updateSettings: [{ record: false }],
    listRuns: [],
    openRun: ['2026-11-22T08-00-00-000Z-demo'],
    runDevices: ['2026-11-22T08-00-00-000Z-demo', { offset: 0, limit: 50 }],
    runDeviceLog: ['2026-11-22T08-00-00-000Z-demo', 'dev-1'],
    exportRun: ['2026-11-22T08-00-00-000Z-demo'],
    importRun: [],
    reportRun: ['2026-11-22T08-00-00-000Z-demo'],
    compareRuns: [['2026-11-22T08-00-00-000Z-demo', '2026-11-22T09-00-00-000Z-demo']],
    preflight: [{ groups: [] }],
    attach: [{ prometheusUrl: 'http://127.0.0.1:9090', runId: 'r1' }],
    detach: [],
  };
  for (const name of FLEET_METHODS) {
    assert.deepEqual(await api[name](...args[name]), { channel: `fleet:${name}` });
  }
  assert.deepEqual(
    invoked,
    FLEET_METHODS.map((name) => [`fleet:${name}`, args[name]]),
  );
});

test('a refused or failed call rejects with the handler\'s own message', async () => {
  const { exposed } = loadPreload();
  const api = exposed[0][1] as Record<string, (...args: unknown[]) => Promise<unknown>>;
  await assert.rejects(api.setRamp('fail'), (err: Error) => err.message === 'ramp: expected connects per second, 0 or more');
});

test('onUpdate passes the update only (never the IPC event) and unsubscribes', () => {
  const { exposed, listeners } = loadPreload();
  const api = exposed[0][1] as { onUpdate: (l: (...a: unknown[]) => void) => () => void };
  const got: unknown[][] = [];
  const unsubscribe = api.onUpdate((...a) => got.push(a));
  const channel = listeners.get('fleet:update');
  assert.equal(channel?.size, 1);
  const ipcEvent = { sender: { send() {} }, ports: [] };
  for (const l of channel!) l(ipcEvent, { type: 'timeline', point: { t: 1 } });
  assert.deepEqual(got, [[{ type: 'timeline', point: { t: 1 } }]]);
  unsubscribe();
  assert.equal(channel!.size, 0);
  assert.deepEqual([...listeners.keys()], ['fleet:update'], 'no other channel is listened to');
});
