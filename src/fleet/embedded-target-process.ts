// Runs the embedded target in its own process (so it never shares the generator's event loop)
// and points embedded:… URLs at it.
import { EMBEDDED_TLS_URLS } from '../contract/scenario.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { TargetCommand, TargetEvent, TargetFault, TargetOptions, TargetOverload, TargetPorts, TargetStats, TargetTls } from '../contract/target.ts';
import type { ChildHandle, Launcher } from './launcher.ts';
import type { TargetDrop } from '../contract/backpressure.ts';

export interface RunningTarget {
  ports: TargetPorts;
  pid: number | undefined;
  lastStats: TargetStats | null;
  /** The clients the target dropped (cap, overload) so far, by device id, oldest first. */
  readonly drops: readonly TargetDrop[];
  stop(): Promise<void>;
  onLost(handler: (reason: string) => void): void;
  /**
   * Has the target produce a fault; resolves with what it affected (clients kicked, sockets
   * paused, clients dropped by a restart). Rejects with the target's error text, after 15 s
   * without an answer, or when the target exits first.
   */
  fault(fault: TargetFault): Promise<{ affected: number }>;
  /** Changes the accept rate (new connections/s per listener, 0 = no limit) at once; throws on a bad value. */
  setAcceptRate(n: number): void;
  /**
   * Changes the backpressure cap (bytes buffered towards one client before it is dropped, 0 = no
   * cap) at once; throws on a bad value. Drops show in lastStats.droppedSlowClients.
   */
  setMaxClientBuffer(bytes: number): void;
}

const START_TIMEOUT_MS = 15_000;
const FAULT_TIMEOUT_MS = 15_000;

function checkAcceptRate(n: number): void {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new RangeError(`acceptRate: expected connections per second >= 0 (0 = no limit), got ${String(n)}`);
  }
}

function checkMaxClientBuffer(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
    throw new RangeError(`maxClientBuffer: expected bytes >= 0 (0 = no cap), got ${String(bytes)}`);
  }
}

function checkOverload(o: TargetOverload): void {
  const { attemptsPerSec, shedPercent } = (o ?? {}) as Partial<TargetOverload>;
  if (typeof attemptsPerSec !== 'number' || !Number.isFinite(attemptsPerSec) || attemptsPerSec <= 0) {
    throw new RangeError(`overload.attemptsPerSec: expected connection attempts per second > 0, got ${String(attemptsPerSec)}`);
  }
  if (typeof shedPercent !== 'number' || !Number.isFinite(shedPercent) || shedPercent < 0 || shedPercent > 100) {
    throw new RangeError(`overload.shedPercent: expected a percentage 0-100, got ${String(shedPercent)}`);
  }
}

function checkTls(tls: TargetTls): void {
  const { pki, clientCerts } = (tls ?? {}) as Partial<TargetTls>;
  if (typeof pki !== 'string' || pki === '') throw new RangeError(`tls.pki: expected a PKI directory, got ${JSON.stringify(pki)}`);
  if (clientCerts !== 'require' && clientCerts !== 'none') throw new RangeError(`tls.clientCerts: expected require or none, got ${JSON.stringify(clientCerts)}`);
}

interface PendingFault {
  resolve(result: { affected: number }): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export async function launchEmbeddedTarget(
  launcher: Launcher,
  host = '127.0.0.1',
  ports: TargetPorts = { mqtt: 0, mqttWs: 0, rooms: 0 },
  acceptRate?: number,
  /** TargetOptions.maxClientBuffer: bytes buffered towards one client before it is dropped (0 = no cap). */
  maxClientBuffer?: number,
  /** TargetOptions.overload: per-listener attempts/s over which shedPercent % of clients are closed each second. */
  overload?: TargetOverload,
  /** TargetOptions.tls: also serve MQTT/TLS, MQTT/WSS and WSS rooms with the PKI's certificates. */
  tls?: TargetTls,
): Promise<RunningTarget> {
  if (acceptRate !== undefined) checkAcceptRate(acceptRate);
  if (maxClientBuffer !== undefined) checkMaxClientBuffer(maxClientBuffer);
  if (overload !== undefined) checkOverload(overload);
  if (tls !== undefined) checkTls(tls);
  const child: ChildHandle<TargetCommand, TargetEvent> = launcher.launch('target', 'target');
  let stopping = false;
  let exited = false;
  const lostHandlers: Array<(reason: string) => void> = [];
  const exitWaiters: Array<() => void> = [];
  const pendingFaults = new Map<number, PendingFault>();
  let lastReqId = 0;
  const settleFault = (reqId: number): PendingFault | undefined => {
    const pending = pendingFaults.get(reqId);
    pendingFaults.delete(reqId);
    if (pending) clearTimeout(pending.timer);
    return pending;
  };
  const drops: TargetDrop[] = [];
  const target: RunningTarget = {
    ports,
    pid: child.pid,
    lastStats: null,
    drops,
    stop: async () => {
      if (exited) return;
      stopping = true;
      const gone = new Promise<void>((r) => exitWaiters.push(r));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
    onLost: (h) => lostHandlers.push(h),
    fault: (fault) =>
      new Promise((resolve, reject) => {
        if (exited) return reject(new Error('embedded target is not running'));
        const reqId = ++lastReqId;
        const timer = setTimeout(() => {
          settleFault(reqId);
          reject(new Error(`embedded target did not answer the ${fault.kind} fault within ${FAULT_TIMEOUT_MS / 1000} s`));
        }, FAULT_TIMEOUT_MS);
        pendingFaults.set(reqId, { resolve, reject, timer });
        child.send({ type: 'fault', reqId, fault });
      }),
    setAcceptRate: (n) => {
      checkAcceptRate(n);
      child.send({ type: 'set-accept-rate', acceptRate: n });
    },
    setMaxClientBuffer: (bytes) => {
      checkMaxClientBuffer(bytes);
      child.send({ type: 'set-max-client-buffer', bytes });
    },
  };
  const ready = new Promise<TargetPorts>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('embedded target did not start within 15 s')), START_TIMEOUT_MS);
    child.onMessage((m) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.ports);
      } else if (m.type === 'fatal') {
        clearTimeout(timer);
        reject(new Error(`embedded target: ${m.message}`));
      } else if (m.type === 'stats') {
        target.lastStats = m.stats;
        if (m.drops) drops.push(...m.drops);
      } else if (m.type === 'fault-done') {
        const pending = settleFault(m.reqId);
        if (m.error !== undefined) pending?.reject(new Error(m.error));
        else pending?.resolve({ affected: m.affected });
      }
    });
    child.onExit((code, signal) => {
      exited = true;
      clearTimeout(timer);
      reject(new Error(`embedded target exited during start (${signal ?? `code ${code}`})`));
      for (const reqId of [...pendingFaults.keys()]) {
        settleFault(reqId)?.reject(new Error(`embedded target exited before answering a fault (${signal ?? `code ${code}`})`));
      }
      for (const w of exitWaiters) w();
      if (!stopping) for (const h of lostHandlers) h(`embedded target exited (${signal ?? `code ${code}`})`);
    });
  });
  const options: TargetOptions = { host, ports };
  if (acceptRate !== undefined) options.acceptRate = acceptRate;
  if (maxClientBuffer !== undefined) options.maxClientBuffer = maxClientBuffer;
  if (overload !== undefined) options.overload = { attemptsPerSec: overload.attemptsPerSec, shedPercent: overload.shedPercent };
  if (tls !== undefined) options.tls = { pki: tls.pki, clientCerts: tls.clientCerts };
  child.send({ type: 'start', options });
  try {
    target.ports = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return target;
}

/** The addresses of one target's listeners, by the embedded:… URL that names each. */
function addressesOf(ports: TargetPorts, host: string): Record<string, string> {
  const urls: Record<string, string> = {
    'embedded:mqtt': `mqtt://${host}:${ports.mqtt}`,
    'embedded:mqtt-ws': `ws://${host}:${ports.mqttWs}/mqtt`,
    // Room clients name their device (the room protocol has no hello), so the target's drops can.
    'embedded:ws': `ws://${host}:${ports.rooms}/?device={id}`,
  };
  if (ports.mqtts !== undefined) {
    urls['embedded:mqtts'] = `mqtts://${host}:${ports.mqtts}`;
    urls['embedded:mqtt-wss'] = `wss://${host}:${ports.mqttWss}/mqtt`;
    urls['embedded:wss'] = `wss://${host}:${ports.roomsWss}/?device={id}`;
  }
  return urls;
}

/**
 * Replaces embedded:mqtt / embedded:mqtt-ws / embedded:ws (and the TLS ones, embedded:mqtts /
 * embedded:mqtt-wss / embedded:wss) with the running target's addresses. Throws when a TLS one
 * is used but the target has no TLS listeners.
 */
export function resolveEmbeddedUrls(scenario: Scenario, ports: TargetPorts, host = '127.0.0.1'): Scenario {
  return resolveShardedUrls(scenario, [ports], host);
}

/**
 * The same over a target sharded into processes: an embedded group's url becomes shard 0's
 * address and its urls the other shards' (devices spread over them as over any urls; an
 * embedded group's own urls can only repeat its url, so they are replaced).
 */
export function resolveShardedUrls(scenario: Scenario, shardPorts: readonly TargetPorts[], host = '127.0.0.1'): Scenario {
  const shards = shardPorts.map((ports) => addressesOf(ports, host));
  const groups = scenario.groups.map((g, i) => {
    if (!g.url.startsWith('embedded:')) return g;
    const addresses = shards.map((urls) => urls[g.url]);
    if (addresses[0] === undefined) {
      const detail = EMBEDDED_TLS_URLS.includes(g.url) ? 'but the embedded target was started without TLS' : 'which the embedded target does not serve';
      throw new Error(`group ${g.name ?? `group-${i}`} uses ${g.url}, ${detail}`);
    }
    const { urls: _own, ...rest } = g;
    return addresses.length > 1 ? { ...rest, url: addresses[0], urls: addresses.slice(1) } : { ...rest, url: addresses[0] };
  });
  return { ...scenario, groups };
}

export function usesEmbeddedTarget(scenario: Scenario): boolean {
  return scenario.target === 'embedded' && scenario.groups.some((g) => g.url.startsWith('embedded:'));
}
