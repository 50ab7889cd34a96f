// Debian's mosquitto on free loopback ports, with a config of our own: a real, independent broker
// for the tests and the benchmarks to drive fleets against.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './local-ports.ts';

export interface Mosquitto {
  pid: number;
  port: number;
  wsPort: number;
  /** MQTT over TLS and over WSS, with MosquittoTls. */
  tlsPort?: number;
  wssPort?: number;
  /** mosquitto's log lines so far, when started with captureLog (add `log_type all` to see connections). */
  log: string[];
  stop(): Promise<void>;
}

/** TLS listeners serving a test PKI's server certificate, trusting its CA. */
export interface MosquittoTls {
  pkiDir: string;
  /** require_certificate: clients must present a certificate from the CA (mutual TLS). */
  requireCertificate: boolean;
}

export const MOSQUITTO_BIN = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

/** The installed mosquitto's version, [major, minor, patch] (from its help text). */
export function mosquittoVersion(): [number, number, number] {
  if (!MOSQUITTO_BIN) throw new Error('mosquitto is not installed');
  const help = spawnSync(MOSQUITTO_BIN, ['-h'], { encoding: 'utf8', timeout: 5000 }).stdout;
  const version = /mosquitto version (\d+)\.(\d+)\.(\d+)/.exec(help);
  if (!version) throw new Error(`no version in mosquitto -h: ${help.slice(0, 200)}`);
  return [Number(version[1]), Number(version[2]), Number(version[3])];
}

/**
 * Starts mosquitto; a free port picked here can be taken (as some client's source port) before
 * mosquitto binds it when other tests or benches hold many connections, so a failed start is
 * tried again on new ports.
 */
export async function startMosquitto(extraConfig = '', tls?: MosquittoTls, options: { captureLog?: boolean } = {}): Promise<Mosquitto> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMosquittoOnce(extraConfig, tls, options.captureLog ?? false);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function startMosquittoOnce(extraConfig: string, tls: MosquittoTls | undefined, captureLog: boolean): Promise<Mosquitto> {
  if (!MOSQUITTO_BIN) throw new Error('mosquitto is not installed (apt-get install mosquitto; .ci/run does it)');
  const port = await freePort();
  const wsPort = await freePort();
  const tlsPort = tls ? await freePort() : undefined;
  const wssPort = tls ? await freePort() : undefined;
  const tlsListener = (p: number, websockets: boolean) => [
    `listener ${p} 127.0.0.1`,
    ...(websockets ? ['protocol websockets'] : []),
    `cafile ${join(tls!.pkiDir, 'ca.pem')}`,
    `certfile ${join(tls!.pkiDir, 'server.pem')}`,
    `keyfile ${join(tls!.pkiDir, 'server-key.pem')}`,
    `require_certificate ${tls!.requireCertificate}`,
  ];
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      'per_listener_settings false',
      // As root, mosquitto would switch to its own user and could not read the PKI (mode 0700).
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      `listener ${port} 127.0.0.1`,
      `listener ${wsPort} 127.0.0.1`,
      'protocol websockets',
      ...(tls ? [...tlsListener(tlsPort!, false), ...tlsListener(wssPort!, true)] : []),
      extraConfig,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', captureLog ? 'pipe' : 'inherit'] });
  const log: string[] = [];
  if (captureLog) {
    let partial = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      log.push(...lines);
    });
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    // mosquitto exits at once when a port is taken: fail then rather than after the port wait.
    const died = exited.then(() => Promise.reject(new Error(`mosquitto exited on start (ports ${port}, ${wsPort})`)));
    died.catch(() => {}); // it exits later on stop(): that is no error
    await Promise.race([died, (async () => (await waitForPort(port), await waitForPort(wsPort)))()]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  if (wssPort) await waitForPort(wssPort);
  return {
    pid: child.pid!,
    port,
    wsPort,
    tlsPort,
    wssPort,
    log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
