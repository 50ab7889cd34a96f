// The embedded target: the MQTT broker and the room server started and stopped as one unit,
// so the simulated fleet has something to connect to without any external infrastructure.
// It also produces the faults a fleet is tested against (kick, pause-reading, restart), can
// limit how fast it accepts connections (admission control), reports backpressure (bytes held
// for slow readers) and can cap it by dropping clients that fall too far behind, and can model
// overload: a listener swamped by connection attempts sheds some of its established clients.
// With TargetOptions.tls it also serves MQTT over TLS, MQTT over WSS and WSS rooms, to the same
// broker and rooms, under the same knobs (each TLS listener has its own admission).
import type { TargetFault, TargetOptions, TargetPorts, TargetStats } from '../contract/target.ts';
import { AcceptRate, checkAcceptRate } from './admission.ts';
import type { TargetDrop } from '../contract/backpressure.ts';
import { BufferCap } from './backpressure.ts';
import { DropLog } from './drop-log.ts';
import type { BufferSample } from './backpressure.ts';
import { pauseReading, resumeReading } from './connections.ts';
import type { ClientConnection } from './connections.ts';
import type { BusyPortRetry } from './listen.ts';
import { startMqttBroker } from './mqtt-broker.ts';
import { AttemptCounter, checkOverload } from './overload.ts';
import type { MqttBroker } from './mqtt-broker.ts';
import { startRoomServer } from './room-server.ts';
import type { RoomServer } from './room-server.ts';
import { loadTlsConfig } from './tls-config.ts';
import type { TlsConfig } from './tls-config.ts';
import { startTlsListeners } from './tls-listeners.ts';
import type { TlsListeners } from './tls-listeners.ts';

export interface EmbeddedTarget {
  /** The ports actually bound (a requested 0 is replaced by the port picked); a restart keeps them. */
  readonly ports: TargetPorts;
  stats(): TargetStats;
  /** The clients dropped (cap, overload) since the last call, by device id. */
  takeDrops(): TargetDrop[];
  /**
   * Produces a fault and resolves with what it affected: clients kicked, sockets paused (at
   * once; reading resumes by itself after `ms`), clients dropped by a restart. Faults run one
   * at a time. Rejects on bad parameters, once stopped, and when a restart cannot listen on
   * its ports again (then `failure` is set and nothing is served any more).
   */
  fault(fault: TargetFault): Promise<{ affected: number }>;
  /** Changes the accept rate (connections/s per listener, 0 = no limit) at once; throws on a bad value. */
  setAcceptRate(rate: number): void;
  /**
   * Changes the backpressure cap (bytes buffered towards one client, 0 = no cap) at once: clients
   * already over it are dropped now. Throws on a bad value.
   */
  setMaxClientBuffer(bytes: number): void;
  /** Set once a restart could not listen again: the target serves nothing and should be stopped. */
  readonly failure: Error | undefined;
  /** Closes every client connection and listener; safe to call more than once. */
  stop(): Promise<void>;
}

/** The longest pause-reading accepted: 10 minutes. */
export const MAX_PAUSE_MS = 600_000;
/** A restart's ports can be briefly unavailable: each is tried for about a second. */
const RESTART_BIND_RETRY: BusyPortRetry = { attempts: 10, delayMs: 100 };
/** How often the broker's keepalive deadlines are pushed back during a pause (aedes' shortest is 1.5 s). */
const HOLD_KEEPALIVE_EVERY_MS = 500;
/** How often the cap is enforced over every client (the servers also check it as they write). */
export const BUFFER_SAMPLE_EVERY_MS = 250;
/** The overload model's window: attempts are counted, and overload judged, per second. */
export const OVERLOAD_WINDOW_MS = 1000;

interface Servers {
  broker: MqttBroker;
  rooms: RoomServer;
  tls?: TlsListeners;
}

/** A listener, by its port's name. */
type Listener = keyof TargetPorts;
const PLAIN_LISTENERS: Listener[] = ['mqtt', 'mqttWs', 'rooms'];
const TLS_LISTENERS: Listener[] = ['mqtts', 'mqttWss', 'roomsWss'];

/** One listener's admission: its accept-rate bucket and its attempts in the current overload window. */
interface ListenerGate {
  acceptRate: AcceptRate;
  attempts: AttemptCounter;
}

/** The established connections of each listener (the overload model sheds per listener). */
const CONNECTIONS_ON: Record<Listener, (s: Servers) => Iterable<ClientConnection>> = {
  mqtt: (s) => s.broker.connections('tcp'),
  mqttWs: (s) => s.broker.connections('ws'),
  rooms: (s) => s.rooms.connections('ws'),
  mqtts: (s) => s.broker.connections('tls'),
  mqttWss: (s) => s.broker.connections('wss'),
  roomsWss: (s) => s.rooms.connections('wss'),
};

async function startServers(
  host: string,
  ports: TargetPorts,
  gates: Map<Listener, ListenerGate>,
  bufferCap: BufferCap,
  tls: TlsConfig | undefined,
  busyPortRetry?: BusyPortRetry,
): Promise<Servers> {
  const gate = { tcp: gates.get('mqtt'), ws: gates.get('mqttWs') };
  const checkClientCertificates = tls?.requireClientCerts ?? false;
  const broker = await startMqttBroker({ host, tcpPort: ports.mqtt, wsPort: ports.mqttWs, gates: gate, bufferCap, busyPortRetry, checkClientCertificates });
  let rooms: RoomServer | undefined;
  try {
    rooms = await startRoomServer({ host, port: ports.rooms, gate: gates.get('rooms'), bufferCap, busyPortRetry });
    if (!tls) return { broker, rooms };
    const tlsPorts = { mqtts: ports.mqtts ?? 0, mqttWss: ports.mqttWss ?? 0, roomsWss: ports.roomsWss ?? 0 };
    const tlsGates = { mqtts: gates.get('mqtts'), mqttWss: gates.get('mqttWss'), roomsWss: gates.get('roomsWss') };
    const listeners = await startTlsListeners({ host, ports: tlsPorts, config: tls, broker, rooms, gates: tlsGates, busyPortRetry });
    return { broker, rooms, tls: listeners };
  } catch (err) {
    await Promise.all([broker.stop(), rooms?.stop()]); // leave nothing listening when start fails half way
    throw err;
  }
}

const portsOf = (s: Servers): TargetPorts => ({ mqtt: s.broker.tcpPort, mqttWs: s.broker.wsPort, rooms: s.rooms.port, ...s.tls?.ports });

function connectionsOf(servers: Servers): ClientConnection[] {
  return [...servers.broker.connections(), ...servers.rooms.connections()];
}

const clientsOf = (servers: Servers): ClientConnection[] => connectionsOf(servers).filter((c) => c.isClient());

/** n distinct items chosen uniformly at random (a partial Fisher-Yates shuffle, in place). */
function pickRandom<T>(items: T[], n: number): T[] {
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (items.length - i));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items.slice(0, n);
}

const isNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** Throws a message naming the fault when its parameters are out of range (they may come over IPC). */
function checkFault(fault: TargetFault): void {
  switch (fault?.kind) {
    case 'kick':
      if (!isNumber(fault.percent) || fault.percent < 0 || fault.percent > 100) {
        throw new RangeError(`kick: percent must be 0-100, got ${String(fault.percent)}`);
      }
      return;
    case 'pause-reading':
      if (!isNumber(fault.ms) || fault.ms < 0 || fault.ms > MAX_PAUSE_MS) {
        throw new RangeError(`pause-reading: ms must be 0-${MAX_PAUSE_MS}, got ${String(fault.ms)}`);
      }
      return;
    case 'restart':
      return;
    default:
      throw new Error(`unknown fault ${JSON.stringify((fault as { kind?: unknown } | undefined)?.kind)}`);
  }
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function startEmbeddedTarget(options: TargetOptions): Promise<EmbeddedTarget> {
  const { host } = options;
  const rate = options.acceptRate ?? 0;
  checkAcceptRate(rate);
  const overload = options.overload;
  if (overload !== undefined) checkOverload(overload);
  const overloadStats = { shed: 0, seconds: 0 };
  // One bucket per listener; they outlive restarts (a reconnect storm after one meets the limit).
  const listeners = options.tls ? [...PLAIN_LISTENERS, ...TLS_LISTENERS] : PLAIN_LISTENERS;
  const gates = new Map(listeners.map((l): [Listener, ListenerGate] => [l, { acceptRate: new AcceptRate(rate), attempts: new AttemptCounter() }]));
  // Like the limits, the cap outlives restarts (droppedSlowClients counts since start).
  const drops = new DropLog();
  const bufferCap = new BufferCap(options.maxClientBuffer ?? 0, options.slowClientBytes, drops);
  // The PKI is read once; a restart serves the same certificates.
  const tls = options.tls ? await loadTlsConfig(options.tls) : undefined;
  let servers: Servers | undefined = await startServers(host, options.ports, gates, bufferCap, tls);
  const ports: TargetPorts = portsOf(servers);
  // Counters of servers a restart (or stop) replaced, so stats stay "since start".
  const earlier = { mqttPublishesIn: 0, roomFramesIn: 0, roomFramesOut: 0 };
  let failure: Error | undefined;
  let stopping: Promise<void> | undefined;

  // Faults and stop run one after another: a kick or stop during a restart waits for it.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => T | Promise<T>): Promise<T> => {
    const run = queue.then(op);
    queue = run.catch(() => {});
    return run;
  };

  const running = (): Servers => {
    if (stopping) throw new Error('the target is stopped');
    if (!servers) throw failure ?? new Error('the target is not running');
    return servers;
  };

  /** Reading pauses in progress, each ended by its timer, or by stop and restart. */
  const pauses = new Set<() => void>();

  const pauseReadingFor = (s: Servers, ms: number): number => {
    const paused = connectionsOf(s).filter((c) => pauseReading(c.socket));
    const held = paused.filter((c) => c.holdKeepalive);
    const holdKeepalives = (): void => {
      for (const c of held) c.holdKeepalive?.();
    };
    holdKeepalives();
    const holder = held.length > 0 ? setInterval(holdKeepalives, HOLD_KEEPALIVE_EVERY_MS) : undefined;
    const end = (): void => {
      if (!pauses.delete(end)) return;
      clearTimeout(timer);
      clearInterval(holder);
      holdKeepalives(); // the broker's keepalive counts again from the end of the stall
      for (const c of paused) resumeReading(c.socket);
    };
    const timer = setTimeout(end, ms);
    pauses.add(end);
    return paused.length;
  };

  /**
   * The overload model's one timer: at the end of each second, every listener that saw more
   * attempts than attemptsPerSec sheds shedPercent of its established clients. Runs while
   * servers do (cleared by stop and restart, started again after a restart with fresh windows).
   */
  let overloadTimer: NodeJS.Timeout | undefined;
  const endOverloadWindow = (): void => {
    const s = servers;
    if (!overload || !s || stopping) return;
    let overloaded = false;
    for (const [listener, gate] of gates) {
      if (gate.attempts.endWindow() <= overload.attemptsPerSec) continue;
      overloaded = true;
      const clients = [...CONNECTIONS_ON[listener](s)].filter((c) => c.isClient());
      const shed = pickRandom(clients, Math.round((clients.length * overload.shedPercent) / 100));
      for (const c of shed) {
        drops.record(c.deviceId(), 'overload');
        c.kick(); // the kick fault's path: MQTT client.close(), rooms terminate()
      }
      overloadStats.shed += shed.length;
    }
    if (overloaded) overloadStats.seconds++;
  };
  const startOverloadTimer = (): void => {
    if (!overload) return;
    for (const gate of gates.values()) gate.attempts.endWindow();
    overloadTimer = setInterval(endOverloadWindow, OVERLOAD_WINDOW_MS);
    overloadTimer.unref(); // the listeners keep the process alive, not this
  };
  const stopOverloadTimer = (): void => {
    clearInterval(overloadTimer);
    overloadTimer = undefined;
  };
  startOverloadTimer();

  const stopServers = async (): Promise<void> => {
    const s = servers;
    if (!s) return;
    stopOverloadTimer();
    await Promise.all([s.tls?.stop(), s.broker.stop(), s.rooms.stop()]);
    const broker = s.broker.stats();
    const rooms = s.rooms.stats();
    earlier.mqttPublishesIn += broker.mqttPublishesIn;
    earlier.roomFramesIn += rooms.roomFramesIn;
    earlier.roomFramesOut += rooms.roomFramesOut;
    servers = undefined;
    for (const end of [...pauses]) end(); // their sockets are gone; this clears the timers
  };

  const fault = async (f: TargetFault): Promise<{ affected: number }> => {
    const s = running();
    switch (f.kind) {
      case 'kick': {
        const clients = clientsOf(s);
        const kicked = pickRandom(clients, Math.round((clients.length * f.percent) / 100));
        for (const c of kicked) c.kick();
        return { affected: kicked.length };
      }
      case 'pause-reading':
        return { affected: pauseReadingFor(s, f.ms) };
      case 'restart': {
        const affected = clientsOf(s).length;
        await stopServers();
        try {
          servers = await startServers(host, ports, gates, bufferCap, tls, RESTART_BIND_RETRY);
          startOverloadTimer();
        } catch (err) {
          failure = new Error(`restart failed: ${messageOf(err)}`);
          throw failure;
        }
        return { affected };
      }
    }
  };

  const NO_BUFFERS: BufferSample = { bufferedBytes: 0, maxClientBufferedBytes: 0, slowClients: 0 };
  /**
   * Sums the buffered bytes; `enforce` also drops the clients over the cap. The sampler enforces
   * every BUFFER_SAMPLE_EVERY_MS; stats() only looks, so it reports what is really held (the
   * servers' own checks on send keep that near the cap).
   */
  const sampleBuffers = (enforce: boolean): BufferSample =>
    servers && !stopping ? bufferCap.sample(connectionsOf(servers), enforce) : NO_BUFFERS;
  // Without a cap there is nothing to enforce, and stats() samples for itself: no work at all.
  const sampler = setInterval(() => bufferCap.bytes > 0 && sampleBuffers(true), BUFFER_SAMPLE_EVERY_MS);
  sampler.unref(); // the listeners keep the process alive, not this

  return {
    ports,
    get failure() {
      return failure;
    },
    stats: () => {
      const broker = servers?.broker.stats() ?? { mqttClients: 0, mqttPublishesIn: 0 };
      const rooms = servers?.rooms.stats() ?? { wsClients: 0, rooms: 0, roomFramesIn: 0, roomFramesOut: 0 };
      const buffers = sampleBuffers(false);
      return {
        mqttClients: broker.mqttClients,
        wsClients: rooms.wsClients,
        rooms: rooms.rooms,
        refusedByRate: [...gates.values()].reduce((n, gate) => n + gate.acceptRate.refused, 0),
        mqttPublishesIn: earlier.mqttPublishesIn + broker.mqttPublishesIn,
        roomFramesIn: earlier.roomFramesIn + rooms.roomFramesIn,
        roomFramesOut: earlier.roomFramesOut + rooms.roomFramesOut,
        bufferedBytes: buffers.bufferedBytes,
        maxClientBufferedBytes: buffers.maxClientBufferedBytes,
        slowClients: buffers.slowClients,
        droppedSlowClients: bufferCap.dropped,
        shedByOverload: overloadStats.shed,
        overloadedSeconds: overloadStats.seconds,
      };
    },
    takeDrops: () => drops.take(),
    fault: (f) => {
      try {
        checkFault(f);
      } catch (err) {
        return Promise.reject(err);
      }
      return serial(() => fault(f));
    },
    setAcceptRate: (n) => {
      checkAcceptRate(n);
      for (const gate of gates.values()) gate.acceptRate.set(n);
    },
    setMaxClientBuffer: (bytes) => {
      bufferCap.set(bytes);
      sampleBuffers(true);
    },
    stop: () => {
      clearInterval(sampler);
      stopOverloadTimer();
      return (stopping ??= serial(stopServers));
    },
  };
}
