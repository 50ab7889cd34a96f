// `fleetsim serve` as a user starts it (the built bin), for the browser end-to-end tests: its
// own FLEETSIM_HOME, a free port, and the URL with the token it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');

export async function startServe(home: string, extraArgs: string[] = []): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FLEETSIM_HOME: home },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fleetsim serve printed no URL: ${out}`)), 15_000);
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.once('exit', (code) => reject(new Error(`fleetsim serve exited (${code}): ${out}`)));
  });
  return { server, url };
}

/** Stops a served process the way Ctrl-C does, and waits for it to exit. */
export async function stopServe(server: ChildProcess | undefined): Promise<void> {
  if (server && server.exitCode === null) {
    server.kill('SIGINT');
    await new Promise((r) => server.once('exit', r));
  }
}
