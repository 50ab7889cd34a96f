import { spawn } from 'node:child_process';
import { waitForPort } from './ports.ts';

/** True while a process with this pid exists. */
export function alive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A server process started by a test: its port and pid, and stop() that waits for it to exit. */
export interface ListeningProcess {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `bin` in the foreground and resolves once it listens on 127.0.0.1:`port` (killed if it never does). */
export async function spawnListening(bin: string, args: string[], port: number): Promise<ListeningProcess> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitForPort(port);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
