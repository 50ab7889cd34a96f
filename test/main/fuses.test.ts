// Electron fuses (security checklist item 19): the packaged binary cannot run as plain Node, takes
// no NODE_OPTIONS and no --inspect flags, and loads the app only from its integrity-checked
// app.asar. And nothing the app does needs what they switch off: read from the packaging config,
// the shell's sources and the bundles that ship.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { APP_FILES, packaging } from '../../electron.config.ts';
import { childRuntime } from '../../src/fleet/launcher.ts';

const read = (file: string) => {
  assert.ok(existsSync(file), `${file} is missing${file.startsWith('dist/') ? ': run npm run build' : ''}`);
  return readFileSync(file, 'utf8');
};
const sourcesUnder = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => /\.tsx?$/.test(n)).map((n) => join(dir, n));

/** What runs in the packaged app: the shell, the launcher, and the bundles (hosts and target included). */
const APP_SOURCES = [...sourcesUnder('src/main'), ...sourcesUnder('src/preload'), 'src/fleet/launcher.ts', 'src/shared/parent-channel.ts'];
const BUNDLES = ['dist/main.mjs', 'dist/preload.cjs', 'dist/host.mjs', 'dist/target.mjs'];

test('electron-builder flips the fuses: no run-as-node, NODE_OPTIONS or --inspect; asar only, integrity checked', () => {
  const fuses = packaging.electronFuses;
  assert.equal(fuses.runAsNode, false);
  assert.equal(fuses.enableNodeOptionsEnvironmentVariable, false);
  assert.equal(fuses.enableNodeCliInspectArguments, false);
  assert.equal(fuses.enableEmbeddedAsarIntegrityValidation, true);
  assert.equal(fuses.onlyLoadAppFromAsar, true);
  // The asar fuses only mean something when the app is in the archive: main, preload, renderer.
  // Unpacked beside it: only the host and target bundles (started by utilityProcess.fork) and
  // the chunks they load; see test/main/packaged-app.test.ts for the packaged layout.
  assert.equal(packaging.asar, true);
  assert.deepEqual(packaging.asarUnpack, [...APP_FILES.children, `${APP_FILES.chunks}/**/*`]);
  assert.equal(packaging.extraMetadata.main, 'dist/main.mjs');
  for (const file of [APP_FILES.main, APP_FILES.preload, ...APP_FILES.children]) assert.ok(packaging.files.includes(file), `${file} ships`);
});

test('nothing in the app sets or needs ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect', () => {
  for (const file of [...APP_SOURCES, ...BUNDLES]) {
    const text = read(file);
    assert.doesNotMatch(text, /ELECTRON_RUN_AS_NODE/, `${file} mentions ELECTRON_RUN_AS_NODE`);
    assert.doesNotMatch(text, /NODE_OPTIONS/, `${file} mentions NODE_OPTIONS`);
    assert.doesNotMatch(text, /--inspect/, `${file} passes an --inspect flag`);
  }
});

test('the shell starts hosts and the target as utility processes, never as Node children of the Electron binary', () => {
  for (const file of [...sourcesUnder('src/main'), ...sourcesUnder('src/preload')]) {
    // child_process.fork of the Electron binary works only by setting ELECTRON_RUN_AS_NODE.
    assert.doesNotMatch(read(file), /from 'node:child_process'|require\(['"](node:)?child_process['"]\)/, `${file} imports child_process`);
    assert.doesNotMatch(read(file), /ChildProcessLauncher/, `${file} uses the headless launcher`);
  }
  const main = read('src/main/main.ts');
  const services = main.match(/new FleetService\(/g) ?? [];
  assert.equal(services.length, 1);
  assert.match(main, /new FleetService\(\{ launcher: new ElectronUtilityLauncher\(/);
  assert.doesNotMatch(main, /new FleetController\(|createRun\(/, 'runs are started only through the service and its launcher');
  assert.match(read('src/main/utility-launcher.ts'), /utilityProcess\.fork\(unpackedPath\(entryPath\(entry\)\)/);
});

test('utility processes get V8 flags only: nothing the inspect or NODE_OPTIONS fuses would drop', () => {
  const before = process.env.FLEETSIM_HOST_NODE_ARGS;
  delete process.env.FLEETSIM_HOST_NODE_ARGS;
  try {
    for (const entry of ['host', 'target'] as const) {
      const { execArgv, env } = childRuntime(entry);
      for (const flag of execArgv) assert.doesNotMatch(flag, /^--(inspect|debug|require|import|loader|experimental-loader)|^-r$/, `${entry}: ${flag}`);
      assert.equal(env.NODE_OPTIONS, undefined);
      assert.equal(env.ELECTRON_RUN_AS_NODE, undefined);
    }
  } finally {
    if (before !== undefined) process.env.FLEETSIM_HOST_NODE_ARGS = before;
  }
});

test('the window, preload and renderer load from next to the main bundle, inside app.asar', () => {
  const main = read('src/main/main.ts');
  for (const [, path] of main.matchAll(/new URL\('([^']+)', import\.meta\.url\)/g)) assert.ok(path.startsWith('./'), `${path} would leave the archive's dist/`);
  assert.match(main, /new URL\('\.\/preload\.cjs', import\.meta\.url\)/);
  assert.match(main, /new URL\('\.\/renderer\/', import\.meta\.url\)/);
  for (const file of ['src/main/main.ts', 'src/main/window.ts', 'dist/main.mjs']) {
    assert.doesNotMatch(read(file), /process\.resourcesPath|app\.getAppPath\(\)|process\.cwd\(\)/, `${file} reads files from outside the archive`);
  }
});
