// src/main/main.ts run for real against a fake 'electron' (Electron cannot start here): scheme
// and sandbox set up before ready, IPC refuses every sender but our window's main frame on
// app://fleetsim, the window is locked down, quitting stops the run first.
import './helpers/install-fake-electron.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLEET_METHODS } from '../../src/contract/fleet-api.ts';

const fake = await import('./helpers/fake-electron.ts');
const { app, BrowserWindow, ipcMain, protocol, session } = fake;
process.env.FLEETSIM_DEV = '';
await import('../../src/main/main.ts');

const tick = () => new Promise((r) => setImmediate(r));

test('before ready: app:// is privileged (standard, secure, no CORS/CSP bypass), sandbox for all, single instance', () => {
  assert.equal(protocol.privileged.length, 1);
  const [scheme] = protocol.privileged;
  assert.equal(scheme.scheme, 'app');
  assert.equal(scheme.privileges?.standard, true);
  assert.equal(scheme.privileges?.secure, true);
  assert.notEqual(scheme.privileges?.bypassCSP, true);
  assert.notEqual(scheme.privileges?.corsEnabled, true);
  assert.equal(app.sandboxEnabled, true);
  assert.equal(BrowserWindow.instances.length, 0, 'no window before ready');
});

test('one sender-checked handler per FleetMethods name, registered up front', () => {
  assert.deepEqual([...ipcMain.handlers.keys()].sort(), FLEET_METHODS.map((m) => `fleet:${m}`).sort());
});

test('when ready: permissions denied, renderer served, one locked-down window on app://fleetsim', async () => {
  app.becomeReady();
  await tick();
  const ses = session.defaultSession;
  let granted: boolean | undefined;
  ses.permissionRequestHandler?.(null, 'media', (g) => (granted = g), {});
  assert.equal(granted, false);
  assert.equal(ses.permissionCheckHandler?.(null, 'notifications', 'app://fleetsim', {}), false);
  assert.equal(ses.devicePermissionHandler?.({}), false);
  assert.ok(ses.handlers.has('app'));

  assert.equal(BrowserWindow.instances.length, 1);
  const [win] = BrowserWindow.instances;
  const prefs = win.options.webPreferences ?? {};
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.webviewTag, false);
  assert.match(String(prefs.preload), /preload\.cjs$/);
  assert.deepEqual(win.loadedUrls, ['app://fleetsim/index.html']);
  assert.equal(win.webContents.devToolsOpened, false);

  assert.deepEqual(win.webContents.windowOpenHandler?.({ url: 'https://example.com/' }), { action: 'deny' });
  for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
    const away = fake.navigationEvent('https://example.com/');
    win.webContents.emit(event, away);
    assert.equal(away.prevented, true, `${event} off-origin is blocked`);
    const fileUrl = fake.navigationEvent('file:///etc/passwd');
    win.webContents.emit(event, fileUrl);
    assert.equal(fileUrl.prevented, true, `${event} to file:// is blocked`);
    const home = fake.navigationEvent('app://fleetsim/index.html');
    win.webContents.emit(event, home);
    assert.equal(home.prevented, false, `${event} within app://fleetsim is allowed`);
  }
  const webview = fake.navigationEvent('');
  win.webContents.emit('will-attach-webview', webview);
  assert.equal(webview.prevented, true);
});

test('the renderer protocol serves index.html with the CSP header and refuses to leave dist/renderer', async () => {
  const handler = session.defaultSession.handlers.get('app')!;
  const index = await handler(new Request('app://fleetsim/index.html'));
  // dist/renderer may not be built in a source checkout: 200 or 404, the headers are the point.
  assert.ok(index.status === 200 || index.status === 404);
  assert.match(index.headers.get('content-security-policy') ?? '', /default-src 'none'.*frame-ancestors 'none'/);
  for (const url of ['app://fleetsim/../../../etc/passwd', 'app://fleetsim/..%2f..%2f..%2fetc%2fpasswd', 'app://other/index.html']) {
    const res = await handler(new Request(url));
    assert.equal(res.status, 404, url);
  }
  const post = await handler(new Request('app://fleetsim/index.html', { method: 'POST', body: 'x' }));
  assert.equal(post.status, 405);
});

test('IPC answers our main frame and refuses everyone else', async () => {
  const [win] = BrowserWindow.instances;
  const contents = win.webContents;
  const presets = (await ipcMain.invoke('fleet:listPresets', { contents, frame: contents.mainFrame })) as Array<{ name: string }>;
  assert.ok(Array.isArray(presets) && presets.length > 0);
  const status = (await ipcMain.invoke('fleet:status', { contents, frame: contents.mainFrame })) as { state: string };
  assert.equal(status.state, 'idle');

  await assert.rejects(ipcMain.invoke('fleet:stop', { contents: { id: 9999 }, frame: contents.mainFrame }), /refused \(sender is not the app window\)/);
  await assert.rejects(ipcMain.invoke('fleet:stop', { contents, frame: contents.childFrame('app://fleetsim/index.html') }), /refused \(sender is not the main frame\)/);
  await assert.rejects(ipcMain.invoke('fleet:stop', { contents, frame: null }), /refused \(sender frame is gone\)/);
  contents.mainFrame.url = 'https://example.com/';
  await assert.rejects(ipcMain.invoke('fleet:start', { contents, frame: contents.mainFrame }, {}), /refused \(sender URL is not app:\/\/fleetsim\)/);
  contents.mainFrame.url = 'app://fleetsim/index.html';
});

test('second instance focuses the window; closing it quits (stopping the run first), macOS aside', async () => {
  const [win] = BrowserWindow.instances;
  app.emit('second-instance');
  assert.equal(win.focused, 1);

  win.close();
  if (process.platform === 'darwin') return;
  app.emit('window-all-closed');
  assert.equal(app.quitCalls, 1);
  assert.equal(app.quitted, false, 'the first quit waits for the run to stop');
  for (let i = 0; i < 50 && !app.quitted; i++) await tick();
  assert.equal(app.quitted, true, 'then quits for real');
  assert.equal(app.quitCalls, 2);
});
