// scripts/start.ts (npm start): when Electron cannot start it says why in one line and runs
// browser mode (`fleetsim serve`) instead. The binary location is pointed at an empty directory
// (ELECTRON_OVERRIDE_DIST_PATH), so this holds on machines that do have Electron too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { distOptions, probeElectron } from '../../scripts/start.ts';

const FALLBACK_LINE = /^Electron could not start \((.+)\); starting browser mode instead$/;

function fakeElectronPackage(opts: { pathTxt?: string; binary?: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'fleetsim-start-'));
  const pkg = join(root, 'node_modules', 'electron');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name":"electron"}');
  if (opts.pathTxt !== undefined) writeFileSync(join(pkg, 'path.txt'), opts.pathTxt);
  if (opts.binary) writeFileSync(join(pkg, 'dist', 'electron'), '');
  return root;
}

test('probeElectron: says why Electron cannot run, without running or downloading it', () => {
  assert.deepEqual(probeElectron(mkdtempSync(join(tmpdir(), 'fleetsim-start-')), {}, 'linux'), { ok: false, reason: 'the electron package is not installed' });
  const noPathTxt = probeElectron(fakeElectronPackage({}), { DISPLAY: ':0' }, 'linux');
  assert.equal(noPathTxt.ok, false);
  assert.match(!noPathTxt.ok ? noPathTxt.reason : '', /^binary not installed: node_modules\/electron\/path\.txt is missing/);
  const noBinary = probeElectron(fakeElectronPackage({ pathTxt: 'electron' }), { DISPLAY: ':0' }, 'linux');
  assert.deepEqual(noBinary, { ok: false, reason: 'binary not installed: node_modules/electron/dist/electron is missing' });
  const installed = fakeElectronPackage({ pathTxt: 'electron', binary: true });
  assert.deepEqual(probeElectron(installed, {}, 'linux'), { ok: false, reason: 'no display: DISPLAY and WAYLAND_DISPLAY are unset' });
  assert.deepEqual(probeElectron(installed, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux'), { ok: true, binary: join(installed, 'node_modules/electron/dist/electron') });
  assert.equal(probeElectron(installed, {}, 'darwin').ok, true, 'no DISPLAY needed off Linux');
  const override = mkdtempSync(join(tmpdir(), 'fleetsim-electron-dist-'));
  assert.deepEqual(probeElectron(installed, { DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: override }, 'linux'), {
    ok: false,
    reason: `binary not installed: ${join(override, 'electron')} is missing`,
  });
});

/**
 * `npm start`'s script where no Electron binary exists, in its own process group (so the serve
 * child it starts can be signalled with it). `output()` is everything it printed so far.
 */
function startWithoutElectron() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--port', '0'], {
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: mkdtempSync(join(tmpdir(), 'fleetsim-no-electron-')) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

test('npm start falls back to browser mode with one line saying why, and serves the UI', async () => {
  assert.ok(existsSync('dist/cli.mjs') && existsSync('dist/main.mjs') && existsSync('dist/renderer/index.html'), 'run npm run build first');
  const { child, exited, output } = startWithoutElectron();
  try {
    const deadline = Date.now() + 20_000;
    while (!/open (http:\/\/127\.0\.0\.1:\d+\/\S*)/.test(output())) {
      assert.ok(Date.now() < deadline, `no browser-mode URL within 20 s; output:\n${output()}`);
      assert.equal(child.exitCode, null, `start.ts exited early; output:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const lines = output().split('\n').filter((l) => l.includes('Electron could not start'));
    assert.equal(lines.length, 1, output());
    assert.match(lines[0], FALLBACK_LINE);
    assert.match(lines[0], /binary not installed: .*electron is missing/);

    const url = /open (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output())![1];
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<title>Fleetsim<\/title>/);

    child.kill('SIGTERM'); // start.ts passes it on to serve, which stops and exits
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    assert.equal(code, 0, `start.ts exit code; output:\n${output()}`);
  } finally {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

test('Ctrl-C (SIGINT to the whole process group) stops browser mode gracefully, once', async () => {
  const { child, exited, output } = startWithoutElectron();
  try {
    const deadline = Date.now() + 20_000;
    while (!/open http:\/\/127\.0\.0\.1/.test(output())) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `browser mode did not come up; output:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-child.pid!, 'SIGINT'); // what a terminal does on Ctrl-C
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    assert.equal(code, 0, `a second SIGINT would have made serve exit 130 without stopping; output:\n${output()}`);
    assert.equal(output().match(/fleetsim serve: stopping/g)?.length, 1, output());
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Runs start.ts with `electron` replaced by a shell script; resolves with its output and exit code. */
function startWithFakeElectron(script: string): Promise<{ out: string; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-fake-electron-'));
  writeFileSync(join(dir, 'electron'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, 'electron'), 0o755);
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--port', '0'], {
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dir, DISPLAY: ':99', ELECTRON_RUN_AS_NODE: '1', FLEETSIM_ELECTRON_STARTUP_MS: '1500' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
    // Browser mode came up after a fallback: enough seen, stop it (start.ts passes SIGTERM on).
    const watch = setInterval(() => {
      if (/open http:\/\/127\.0\.0\.1/.test(out)) {
        clearInterval(watch);
        child.kill('SIGTERM');
      }
    }, 50);
    child.once('exit', () => clearInterval(watch));
  });
}

test('an Electron that dies during startup falls back; one that runs is left alone', { skip: process.platform === 'win32' }, async () => {
  assert.ok(existsSync('dist/main.mjs') && existsSync('dist/renderer/index.html'), 'run npm run build first');
  const crashed = await startWithFakeElectron('echo "electron args: $*"; echo "run as node: ${ELECTRON_RUN_AS_NODE:-unset}"; exit 3');
  assert.match(crashed.out, /electron args: \S*dist\/main\.mjs$/m);
  assert.match(crashed.out, /run as node: unset/);
  const lines = crashed.out.split('\n').filter((l) => FALLBACK_LINE.test(l));
  assert.deepEqual(lines, ['Electron could not start (it exited with code 3 during startup); starting browser mode instead']);
  assert.match(crashed.out, /Fleetsim is running in browser mode/);

  const ran = await startWithFakeElectron('sleep 2; exit 7');
  assert.equal(ran.code, 7, 'its exit code is ours');
  assert.doesNotMatch(ran.out, /could not start|browser mode/);

  const quitAtOnce = await startWithFakeElectron('exit 0'); // e.g. a second instance handing over
  assert.equal(quitAtOnce.code, 0);
  assert.doesNotMatch(quitAtOnce.out, /could not start|browser mode/);
});

test('distOptions: npm run dist -- --dir / --linux --mac --win / --output DIR, anything else refused by name', () => {
  assert.deepEqual(distOptions(['--dist']), { dir: false });
  assert.deepEqual(distOptions(['--dist', '--dir', '--output', 'out']), { dir: true, output: join(process.cwd(), 'out') });
  assert.deepEqual(distOptions(['--dist', '--linux', '--win']), { dir: false, linux: [], win: [] });
  assert.throws(() => distOptions(['--dist', '--output']), /--output needs a directory/);
  assert.throws(() => distOptions(['--dist', '--dir', '--publish']), /unknown option --publish \(known: --dir/);
});
