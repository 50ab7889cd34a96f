// The desktop app as electron-builder packages it, as far as this machine allows without the
// Electron binary: `npm run dist -- --dir` against a stand-in Electron distribution builds the
// unpacked app; its app.asar holds the runtime files and nothing else; the host and target
// bundles are unpacked beside it; the fuses are flipped in the binary. Then the packaged main
// bundle itself runs under Node (with the fake 'electron' module) from the extracted app: it
// serves the renderer on app:// from the archive and forks the unpacked host and target, which
// run a small fleet under plain Node.
import './helpers/install-fake-electron.ts';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { extractAll, extractFile, listPackage, statFile } from '@electron/asar';
import { APP_FILES, packaging } from '../../electron.config.ts';
import type { CertsInitResult, FleetUpdate } from '../../src/contract/fleet-api.ts';
import { unpackedPath } from '../../src/main/packaged-paths.ts';
import { waitFor } from '../helpers/ports.ts';
import { alive } from '../helpers/processes.ts';
import { nodeUtilityProcesses } from './helpers/node-utility-process.ts';
import { readFuses, writeStandInElectron } from './helpers/stand-in-electron.ts';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'fleetsim-packaged-'));
after(() => rmSync(work, { recursive: true, force: true }));

const electronVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
const electronDist = join(work, 'electron-dist');
writeStandInElectron(electronDist, electronVersion);
const output = join(work, 'release');
const dist = spawnSync('npm', ['run', 'dist', '--', '--dir', '--output', output], {
  cwd: ROOT,
  env: { ...process.env, FLEETSIM_ELECTRON_DIST: electronDist },
  encoding: 'utf8',
  timeout: 120_000,
});
const appDir = join(output, 'linux-unpacked');
const resources = join(appDir, 'resources');
const archive = join(resources, 'app.asar');

/** Every file of a dist/ directory as the archive names it (`/dist/…`), source maps aside. */
const filesUnder = (dir: string) =>
  readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.map'))
    .map((e) => `/${join(e.parentPath, e.name).slice(ROOT.length + 1)}`);

test('npm run dist -- --dir builds the unpacked app with a stand-in Electron', () => {
  assert.equal(dist.status, 0, `npm run dist failed:\n${dist.stdout}\n${dist.stderr}`);
  assert.ok(existsSync(join(appDir, packaging.executableName)), 'the binary, renamed to the executable name');
  assert.ok(existsSync(archive), 'resources/app.asar');
});

test('app.asar holds the main, preload and renderer bundles and exactly the runtime files', () => {
  const files = listPackage(archive, { isPack: false }).filter((p) => 'size' in statFile(archive, p.slice(1), false));
  const expected = [
    '/package.json',
    `/${APP_FILES.main}`,
    `/${APP_FILES.preload}`,
    ...filesUnder(APP_FILES.renderer),
    ...APP_FILES.children.map((c) => `/${c}`),
    ...filesUnder(APP_FILES.chunks),
  ];
  assert.deepEqual([...files].sort(), [...expected].sort());
  for (const name of ['index.html', 'app.js', 'app.css']) assert.ok(files.includes(`/${APP_FILES.renderer}/${name}`), `renderer ${name}`);
  assert.ok(!files.some((f) => /node_modules|\/test\/|\/bench\/|\.map$|\/src\//.test(f)), 'no dependencies, tests, bench, sources or maps');

  const manifest = JSON.parse(extractFile(archive, 'package.json').toString('utf8')) as Record<string, unknown>;
  assert.equal(manifest.main, APP_FILES.main);
  assert.equal(manifest.devDependencies, undefined, 'no devDependencies in the packaged package.json');
  // What ships is byte for byte what was built.
  for (const file of [APP_FILES.main, APP_FILES.preload, `${APP_FILES.renderer}/app.js`]) assert.ok(extractFile(archive, file).equals(readFileSync(join(ROOT, file))), file);
});

test('the host and target bundles and their chunks are unpacked beside app.asar, and nothing else is', () => {
  const unpacked = join(resources, 'app.asar.unpacked');
  const onDisk = readdirSync(unpacked, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(unpacked.length + 1))
    .sort();
  const expected = [...APP_FILES.children, ...filesUnder(APP_FILES.chunks).map((f) => f.slice(1))].sort();
  assert.deepEqual(onDisk, expected);
  for (const file of expected) {
    assert.equal((statFile(archive, file, false) as { unpacked?: boolean }).unpacked, true, `${file} is marked unpacked in the archive`);
    assert.ok(readFileSync(join(unpacked, file)).equals(readFileSync(join(ROOT, file))), `${file} is the built one`);
  }
  // Self-contained: nothing outside Node's built-ins is imported (no node_modules beside them).
  for (const file of expected) {
    const text = readFileSync(join(unpacked, file), 'utf8');
    const specifiers = [
      ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm),
      ...text.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
      ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ...text.matchAll(/\brequire\d*\(\s*["']([^"']+)["']\s*\)/g),
    ]
      .map((m) => m[1])
      .filter((s) => !s.startsWith('.'));
    const notBuiltIn = specifiers.filter((s) => !s.startsWith('node:') && !builtinModules.includes(s));
    // ws probes two optional native add-ons inside try/catch; they are never installed.
    assert.deepEqual(notBuiltIn.filter((s) => s !== 'bufferutil' && s !== 'utf-8-validate'), [], `${file} imports packages`);
  }
});

test('the fuses are flipped in the packaged binary', () => {
  const fuses = readFuses(join(appDir, packaging.executableName));
  for (const [name, on] of Object.entries(packaging.electronFuses)) assert.equal(fuses[name as keyof typeof fuses], on, name);
  // And the stand-in started with Electron's defaults: the flip is electron-builder's doing.
  assert.equal(readFuses(join(electronDist, 'electron')).runAsNode, true);
});

test('paths in app.asar map to their unpacked copies; others stay as they are', () => {
  assert.equal(unpackedPath('/opt/Fleetsim/resources/app.asar/dist/host.mjs'), '/opt/Fleetsim/resources/app.asar.unpacked/dist/host.mjs');
  assert.equal(unpackedPath('C:\\Program Files\\Fleetsim\\resources\\app.asar\\dist\\target.mjs'), 'C:\\Program Files\\Fleetsim\\resources\\app.asar.unpacked\\dist\\target.mjs');
  assert.equal(unpackedPath('/repo/dist/host.mjs'), '/repo/dist/host.mjs');
  assert.equal(unpackedPath('/x/app.asar.unpacked/dist/host.mjs'), '/x/app.asar.unpacked/dist/host.mjs');
});

test('the packaged main serves the renderer from the archive and runs a fleet on the unpacked host and target', async () => {
  // The extracted app laid out as Electron's asar support shows it: resources/app.asar is a
  // directory (the archive's contents), resources/app.asar.unpacked the real unpacked files.
  const mirror = join(work, 'mirror', 'resources');
  mkdirSync(mirror, { recursive: true });
  extractAll(archive, join(mirror, 'app.asar'));
  cpSync(join(resources, 'app.asar.unpacked'), join(mirror, 'app.asar.unpacked'), { recursive: true });
  for (const child of APP_FILES.children) rmSync(join(mirror, 'app.asar', child)); // only the unpacked copy may be used

  const fake = await import('./helpers/fake-electron.ts');
  const { app, BrowserWindow, ipcMain, session, utilityProcess } = fake;
  await import(pathToFileURL(join(mirror, 'app.asar', APP_FILES.main)).href);
  app.becomeReady();
  await waitFor('the window', () => BrowserWindow.instances.length === 1);
  const [win] = BrowserWindow.instances;
  assert.equal(win.options.webPreferences?.preload, join(mirror, 'app.asar', APP_FILES.preload));
  assert.ok(existsSync(String(win.options.webPreferences?.preload)));

  const handler = session.defaultSession.handlers.get('app')!;
  for (const name of ['index.html', 'app.js', 'app.css']) {
    const res = await handler(new Request(`app://fleetsim/${name}`));
    assert.equal(res.status, 200, name);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(ROOT, APP_FILES.renderer, name))), `${name} comes from the archive`);
  }
  assert.equal((await handler(new Request('app://fleetsim/../main.mjs'))).status, 404);

  utilityProcess.factory = nodeUtilityProcesses();
  const me = { contents: win.webContents, frame: win.webContents.mainFrame };
  const updates = () => win.webContents.sent.filter((s) => s.channel === 'fleet:update').map((s) => s.args[0] as FleetUpdate);
  // A test PKI issued by the main bundle; the target serves TLS with it and the hosts issue device
  // certificates (@peculiar/x509 is a chunk loaded on first use in both).
  const pki = (await ipcMain.invoke('fleet:certsInit', me)) as CertsInitResult;
  assert.equal(pki.ok, true, JSON.stringify(pki));
  const started = await ipcMain.invoke('fleet:start', me, {
    name: 'packaged',
    duration: '60s',
    ramp: 0,
    hosts: 2,
    embedded: { tls: { clientCerts: 'require' } },
    groups: [
      { name: 't', protocol: 'mqtt', url: 'embedded:mqtts', count: 10, clientId: 't-{index}' },
      { name: 'm', protocol: 'mqtt', url: 'embedded:mqtt', count: 20, clientId: 'm-{index}', timers: { heartbeat: { every: '500ms' } } },
      // MQTT.js and ws are chunks the host loads on first use: they must load from the unpacked dir too.
      { name: 'j', protocol: 'mqtt', url: 'embedded:mqtt-ws', count: 10, clientId: 'j-{index}', mqtt: { client: 'mqtt.js' }, timers: { heartbeat: { every: '500ms' } } },
      { name: 'w', protocol: 'ws', url: 'embedded:ws', count: 10 },
    ],
  });
  const forks = () => utilityProcess.forks.map((f) => f.modulePath).sort();
  const lastSnapshot = () => updates().findLast((u) => u.type === 'snapshot');
  const childOutput = () => {
    const last = lastSnapshot();
    const state = last?.type === 'snapshot' ? JSON.stringify({ groups: last.snapshot.groups, failures: last.snapshot.failureReasons, disconnects: last.snapshot.disconnectReasons, totals: last.snapshot.totals }) : 'no snapshot';
    return `${state}\n${forks().join('\n')}\n${readLog(app.logsDir)}`;
  };
  assert.deepEqual(started, { ok: true }, childOutput());
  try {
    assert.deepEqual(forks(), [join(mirror, 'app.asar.unpacked/dist/host.mjs'), join(mirror, 'app.asar.unpacked/dist/host.mjs'), join(mirror, 'app.asar.unpacked/dist/target.mjs')]);
    await waitFor('50 devices online', () => updates().some((u) => u.type === 'snapshot' && u.snapshot.gauges.online === 50), 30_000, childOutput);
  } finally {
    await ipcMain.invoke('fleet:stop', me);
  }
  await waitFor('the run ended', () => updates().some((u) => u.type === 'ended'), 30_000, childOutput);
  const ended = updates().find((u) => u.type === 'ended');
  const summary = ended?.type === 'ended' ? ended.summary : undefined;
  assert.equal(summary?.online, 50);
  for (const h of summary?.hosts ?? []) assert.equal(alive(h.pid), false, `host ${h.hostId} reaped`);
});

function readLog(dir: string): string {
  const file = join(dir, 'fleetsim-hosts.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
