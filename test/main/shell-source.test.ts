// The security settings of the Electron shell, read from its sources and from the bundles that
// actually ship (dist/main.mjs, dist/preload.cjs): these are the lines that must never drift.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

function filesUnder(dir: string, ext = /\.tsx?$/): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => ext.test(name))
    .map((name) => join(dir, name));
}

function read(file: string): string {
  assert.ok(existsSync(file), `${file} is missing${file.startsWith('dist/') ? ': run npm run build' : ''}`);
  return readFileSync(file, 'utf8');
}

const SHELL_SOURCES = [...filesUnder('src/main'), ...filesUnder('src/preload')];
const shipped = () => [
  { file: 'dist/main.mjs', text: read('dist/main.mjs') },
  { file: 'dist/preload.cjs', text: read('dist/preload.cjs') },
];
const all = () => [...SHELL_SOURCES.map((file) => ({ file, text: read(file) })), ...shipped()];

test('the window is created with isolation, sandbox, no Node and web security, in source and bundle', () => {
  for (const { file, text } of [{ file: 'src/main/window.ts', text: read('src/main/window.ts') }, { file: 'dist/main.mjs', text: read('dist/main.mjs') }]) {
    const prefs = /webPreferences:\s*\{([^}]*)\}/.exec(text);
    assert.ok(prefs, `${file}: webPreferences`);
    for (const setting of [/contextIsolation:\s*true/, /sandbox:\s*true/, /nodeIntegration:\s*false/, /webSecurity:\s*true/, /webviewTag:\s*false/, /preload:/])
      assert.match(prefs[1], setting, `${file}: ${setting}`);
    assert.match(text, /setWindowOpenHandler\(\(\) => \(\{ action: ["']deny["'] \}\)\)/, `${file}: window.open denied`);
    assert.match(text, /\.on\(["']will-navigate["'], \(event\) => \{\s*if \(!isAppUrl\d*\(event\.url\)\) event\.preventDefault\(\);/, `${file}: will-navigate guard`);
    assert.match(text, /setPermissionRequestHandler\(\(_contents, _permission, callback\) => callback\(false\)\)/, `${file}: permission requests denied`);
    assert.match(text, /loadURL\(APP_ENTRY_URL\d*\)/, `${file}: loads app://fleetsim`);
  }
});

test('nothing in the shell loosens a security setting', () => {
  const forbidden = [
    /nodeIntegration(InWorker|InSubFrames)?:\s*true/,
    /contextIsolation:\s*false/,
    /sandbox:\s*false/,
    /webSecurity:\s*false/,
    /allowRunningInsecureContent:\s*true/,
    /webviewTag:\s*true/,
    /bypassCSP:\s*true/,
    /corsEnabled:\s*true/,
    /\.loadFile\(/,
    /\bshell\.openExternal\(/,
    /exposeInMainWorld\([^)]*ipcRenderer/,
    /\bipcMain\d*\.(on|once|handleOnce)\(/,
    /\bipcRenderer\.(send|sendSync|sendToHost)\(/,
  ];
  for (const { file, text } of all()) for (const re of forbidden) assert.doesNotMatch(text, re, `${file}: ${re}`);
});

test('every ipcMain.handle checks its sender before anything else', () => {
  let handlers = 0;
  for (const { file, text } of all()) {
    // Statements only (a comment may mention ipcMain.handle too).
    for (const m of text.matchAll(/^[ \t]*ipcMain\d*\.handle\(/gm)) {
      handlers++;
      const rest = text.slice(m.index).trimStart();
      const body = /^ipcMain\d*\.handle\([^,]+,\s*async\s*\(event[^)]*\)\s*=>\s*\{\s*([^;]+);/.exec(rest);
      assert.ok(body, `${file}: ipcMain.handle with an (event, …) => { … } handler`);
      assert.match(body[1], /^assertTrustedSender\d*\(event, /, `${file}: first statement of the handler is the sender check, found: ${body[1]}`);
    }
  }
  assert.equal(handlers, 2, 'one ipcMain.handle loop, in src/main/ipc.ts and in dist/main.mjs');
  const bundle = read('dist/main.mjs');
  assert.match(bundle, /for \(const name of FLEET_METHODS\d*\) \{\s*const channel = fleetChannel\(name\);\s*ipcMain\d*\.handle\(channel/, 'dist/main.mjs: handlers are the FleetMethods names only');
});

test('the preload bundle is CommonJS and requires nothing but electron', () => {
  const text = read('dist/preload.cjs');
  assert.doesNotMatch(text, /^\s*(import|export)\s/m, 'no ES module syntax');
  const required = [...text.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.match(text, /contextBridge\.exposeInMainWorld\(["']fleet["'], api\)/);
});

test('only the shell imports electron (src/engine, fleet, targets, contract, cli never do)', () => {
  for (const dir of ['src/engine', 'src/fleet', 'src/targets', 'src/contract', 'src/cli']) {
    for (const file of filesUnder(dir)) assert.doesNotMatch(read(file), /from ['"]electron(\/[a-z]+)?['"]|require\(['"]electron['"]\)/, file);
  }
  const main = read('dist/main.mjs');
  assert.doesNotMatch(main, /require\(["']electron["']\)/, 'main is ESM: import, not require');
});
