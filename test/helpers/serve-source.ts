// `fleetsim serve` run from source (no build needed) in a child process, for tests that must see
// whether hostile input ends the process: its own FLEETSIM_HOME, a free port, the printed URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

export interface ServedBridge {
  child: ChildProcess;
  url: URL;
  port: number;
  token: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

export async function serveFromSource(home: string): Promise<ServedBridge> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLEETSIM_HOME: home },
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fleetsim serve printed no URL: ${out} ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`fleetsim serve exited (${code}): ${out} ${err}`)));
  });
  return { child, url, port: Number(url.port), token: url.searchParams.get('token')!, stderr: () => err };
}

export async function stopServed(s: ServedBridge | undefined): Promise<void> {
  if (s && s.child.exitCode === null && s.child.signalCode === null) {
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGINT');
    await exited;
  }
}
