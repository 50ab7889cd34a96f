// Built-in scenarios. Numbers come from FIELD-NOTES: case B's MQTT device model and case A's
// WebSocket rooms with broadcast. All point at the embedded target.
import type { ScenarioInput } from './scenario.ts';

const seedMqttGroup = {
  name: 'seed-mqtt',
  protocol: 'mqtt',
  url: 'embedded:mqtt',
  clientId: 'dev-{index}',
  mqtt: { version: '3.1.1', qos: 1, clean: true },
  // Business heartbeat 20 B / 15 s, status report 500 B / 60 s (ratio 8:2), PINGREQ / 120 s.
  timers: {
    heartbeat: { every: '15s', bytes: 20, topic: 'devices/{id}/heartbeat' },
    status: { every: '60s', bytes: 500, topic: 'devices/{id}/status' },
    ping: { every: '120s' },
  },
  reconnect: { policy: 'exponential', base: '1s', cap: '60s', jitter: 'full' },
} as const;

const seedWsGroup = {
  name: 'seed-ws-rooms',
  protocol: 'ws',
  url: 'embedded:ws',
  clientId: 'ws-{index}',
  // Rooms of 50: every status report is broadcast to the whole room.
  ws: { roomSize: 50, send: 'broadcast' },
  timers: {
    heartbeat: { every: '15s', bytes: 64 },
    status: { every: '60s', bytes: 500 },
    ping: { every: '30s' },
  },
  reconnect: { policy: 'exponential', base: '1s', cap: '60s', jitter: 'full' },
} as const;

/**
 * Case A's backpressure: room members broadcast 64 KB every 500 ms; one member of each room
 * stops reading. Once the kernel buffers on loopback are full (~4 MB per connection), the
 * target's own buffers for the slow readers climb without bound.
 */
const slowReaders: ScenarioInput = {
  name: 'slow-readers',
  duration: '40s',
  ramp: 200,
  groups: [
    {
      name: 'senders',
      protocol: 'ws',
      url: 'embedded:ws',
      count: 20,
      clientId: 'sender-{index}',
      ws: { roomSize: 5, send: 'broadcast' },
      timers: { heartbeat: 'off', status: { every: '500ms', bytes: 65_536 }, ping: { every: '30s' } },
    },
    {
      name: 'slow',
      protocol: 'ws',
      url: 'embedded:ws',
      count: 4,
      clientId: 'slow-{index}',
      // One slow reader in each sender room (room-0 … room-3); no pings, it reads nothing back.
      ws: { roomSize: 1, send: 'broadcast' },
      timers: { heartbeat: 'off', status: 'off', ping: 'off' },
      backpressure: { slowReader: { bytesPerSec: 0 } },
    },
  ],
};

/**
 * Case B's reconnect avalanche and its cure, side by side. The embedded target admits 100
 * connections/s per listener and, in any second with more than 300 attempts on a listener,
 * drops 25% of that listener's clients (a starved server's clients time out). Both groups
 * have the same seed device model; half of each is dropped at 20 s.
 *  - naive (MQTT over TCP): reconnects at once (fixed 0 s), no ramp: its retries overload the
 *    listener, which sheds the devices that did get in, which retry …: it never settles.
 *  - cured (MQTT over WebSocket, its own listener): exponential backoff with full jitter and a
 *    ramp of 80/s, below what the server admits: attempts stay under the limits and it recovers.
 */
const avalancheGroup = (name: string, url: string, count: number) => ({
  ...seedMqttGroup,
  name,
  url,
  count,
  clientId: `${name}-{index}`,
  mqtt: { version: '3.1.1' as const, qos: 0 as const, clean: true },
});
export const avalanche = (count: number): ScenarioInput => ({
  name: 'avalanche',
  duration: '60s',
  ramp: 0,
  embedded: { acceptRate: 100, overload: { attemptsPerSec: 300, shedPercent: 25 } },
  groups: [
    { ...avalancheGroup('naive', 'embedded:mqtt', count), reconnect: { policy: 'fixed', base: '0s', jitter: 'none' } },
    { ...avalancheGroup('cured', 'embedded:mqtt-ws', count), ramp: 80, reconnect: { policy: 'exponential', base: '1s', cap: '10s', jitter: 'full' } },
  ],
  storms: [{ at: '20s', action: 'drop', percent: 50, mode: 'destroy' }],
});

/**
 * Case B's fleet shape over mutual TLS against the embedded target (its TLS listeners serve the
 * default test PKI, created on first use): per-device certificates over TLS and over WSS, with
 * session resumption, next to three negative groups the target must refuse.
 */
const mtlsGroup = (name: string, url: string, count: number, tls: Record<string, unknown> = {}) => ({
  ...seedMqttGroup,
  name,
  url,
  count,
  clientId: `${name}-{index}`,
  tls: { sessionResumption: true, ...tls },
});
const mtls: ScenarioInput = {
  name: 'mtls',
  duration: '60s',
  ramp: 300,
  embedded: { tls: { clientCerts: 'require' } },
  groups: [
    mtlsGroup('mtls-tcp', 'embedded:mqtts', 800),
    mtlsGroup('mtls-wss', 'embedded:mqtt-wss', 200),
    { ...mtlsGroup('expired-cert', 'embedded:mqtts', 10, { negative: 'expired' }), reconnect: { policy: 'none' } },
    { ...mtlsGroup('unknown-ca', 'embedded:mqtts', 10, { negative: 'unknown-ca' }), reconnect: { policy: 'none' } },
    { ...mtlsGroup('wrong-cn', 'embedded:mqtts', 10, { negative: 'wrong-cn' }), reconnect: { policy: 'none' } },
  ],
};

export const PRESETS = {
  'seed-mqtt': { name: 'seed-mqtt', duration: '60s', ramp: 500, groups: [{ ...seedMqttGroup, count: 2000 }] },
  'seed-ws-rooms': { name: 'seed-ws-rooms', duration: '60s', ramp: 500, groups: [{ ...seedWsGroup, count: 1000 }] },
  avalanche: avalanche(1000),
  'slow-readers': slowReaders,
  mtls,
  /** The same with small per-client buffers: slow readers are dropped, the target stays flat. */
  'slow-readers-capped': { ...slowReaders, name: 'slow-readers-capped', embedded: { maxClientBuffer: 1_048_576 } },
  /** The default demo: 1,000 MQTT + 200 WebSocket devices for 30 s. */
  demo: {
    name: 'demo',
    duration: '30s',
    ramp: 400,
    groups: [
      { ...seedMqttGroup, name: 'mqtt-sensors', count: 1000 },
      { ...seedWsGroup, name: 'ws-rooms', count: 200, ws: { roomSize: 20, send: 'broadcast' } },
    ],
  },
} satisfies Record<string, ScenarioInput>;

export type PresetName = keyof typeof PRESETS;

export const PRESET_DESCRIPTIONS: Record<PresetName, string> = {
  'seed-mqtt': 'MQTT device model of a 700k-device mTLS fleet: 20 B/15 s, 500 B/60 s, PING/120 s, QoS 1',
  'seed-ws-rooms': 'WebSocket rooms of 50 with broadcast, as in a 1M-connection gateway test',
  demo: '1,000 MQTT + 200 WebSocket devices against the embedded target for 30 s',
  avalanche: 'a reconnect avalanche next to its cure: naive retries vs jittered backoff + ramp against an overloadable target',
  'slow-readers': 'room broadcast with one reader per room that stops reading: the target\'s buffers climb',
  'slow-readers-capped': 'the same with a 1 MB cap per client: slow readers are dropped, buffers stay flat',
  mtls: 'mutual TLS: 1,000 devices with per-device certificates (TLS and WSS) and three negative groups the target refuses',
};

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}
