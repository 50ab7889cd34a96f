// What a device, a host process and the embedded target cost, measured on the reference machine
// (2 cores, Node 20, loopback; see the README's benchmark figures), with a margin. The one place
// these figures live: the preflight, `fleetsim plan` and `fleetsim k8s` (pod resources) read them.
import type { DeviceGroup } from '../contract/scenario.ts';
import { isTlsUrl } from '../contract/scenario.ts';

/** Resident memory per device, KB, by how it connects. */
export const KB_PER_DEVICE = { mqtt: 8, 'mqtt.js': 20, 'mqtt-tls': 60, 'mqtt-mtls': 110, ws: 8, 'mqtt-ws': 8, 'mqtt.js-ws': 24 } as const;
export type CostKind = keyof typeof KB_PER_DEVICE;
/** Fixed resident memory of one device host process, MB. */
export const HOST_BASE_MB = 65;
/** The embedded target (aedes and the room server) per connection: measured 23 KB at 13k per process. */
export const TARGET_KB_PER_CONNECTION = 24;
export const TARGET_BASE_MB = 90;
/** Generator CPU, % of one core per 1,000 messages/s (sent and received) at the seed rates (bench: ~3%). */
export const CPU_PCT_PER_1K_MSGS = 3;
/** Messages/s of a device of the seed MQTT model: heartbeat every 15 s, status every 60 s, ping every 120 s. */
export const SEED_MSGS_PER_DEVICE = 1 / 15 + 1 / 60 + 1 / 120;

export const BYTES_PER_KB = 1024;
export const BYTES_PER_MB = 1048576;

export function costKind(g: Pick<DeviceGroup, 'protocol' | 'url' | 'mqtt' | 'tls'>): CostKind {
  if (g.protocol === 'ws') return 'ws';
  const mqttJs = g.mqtt.client === 'mqtt.js';
  if (/^(ws|wss):|^embedded:mqtt-w/.test(g.url)) return mqttJs ? 'mqtt.js-ws' : 'mqtt-ws';
  if (!isTlsUrl(g.url)) return mqttJs ? 'mqtt.js' : 'mqtt';
  return g.tls?.pki || g.tls?.cert?.includes('{') ? 'mqtt-mtls' : 'mqtt-tls';
}

/** The protocols `fleetsim plan --protocol` knows, as cost kinds. */
export const PLAN_PROTOCOLS = { mqtt: 'mqtt', 'mqtt-tls': 'mqtt-tls', 'mqtt-mtls': 'mqtt-mtls', ws: 'ws' } as const satisfies Record<string, CostKind>;
export type PlanProtocol = keyof typeof PLAN_PROTOCOLS;

/** Messages per second one device of a group sends (timers) and, for echo/broadcast and PINGs, gets back. */
export function msgsPerDevice(g: Pick<DeviceGroup, 'protocol' | 'timers'>): number {
  const rate = (t: { every: number } | null | undefined) => (t ? 1000 / t.every : 0);
  return rate(g.timers.heartbeat) + rate(g.timers.status) + rate(g.timers.ping);
}

/** Resident memory of `hosts` host processes holding `devices` of a cost kind. */
export function generatorBytes(devicesByKind: Partial<Record<CostKind, number>>, hosts: number): number {
  let bytes = hosts * HOST_BASE_MB * BYTES_PER_MB;
  for (const [kind, n] of Object.entries(devicesByKind)) bytes += (n ?? 0) * KB_PER_DEVICE[kind as CostKind] * BYTES_PER_KB;
  return bytes;
}

/** Resident memory of the embedded target (or a target built like it) holding `connections` over `processes`. */
export function targetBytes(connections: number, processes: number): number {
  return connections > 0 ? processes * TARGET_BASE_MB * BYTES_PER_MB + connections * TARGET_KB_PER_CONNECTION * BYTES_PER_KB : 0;
}

/**
 * Cores the generator needs to hold its devices at a message rate. Connect bursts (TLS handshakes
 * above all) cost more for a while and are not in this figure: give the limit headroom over it.
 */
export function generatorCores(msgsPerSec: number): number {
  return (msgsPerSec / 1000) * (CPU_PCT_PER_1K_MSGS / 100);
}
