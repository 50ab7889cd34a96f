// Debian's mosquitto, started by the tests on free loopback ports: a real, independent broker.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.ts';

export interface Mosquitto {
  port: number;
  wsPort: number;
  stop(): Promise<void>;
}

export const MOSQUITTO_BIN = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

export async function startMosquitto(extraConfig = ''): Promise<Mosquitto> {
  if (!MOSQUITTO_BIN) throw new Error('mosquitto is not installed (apt-get install mosquitto; .ci/run does it)');
  const port = await freePort();
  const wsPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      `listener ${port} 127.0.0.1`,
      `listener ${wsPort} 127.0.0.1`,
      'protocol websockets',
      extraConfig,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitForPort(port);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    wsPort,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
