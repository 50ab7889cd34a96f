// The pieces of src/main one by one, against a fake 'electron': the utility-process launcher
// (also driving real device hosts through the parentPort code path), the fleet IPC wiring and
// the app:// file handler.
import './helpers/install-fake-electron.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FLEET_METHODS, type FleetApi, type FleetUpdate } from '../../src/contract/fleet-api.ts';
import { FleetService } from '../../src/fleet/fleet-service.ts';
import { alive } from '../helpers/processes.ts';
import { waitFor } from '../helpers/ports.ts';
import { nodeUtilityProcesses } from './helpers/node-utility-process.ts';

const fake = await import('./helpers/fake-electron.ts');
const { app, BrowserWindow, ipcMain, session, utilityProcess, FakeUtilityProcess } = fake;
const { ElectronUtilityLauncher } = await import('../../src/main/utility-launcher.ts');
const { wireFleetIpc } = await import('../../src/main/ipc.ts');
const { serveRenderer } = await import('../../src/main/window.ts');
app.becomeReady();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collectingLog() {
  const lines: Array<{ line: string; stream: string }> = [];
  return { lines, log: (line: string, stream: string) => lines.push({ line, stream }) };
}

test('launcher: forks the entry as a named utility process with piped output, relays messages both ways', async () => {
  const { lines, log } = collectingLog();
  const launcher = new ElectronUtilityLauncher(log);
  const handle = launcher.launch<{ n: number }, { ok: boolean }>('host', 'host-3');
  const child = utilityProcess.forks.at(-1)!;
  assert.match(child.modulePath, /host-main\.ts$|host\.mjs$/);
  assert.deepEqual(child.args, ['--fleetsim-name=host-3']);
  // Hosts get the memory settings child_process hosts get (childRuntime), on top of our env.
  const { env, ...options } = child.options as { env: Record<string, string> };
  assert.deepEqual(options, { serviceName: 'host-3', stdio: 'pipe', execArgv: ['--max-semi-space-size=2', '--heap-growing-percent=10'] });
  assert.equal(env.MALLOC_ARENA_MAX, '2');
  assert.equal(env.PATH, process.env.PATH);

  child.stdout.write('first line\nsecond');
  child.stdout.write(' half\n');
  child.stderr.write('oops\n');
  await sleep(10);
  assert.deepEqual(lines, [
    { line: '[host-3] first line', stream: 'stdout' },
    { line: '[host-3] second half', stream: 'stdout' },
    { line: '[host-3] oops', stream: 'stderr' },
  ]);

  const got: unknown[] = [];
  handle.onMessage((m) => got.push(m));
  child.emit('message', { ok: true });
  assert.deepEqual(got, [{ ok: true }]);
  handle.send({ n: 1 });
  assert.deepEqual(child.posted, [{ n: 1 }]);

  assert.equal(handle.pid, undefined);
  child.pid = 4242; // known once spawned: the handle reads it live
  assert.equal(handle.pid, 4242);
  child.pid = undefined;

  const exits: Array<[number | null, string | null]> = [];
  handle.onExit((code, signal) => exits.push([code, signal]));
  child.emit('exit', 0);
  handle.send({ n: 2 }); // after exit: dropped, no throw
  handle.kill('SIGKILL'); // after exit: no-op
  assert.equal(child.posted.length, 1);
  assert.equal(child.killed, 0);
  await sleep(150);
  assert.deepEqual(exits, [[0, null]]);
});

test('launcher: child-process-gone reasons are reported with the exit, whichever event comes first', async () => {
  const { lines, log } = collectingLog();
  const launcher = new ElectronUtilityLauncher(log);

  const a = launcher.launch('host', 'host-0');
  const childA = utilityProcess.forks.at(-1)!;
  const exitsA: Array<[number | null, string | null]> = [];
  a.onExit((code, signal) => exitsA.push([code, signal]));
  app.emit('child-process-gone', {}, { type: 'Utility', reason: 'oom', exitCode: 9, name: 'host-0', serviceName: 'node.mojom.NodeService' });
  childA.emit('exit', 9);

  const b = launcher.launch('target', 'target');
  const childB = utilityProcess.forks.at(-1)!;
  const exitsB: Array<[number | null, string | null]> = [];
  b.onExit((code, signal) => exitsB.push([code, signal]));
  childB.emit('exit', 139);
  app.emit('child-process-gone', {}, { type: 'Utility', reason: 'crashed', exitCode: 139, name: 'target' });

  // Not ours (GPU), and a clean exit reason: neither becomes a "signal".
  app.emit('child-process-gone', {}, { type: 'GPU', reason: 'crashed', exitCode: 1, name: 'host-1' });
  const c = launcher.launch('host', 'host-1');
  const childC = utilityProcess.forks.at(-1)!;
  const exitsC: Array<[number | null, string | null]> = [];
  c.onExit((code, signal) => exitsC.push([code, signal]));
  app.emit('child-process-gone', {}, { type: 'Utility', reason: 'abnormal-exit', exitCode: 1, name: 'host-1' });
  childC.emit('exit', 1);

  await sleep(150);
  assert.deepEqual(exitsA, [[9, 'oom']]);
  assert.deepEqual(exitsB, [[139, 'crashed']]);
  assert.deepEqual(exitsC, [[1, null]]);
  assert.ok(lines.some((l) => l.line === '[host-0] process gone: oom (exit code 9)'));
});

test('launcher: kill() is a hard kill of the pid by default, the graceful utility kill otherwise', async () => {
  const launcher = new ElectronUtilityLauncher(() => {});
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  const gone = new Promise<NodeJS.Signals | null>((r) => sleeper.once('exit', (_code, signal) => r(signal)));
  try {
    utilityProcess.factory = (modulePath, args, options) => new FakeUtilityProcess(modulePath, args, options, sleeper.pid);
    const handle = launcher.launch('host', 'host-9');
    const child = utilityProcess.forks.at(-1)!;
    handle.kill();
    assert.equal(await gone, 'SIGKILL');
    assert.equal(child.killed, 0);
    handle.kill('SIGTERM');
    assert.equal(child.killed, 1, 'any other signal: utilityProcess.kill()');
  } finally {
    utilityProcess.factory = (modulePath, args, options) => new FakeUtilityProcess(modulePath, args, options, undefined);
    if (sleeper.exitCode === null && sleeper.signalCode === null) sleeper.kill('SIGKILL');
  }
});

test('launcher: a real fleet runs on hosts started through it (parentPort code path)', async () => {
  utilityProcess.factory = nodeUtilityProcesses(['--import', 'tsx']);
  const { lines, log } = collectingLog();
  const service = new FleetService({ launcher: new ElectronUtilityLauncher(log) });
  const updates: FleetUpdate[] = [];
  service.onUpdate((u) => updates.push(u));
  const forksBefore = utilityProcess.forks.length;
  try {
    const started = await service.start({
      name: 'utility',
      duration: '60s',
      ramp: 0,
      hosts: 2,
      groups: [{ name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 20, timers: { heartbeat: { every: '500ms' } } }],
    });
    assert.deepEqual(started, { ok: true }, lines.map((l) => l.line).join('\n'));
    const forks = utilityProcess.forks.slice(forksBefore);
    assert.deepEqual(forks.map((f) => f.options.serviceName).sort(), ['host-0', 'host-1', 'target']);
    await waitFor('20 devices online', () => updates.some((u) => u.type === 'snapshot' && u.snapshot.gauges.online === 20), 20_000, () => lines.map((l) => l.line).join('\n'));
  } finally {
    await service.stop();
    utilityProcess.factory = (modulePath, args, options) => new FakeUtilityProcess(modulePath, args, options, undefined);
  }
  const summary = updates.find((u) => u.type === 'ended')?.summary;
  assert.equal(summary?.online, 20);
  for (const h of summary?.hosts ?? []) assert.equal(alive(h.pid), false, `host ${h.hostId} reaped`);
});

test('IPC: each method goes to the service with its arguments; updates go to our page only, one message each', async () => {
  const calls: Array<[string, unknown[]]> = [];
  const listeners = new Set<(u: FleetUpdate) => void>();
  const stub = Object.fromEntries(
    FLEET_METHODS.map((name) => [
      name,
      async (...args: unknown[]) => {
        calls.push([name, args]);
        if (name === 'setRamp' && args[0] === -1) throw new Error('ramp: expected connects per second, 0 or more');
        return `${name}-result`;
      },
    ]),
  ) as unknown as FleetApi;
  stub.onUpdate = (l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };

  const win = new BrowserWindow({});
  await win.loadURL('app://fleetsim/index.html');
  let current: InstanceType<typeof BrowserWindow> | null = win;
  const dispose = wireFleetIpc(stub as FleetApi, () => current as never);
  const me = { contents: win.webContents, frame: win.webContents.mainFrame };

  assert.equal(await ipcMain.invoke('fleet:setTimers', me, 'm', { heartbeat: { every: '1s' } }), 'setTimers-result');
  assert.equal(await ipcMain.invoke('fleet:devices', me, { offset: 0, limit: 50 }), 'devices-result');
  assert.deepEqual(calls, [
    ['setTimers', ['m', { heartbeat: { every: '1s' } }]],
    ['devices', [{ offset: 0, limit: 50 }]],
  ]);
  await assert.rejects(ipcMain.invoke('fleet:setRamp', me, -1), /^Error: setRamp: connectsPerSec: expected connects per second/);
  // Count and shape are checked before the service sees a call.
  await assert.rejects(ipcMain.invoke('fleet:status', me, 'extra'), /status: takes 0 parameters, got 1/);
  await assert.rejects(ipcMain.invoke('fleet:openRun', me, '../../etc'), /openRun: id: expected a run id/);
  await assert.rejects(ipcMain.invoke('fleet:devices', me, { offset: 0, limit: 1e9 }), /devices: query\.limit: /);
  await assert.rejects(ipcMain.invoke('fleet:startCapacity', me), /startCapacity: takes 1 to 2 parameters \(scenario, capacity\), got 0/);
  await assert.rejects(ipcMain.invoke('fleet:startCapacity', me, {}, { step: [10] }), /startCapacity: capacity\.step: /);
  await assert.rejects(ipcMain.invoke('fleet:startCapacity', me, {}, { steps: 10 }), /startCapacity: capacity: .*steps/);
  assert.equal(calls.length, 2, 'none of the refused calls reached the service');
  assert.equal(await ipcMain.invoke('fleet:startCapacity', me, { groups: [] }, { step: '10%', hold: 5000 }), 'startCapacity-result');
  assert.deepEqual(calls.at(-1), ['startCapacity', [{ groups: [] }, { step: '10%', hold: 5000 }]]);
  calls.pop();

  const snapshotUpdate = { type: 'timeline', point: { t: 1 } } as unknown as FleetUpdate;
  for (const l of listeners) l(snapshotUpdate);
  for (const l of listeners) l(snapshotUpdate);
  assert.deepEqual(win.webContents.sent, [
    { channel: 'fleet:update', args: [snapshotUpdate] },
    { channel: 'fleet:update', args: [snapshotUpdate] },
  ]);
  win.webContents.mainFrame.url = 'https://example.com/';
  for (const l of listeners) l(snapshotUpdate);
  assert.equal(win.webContents.sent.length, 2, 'not pushed into a foreign page');
  current = null;
  for (const l of listeners) l(snapshotUpdate);
  assert.equal(win.webContents.sent.length, 2);
  await assert.rejects(ipcMain.invoke('fleet:status', me), /refused \(no app window\)/);

  dispose();
  assert.equal(ipcMain.handlers.size, 0);
  assert.equal(listeners.size, 0);
});

test('app:// serves files under the renderer root only, with security headers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-app-protocol-'));
  const root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Fleetsim</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  writeFileSync(join(dir, 'renderer-evil.txt'), 'sibling with the same prefix');
  serveRenderer(session.defaultSession as never, root);
  const handler = session.defaultSession.handlers.get('app')!;

  const index = await handler(new Request('app://fleetsim/'));
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(await index.text(), /<title>Fleetsim/);
  assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  const js = await handler(new Request('app://fleetsim/app.js'));
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const head = await handler(new Request('app://fleetsim/app.js', { method: 'HEAD' }));
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');

  for (const url of [
    'app://fleetsim/../secret.txt',
    'app://fleetsim/%2e%2e/secret.txt',
    'app://fleetsim/..%2fsecret.txt',
    'app://fleetsim/..%5csecret.txt',
    'app://fleetsim/..%2frenderer-evil.txt',
    `app://fleetsim/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    'app://fleetsim/assets',
    'app://fleetsim/missing.js',
    'app://fleetsim/%E0%A4%A',
    'app://elsewhere/index.html',
  ]) {
    const res = await handler(new Request(url));
    assert.equal(res.status, 404, url);
    assert.doesNotMatch(await res.text(), /do not serve|same prefix/);
  }
});
