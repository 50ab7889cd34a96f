// `fleetsim target`: runs the embedded target in this process, for pointing a fleet (or any
// MQTT / WebSocket client) at it from another terminal.
import { DEFAULT_TARGET_PORTS, DEFAULT_TARGET_TLS_PORTS } from '../contract/target.ts';
import type { TargetOverload, TargetPorts, TargetStats, TargetTls } from '../contract/target.ts';
import { startEmbeddedTarget } from '../targets/embedded-target.ts';
import { parseCommandArgs } from './command-args.ts';

const STATS_EVERY_MS = 5000;
const USAGE = `usage: fleetsim target [--mqtt-port N] [--ws-port N] [--rooms-port N] [--host ADDRESS] [--accept-rate N]
                       [--max-client-buffer BYTES] [--overload-attempts N --overload-shed P]
                       [--tls PKI_DIR [--client-certs require|none] [--mqtts-port N] [--mqtt-wss-port N] [--rooms-wss-port N]]
  --mqtt-port    MQTT over TCP (default ${DEFAULT_TARGET_PORTS.mqtt})
  --ws-port      MQTT over WebSocket, path /mqtt (default ${DEFAULT_TARGET_PORTS.mqttWs})
  --rooms-port   WebSocket room server (default ${DEFAULT_TARGET_PORTS.rooms})
  --host         address to listen on (default 127.0.0.1); 0 as a port picks a free one
  --accept-rate  new connections accepted per second on each listener; more are refused
                 (TCP closed at once, WebSocket upgrades answered 503); 0 = no limit (default)
  --max-client-buffer
                 bytes (or 256k, 4m) buffered towards one slow client before it is dropped,
                 like small proxy buffers; 0 = no cap (default)
  --overload-attempts, --overload-shed
                 overload model: a listener that sees more than N connection attempts in a
                 second closes P % (0-100) of its established clients at the end of it, as
                 if their keepalives timed out; both or neither (default: none)
  --tls          also listen with TLS, serving the certificates of this test PKI (fleetsim certs init)
  --client-certs require (default): mutual TLS, clients need a certificate from the PKI's CA and
                 an MQTT client's CN must be its client id; none: server-authenticated TLS only
  --mqtts-port   MQTT over TLS (default ${DEFAULT_TARGET_TLS_PORTS.mqtts})
  --mqtt-wss-port
                 MQTT over WSS, path /mqtt (default ${DEFAULT_TARGET_TLS_PORTS.mqttWss})
  --rooms-wss-port
                 WSS room server (default ${DEFAULT_TARGET_TLS_PORTS.roomsWss})`;

class UsageError extends Error {}

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n <= 65535)) throw new UsageError(`${flag}: expected a port number 0-65535, got ${JSON.stringify(value)}`);
  return n;
}

function acceptRate(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--accept-rate: expected connections per second (a number >= 0, 0 = no limit), got ${JSON.stringify(value)}`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 * 1024 };

function maxClientBuffer(value: string | undefined): number {
  if (value === undefined) return 0;
  const m = /^(\d+)([km]?)$/i.exec(value);
  const n = m ? Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--max-client-buffer: expected bytes (a whole number, k or m for KiB or MiB, 0 = no cap), got ${JSON.stringify(value)}`);
  return n;
}

function overload(attempts: string | undefined, shed: string | undefined): TargetOverload | undefined {
  if (attempts === undefined && shed === undefined) return undefined;
  if (attempts === undefined || shed === undefined) throw new UsageError('--overload-attempts and --overload-shed go together');
  const attemptsPerSec = /^\d+(\.\d+)?$/.test(attempts) ? Number(attempts) : NaN;
  if (!(attemptsPerSec > 0)) throw new UsageError(`--overload-attempts: expected connection attempts per second (a number > 0), got ${JSON.stringify(attempts)}`);
  const shedPercent = /^\d+(\.\d+)?$/.test(shed) ? Number(shed) : NaN;
  if (!(shedPercent <= 100)) throw new UsageError(`--overload-shed: expected a percentage 0-100, got ${JSON.stringify(shed)}`);
  return { attemptsPerSec, shedPercent };
}

const TLS_FLAGS = ['client-certs', 'mqtts-port', 'mqtt-wss-port', 'rooms-wss-port'] as const;

function clientCerts(value: string | undefined): TargetTls['clientCerts'] {
  if (value === undefined) return 'require';
  if (value !== 'require' && value !== 'none') throw new UsageError(`--client-certs: expected require or none, got ${JSON.stringify(value)}`);
  return value;
}

interface Parsed {
  host: string;
  ports: TargetPorts;
  acceptRate: number;
  maxClientBuffer: number;
  overload?: TargetOverload;
  tls?: TargetTls;
}

/** The target's settings, or the exit code when there is nothing to run (help shown, bad flag). */
function parse(args: string[]): Parsed | number {
  const flags = parseCommandArgs({ command: 'target', usage: USAGE, positionals: false }, args, {
    'mqtt-port': { type: 'string' },
    'ws-port': { type: 'string' },
    'rooms-port': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'accept-rate': { type: 'string' },
    'max-client-buffer': { type: 'string' },
    'overload-attempts': { type: 'string' },
    'overload-shed': { type: 'string' },
    tls: { type: 'string' },
    'client-certs': { type: 'string' },
    'mqtts-port': { type: 'string' },
    'mqtt-wss-port': { type: 'string' },
    'rooms-wss-port': { type: 'string' },
  });
  if (typeof flags === 'number') return flags;
  const { values } = flags;
  if (!values.host) throw new UsageError('--host: expected an address, got ""');
  const parsed: Parsed = {
    host: values.host,
    ports: {
      mqtt: port('--mqtt-port', values['mqtt-port'], DEFAULT_TARGET_PORTS.mqtt),
      mqttWs: port('--ws-port', values['ws-port'], DEFAULT_TARGET_PORTS.mqttWs),
      rooms: port('--rooms-port', values['rooms-port'], DEFAULT_TARGET_PORTS.rooms),
    },
    acceptRate: acceptRate(values['accept-rate']),
    maxClientBuffer: maxClientBuffer(values['max-client-buffer']),
  };
  const model = overload(values['overload-attempts'], values['overload-shed']);
  if (model) parsed.overload = model;
  if (values.tls === undefined) {
    const stray = TLS_FLAGS.find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --tls PKI_DIR`);
    return parsed;
  }
  if (!values.tls) throw new UsageError('--tls: expected a PKI directory, got ""');
  parsed.tls = { pki: values.tls, clientCerts: clientCerts(values['client-certs']) };
  parsed.ports.mqtts = port('--mqtts-port', values['mqtts-port'], DEFAULT_TARGET_TLS_PORTS.mqtts);
  parsed.ports.mqttWss = port('--mqtt-wss-port', values['mqtt-wss-port'], DEFAULT_TARGET_TLS_PORTS.mqttWss);
  parsed.ports.roomsWss = port('--rooms-wss-port', values['rooms-wss-port'], DEFAULT_TARGET_TLS_PORTS.roomsWss);
  return parsed;
}

const KIB = 1024;
const size = (bytes: number): string =>
  bytes >= KIB * KIB ? `${(bytes / (KIB * KIB)).toFixed(1)} MiB` : bytes >= KIB ? `${Math.round(bytes / KIB)} KiB` : `${bytes} B`;

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

function statsLine(s: TargetStats): string {
  return (
    `mqtt: ${s.mqttClients} clients, ${s.mqttPublishesIn} publishes in | ` +
    `rooms: ${s.wsClients} clients in ${s.rooms} rooms, ${s.roomFramesIn} frames in, ${s.roomFramesOut} out` +
    (s.refusedByRate ? ` | ${s.refusedByRate} refused by the accept rate` : '') +
    (s.bufferedBytes || s.droppedSlowClients
      ? ` | buffered ${size(s.bufferedBytes)} (most for one client ${size(s.maxClientBufferedBytes)}), ${s.slowClients} slow, ${s.droppedSlowClients} dropped`
      : '') +
    (s.shedByOverload || s.overloadedSeconds ? ` | overloaded ${s.overloadedSeconds ?? 0} s, ${s.shedByOverload ?? 0} clients shed` : '')
  );
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      // Removing the handlers lets a second Ctrl+C during a slow stop kill the process.
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function runTargetCommand(args: string[]): Promise<number> {
  let options;
  try {
    options = parse(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`fleetsim target: ${err.message}\n`);
    return 2;
  }
  if (typeof options === 'number') return options;
  if (options.tls) {
    // A directory that is not a test PKI is bad input, like a bad flag; the message says how to make one.
    const { PkiError, readPki } = await import('../pki/test-pki.ts');
    try {
      await readPki(options.tls.pki);
    } catch (err) {
      process.stderr.write(`fleetsim target: ${err instanceof Error ? err.message : String(err)}\n`);
      return err instanceof PkiError ? 2 : 1;
    }
  }

  let target;
  try {
    target = await startEmbeddedTarget(options);
  } catch (err) {
    process.stderr.write(`fleetsim target: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const stopSignal = untilSignal();

  const host = urlHost(options.host);
  process.stdout.write(
    `fleetsim target listening (Ctrl+C to stop)\n` +
      `  MQTT over TCP:        mqtt://${host}:${target.ports.mqtt}\n` +
      `  MQTT over WebSocket:  ws://${host}:${target.ports.mqttWs}/mqtt\n` +
      `  WebSocket rooms:      ws://${host}:${target.ports.rooms}/\n` +
      (options.tls
        ? `  MQTT over TLS:        mqtts://${host}:${target.ports.mqtts}\n` +
          `  MQTT over WSS:        wss://${host}:${target.ports.mqttWss}/mqtt\n` +
          `  WSS rooms:            wss://${host}:${target.ports.roomsWss}/\n` +
          `  client certificates:  ${options.tls.clientCerts === 'require' ? 'required (mutual TLS; MQTT CN = client id)' : 'not requested'}\n`
        : '') +
      (options.acceptRate > 0 ? `  accept rate:          ${options.acceptRate} connections/s per listener\n` : '') +
      (options.maxClientBuffer > 0 ? `  max client buffer:    ${options.maxClientBuffer} bytes (slower clients are dropped)\n` : '') +
      (options.overload
        ? `  overload:             over ${options.overload.attemptsPerSec} attempts/s on a listener, ${options.overload.shedPercent}% of its clients shed each second\n`
        : ''),
  );
  const running = target;
  const timer = process.stdout.isTTY
    ? setInterval(() => process.stdout.write(`${statsLine(running.stats())}\n`), STATS_EVERY_MS)
    : undefined;

  await stopSignal;
  clearInterval(timer);
  await target.stop();
  process.stdout.write(`stopped | ${statsLine(target.stats())}\n`);
  return 0;
}
