// Starts Fleetsim: the desktop app when Electron can run here, browser mode otherwise.
//
//   npm start             build, then Electron (dist/main.mjs); falls back to `fleetsim serve`
//   npm run dev           the same with DevTools open (FLEETSIM_DEV=1 for the main process)
//   npm start -- --browser           browser mode straight away
//   npm start -- --port 0            anything else is passed to `fleetsim serve` in browser mode
//   npm run dist          package with electron-builder (tsx scripts/start.ts --dist); after
//                         `--`: --dir (unpacked app only), --linux, --mac, --win, --output DIR
//                         (default release/); FLEETSIM_ELECTRON_DIST: an unpacked Electron to use
//
// Electron cannot start when its binary was never downloaded (node_modules/electron/path.txt
// missing: offline installs, ELECTRON_SKIP_BINARY_DOWNLOAD), when Linux has no display, or when
// the binary dies during startup (missing system libraries). Then this prints one line saying
// why and runs `node bin/fleetsim.mjs serve` instead, which prints the URL to open.
//
// The binary is located the way the electron package's index.js does it, but without calling
// it: requiring 'electron' from Node starts a download when the binary is missing, which can
// hang for minutes on a machine without network before it throws.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** If Electron is still running after this long, it started; an earlier failure means fall back. */
const STARTUP_MS = Number(process.env.FLEETSIM_ELECTRON_STARTUP_MS ?? 4000);

export type ElectronProbe = { ok: true; binary: string } | { ok: false; reason: string };

/** `path` relative to `root` when it is inside it, else as it is. */
function shortPath(root: string, path: string): string {
  return path.startsWith(root + sep) ? relative(root, path) : path;
}

/** Where the Electron binary is, or why it cannot run, without starting or downloading anything. */
export function probeElectron(root: string = ROOT, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronProbe {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = join(pkg, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  let binary: string;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable || 'electron');
  else if (!executable) return { ok: false, reason: 'binary not installed: node_modules/electron/path.txt is missing, the download never ran or failed' };
  else binary = join(pkg, 'dist', executable);
  if (!existsSync(binary)) return { ok: false, reason: `binary not installed: ${shortPath(root, binary)} is missing` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { ok: false, reason: 'no display: DISPLAY and WAYLAND_DISPLAY are unset' };
  return { ok: true, binary };
}

/** The child we run (Electron, then maybe `fleetsim serve`); we exit with it. */
let current: ChildProcess | null = null;
const running = () => current !== null && current.exitCode === null && current.signalCode === null;

/**
 * Ctrl-C and a closing terminal signal the whole foreground process group, the child included,
 * so SIGINT and SIGHUP are not passed on (a second SIGINT makes `fleetsim serve` skip its
 * graceful stop); we just wait for the child to finish. SIGTERM is sent to us alone (kill,
 * process managers, tests), so it is passed on.
 */
function handleSignals(): void {
  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (!running()) process.exit(130);
    });
  }
  process.on('SIGTERM', () => {
    if (running()) current!.kill('SIGTERM');
    else process.exit(143);
  });
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15) : 1);
}

function runBrowserMode(serveArgs: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'fleetsim.mjs'), 'serve', ...serveArgs], { cwd: ROOT, stdio: 'inherit', env });
  current = child;
  child.on('error', (err) => {
    console.error(`fleetsim: could not start browser mode: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(exitCodeOf(code, signal)));
}

/** Runs Electron; `fallBack` gets the reason when it fails within STARTUP_MS, else its exit code is ours. */
function runElectron(binary: string, env: NodeJS.ProcessEnv, fallBack: (reason: string) => void): void {
  const childEnv = { ...env };
  delete childEnv.ELECTRON_RUN_AS_NODE; // would turn the binary into plain Node
  const child = spawn(binary, [join(ROOT, 'dist', 'main.mjs')], { cwd: ROOT, stdio: 'inherit', env: childEnv });
  current = child;
  let started = false;
  const timer = setTimeout(() => (started = true), STARTUP_MS);
  child.on('error', (err) => {
    clearTimeout(timer);
    if (!started) fallBack(`${(err as NodeJS.ErrnoException).code ?? err.message} starting ${shortPath(ROOT, binary)}`);
  });
  child.on('exit', (code, signal) => {
    clearTimeout(timer);
    // A clean exit right away is normal too: another Fleetsim window was already open and got focus.
    if (!started && code !== 0) fallBack(signal ? `it was killed by ${signal} during startup` : `it exited with code ${code} during startup`);
    else process.exit(exitCodeOf(code, signal));
  });
}

/** The electron-builder targets `npm run dist -- …` asks for (default: this platform's, from the config). */
export function distOptions(argv: string[]): { dir: boolean; output?: string; linux?: string[]; mac?: string[]; win?: string[] } {
  const platforms = { linux: argv.includes('--linux'), mac: argv.includes('--mac'), win: argv.includes('--win') };
  const at = argv.indexOf('--output');
  const output = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && (!output || output.startsWith('--'))) throw new Error('fleetsim dist: --output needs a directory');
  const unknown = argv.filter((a, i) => !['--dist', '--dir', '--linux', '--mac', '--win', '--output'].includes(a) && !(at >= 0 && i === at + 1));
  if (unknown.length > 0) throw new Error(`fleetsim dist: unknown option ${unknown.join(' ')} (known: --dir, --linux, --mac, --win, --output DIR)`);
  return {
    dir: argv.includes('--dir'),
    ...(output ? { output: resolve(output) } : {}),
    ...(platforms.linux ? { linux: [] } : {}),
    ...(platforms.mac ? { mac: [] } : {}),
    ...(platforms.win ? { win: [] } : {}),
  };
}

/**
 * Packages the app with electron-builder. FLEETSIM_ELECTRON_DIST names an unpacked Electron
 * distribution to use instead of the one electron-builder downloads (its `electronDist`).
 */
async function packageApp(argv: string[]): Promise<void> {
  const { packaging } = await import('../electron.config.ts');
  const { build } = await import('electron-builder');
  for (const icon of [packaging.mac.icon, packaging.linux.icon]) {
    if (!existsSync(join(ROOT, icon))) throw new Error(`fleetsim dist: ${icon} is missing; render it from assets/icon.svg with npm run icons.`);
  }
  const electronDist = process.env.FLEETSIM_ELECTRON_DIST;
  const { output, ...targets } = distOptions(argv);
  const config = {
    ...packaging,
    directories: { ...packaging.directories, output: output ?? packaging.directories.output },
    ...(electronDist ? { electronDist: resolve(electronDist) } : {}),
  };
  const artifacts = await build({ projectDir: ROOT, ...targets, config, publish: 'never' });
  const out = resolve(ROOT, config.directories.output);
  console.log(`fleetsim dist: ${artifacts.length > 0 ? artifacts.map((a) => relative(ROOT, a)).join(', ') : `unpacked app in ${relative(ROOT, out)}/`}`);
}

function main(argv: string[]): void {
  handleSignals();
  if (argv.includes('--dist')) {
    packageApp(argv).catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    });
    return;
  }
  const dev = argv.includes('--dev');
  const forceBrowser = argv.includes('--browser');
  const serveArgs = argv.filter((a) => a !== '--dev' && a !== '--browser');
  const env: NodeJS.ProcessEnv = dev ? { ...process.env, FLEETSIM_DEV: '1' } : { ...process.env };

  const fallBack = (reason: string) => {
    console.error(`Electron could not start (${reason}); starting browser mode instead`);
    runBrowserMode(serveArgs, env);
  };
  if (forceBrowser) {
    runBrowserMode(serveArgs, env);
    return;
  }
  if (!existsSync(join(ROOT, 'dist', 'main.mjs'))) {
    fallBack('dist/main.mjs is missing: run npm run build');
    return;
  }
  const probe = probeElectron();
  if (!probe.ok) fallBack(probe.reason);
  else runElectron(probe.binary, env, fallBack);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main(process.argv.slice(2));
