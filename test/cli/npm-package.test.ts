// The npm package as a user gets it: `npm pack`, the tarball installed into an empty directory
// (offline from npm's cache, else from the registry, at this repo's locked versions), then
// `npx fleetsim run` holds the demo fleet against the embedded target and `npx fleetsim serve`
// serves the UI. Leaves test-results/npm-package-serve.png.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { launchChromium } from '../helpers/browser.ts';

const ROOT = join(import.meta.dirname, '../..');
const RESULTS = join(ROOT, 'test-results');
const work = mkdtempSync(join(tmpdir(), 'fleetsim-npm-package-'));
const home = join(work, 'home');
const app = join(work, 'app');
mkdirSync(home);
mkdirSync(app);
after(() => rmSync(work, { recursive: true, force: true }));

interface Manifest {
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

// `npm pack` runs `prepare` (the build) first, as publishing does.
const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
const [pack] = (packed.status === 0 ? JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) : [{ filename: '', files: [] }]) as Array<{ filename: string; files: Array<{ path: string }> }>;
const tarball = join(work, pack.filename);

// A user's shell: none of the npm_* variables an outer `npm test` sets (npm_config_call, say,
// would turn npx into another command).
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
Object.assign(env, { FLEETSIM_HOME: home, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
const npx = (args: string[]) => ['npx', '--no', '--', 'fleetsim', ...args];

test('npm pack ships the bundles, the bin, README, LICENSE and the scenario schema, and nothing else', () => {
  assert.equal(packed.status, 0, packed.stderr);
  const files = pack.files.map((f) => f.path).sort();
  const dist = files.filter((f) => f.startsWith('dist/'));
  assert.deepEqual(files.filter((f) => !f.startsWith('dist/')), ['LICENSE', 'README.md', 'bin/fleetsim.mjs', 'package.json', 'schema/scenario.schema.json']);
  for (const f of ['dist/cli.mjs', 'dist/host.mjs', 'dist/target.mjs', 'dist/renderer/index.html', 'dist/renderer/app.js', 'dist/renderer/app.css']) assert.ok(dist.includes(f), `${f} ships`);
  for (const f of dist) assert.match(f, /^dist\/(cli|host|target)\.mjs$|^dist\/chunks\/[\w.-]+\.mjs$|^dist\/renderer\/[\w.-]+$/, `${f}: only what the CLI runs and serves (no maps, no desktop shell)`);
});

test('the dependencies are exactly the packages the CLI bundle imports (the rest is bundled in)', () => {
  const cli = readFileSync(join(ROOT, 'dist/cli.mjs'), 'utf8');
  const imported = new Set(
    [...cli.matchAll(/^\s*import\b[^;]*?\bfrom\s*["']([^"'.][^"']*)["']/gm), ...cli.matchAll(/\bimport\(\s*["']([^"'.][^"']*)["']\s*\)/g), ...cli.matchAll(/\brequire\d*\(\s*["']([^"'.][^"']*)["']\s*\)/g)]
      .map((m) => m[1])
      .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s))
      .map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')),
  );
  assert.deepEqual(Object.keys(manifest.dependencies).sort(), [...imported].sort());
  for (const uiOnly of ['react', 'react-dom', 'zustand', 'uplot', '@tanstack/react-virtual']) assert.ok(uiOnly in manifest.devDependencies, `${uiOnly} is bundled into the renderer`);
});

test('installed from the tarball into an empty directory (offline when npm\'s cache has it all)', () => {
  // The lockfile an install of the tarball would write: fleetsim, and its dependencies at this
  // repo's locked versions (the entries not marked dev), which `npm ci` then takes from the cache.
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'fleetsim-install-test', dependencies: { fleetsim: spec } },
    'node_modules/fleetsim': {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev && !entry.devOptional) packages[path] = entry;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fleetsim-install-test', private: true, dependencies: { fleetsim: spec } }));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'fleetsim-install-test', lockfileVersion: 3, requires: true, packages }));
  let install = spawnSync('npm', ['ci', '--offline', '--ignore-scripts'], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
  // A machine whose npm cache lacks a tarball (node_modules restored some other way) gets it
  // from the registry; every version is still the lockfile's.
  if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) install = spawnSync('npm', ['ci', '--prefer-offline', '--ignore-scripts'], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
  const [cmd, ...args] = npx(['--version']);
  const version = spawnSync(cmd, args, { cwd: app, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(version.stdout.trim(), manifest.version, version.stderr);
});

test('npx fleetsim run --duration 5s --json holds the demo fleet against the embedded target', () => {
  const [cmd, ...args] = npx(['run', '--duration', '5s', '--json']);
  const run = spawnSync(cmd, args, { cwd: app, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { name: string; devices: number; online: number; connectFailures: number; endReason: string; hosts: Array<{ pid: number }> };
  assert.equal(summary.name, 'demo');
  assert.equal(summary.endReason, 'duration');
  assert.equal(summary.devices, 1200);
  assert.equal(summary.online, 1200);
  assert.equal(summary.connectFailures, 0);
});

test('npx fleetsim serve serves the UI', async () => {
  const [cmd, ...args] = npx(['serve', '--port', '0']);
  // Its own process group, so npx and the server it starts are stopped together.
  const server = spawn(cmd, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  try {
    const url = await printedUrl(server);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.getByTestId('preset-select').waitFor({ timeout: 20_000 });
      assert.ok((await page.getByTestId('preset-select').locator('option').allTextContents()).some((t) => /demo/.test(t)), 'the demo preset is offered');
      mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, 'npm-package-serve.png') });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  } finally {
    await stopGroup(server);
  }
});

function printedUrl(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`npx fleetsim serve printed no URL: ${out}`)), 30_000);
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.stderr!.on('data', (d) => (out += d));
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npx fleetsim serve exited (${code}): ${out}`));
    });
  });
}

/** Ctrl-C to the whole group (npx and the server), SIGKILL if it is still there after 15 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid, 'SIGINT');
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}
