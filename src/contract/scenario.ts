// The scenario: one run's target, device groups, ramp and duration. Validated with zod;
// the parsed form (durations in ms, defaults filled in) crosses every process boundary.
import { z } from 'zod';
import { expandSourceAddresses } from './addresses.ts';
import { DURATION_JSON_SCHEMA, parseDuration } from './duration.ts';
import { checkGroup, LIST_LIMITS, list, text, TEXT_LIMITS } from './scenario-checks.ts';
import { capacityBlockSchema } from './capacity-schema.ts';
import { adaptiveRampSchema } from './adaptive-ramp.ts';
import { scheduledStormSchema } from './storm.ts';
import { thresholdsSchema } from './thresholds.ts';
import { EMBEDDED_MQTT, EMBEDDED_TLS_URLS, EMBEDDED_WS, isTlsUrl } from './target-urls.ts';
import { embeddedTlsSchema, tlsOptionsSchema } from './tls-options.ts';

/** A duration written with a unit; parsed to milliseconds. */
const duration = (opts: { min?: number } = {}) =>
  z.unknown().meta(DURATION_JSON_SCHEMA).transform((value, ctx) => {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration like "15s" (units: ms, s, m, h)' });
      return z.NEVER;
    }
    if (opts.min !== undefined && ms < opts.min) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${opts.min} ms, got "${value as string}"` });
      return z.NEVER;
    }
    return ms;
  });

const template = (max: number) => text(max).min(1, 'must not be empty');

const timerShape = {
  every: duration({ min: 100 }),
  /** Payload size in bytes; a template shorter than this is padded up to it. */
  bytes: z.number().int().min(0).max(1024 * 1024).optional(),
  /** MQTT topic template ({id}, {index}, {group}). */
  topic: template(TEXT_LIMITS.topic).optional(),
  /** Payload template ({id}, {index}, {group}, {seq}, {ts}, {room}). */
  payload: text(TEXT_LIMITS.payload).optional(),
  /** Fraction of the interval used as the random first-fire phase (1 = anywhere in the interval). */
  jitter: z.number().min(0).max(1).default(1),
};
const messageTimer = z.strictObject(timerShape);
const pingTimer = z.strictObject({ every: duration({ min: 1000 }), jitter: timerShape.jitter });

/** A timer is either its settings or the word "off". */
const orOff = <T extends z.ZodType>(timer: T) =>
  z.preprocess((v) => (v === 'off' ? null : v), timer.nullable().optional());

export const reconnectSchema = z.strictObject({
  policy: z.enum(['none', 'fixed', 'exponential']).default('exponential'),
  /** fixed: the delay; exponential: the first delay, doubled per attempt up to cap. */
  base: duration().default(1000),
  cap: duration().default(60_000),
  /** full: each delay is uniformly random in [0, delay] (AWS "full jitter"). */
  jitter: z.enum(['full', 'none']).default('full'),
  /** Attempts after a drop before the device gives up; 0 = never give up. */
  maxAttempts: z.number().int().min(0).default(0),
});

const mqttOptions = z.strictObject({
  version: z.union([z.literal('3.1.1'), z.literal('5'), z.literal(4), z.literal(5)], { error: 'expected "3.1.1" or 5' })
    .default('3.1.1')
    .transform((v) => (v === '5' || v === 5 ? 5 : 4) as 4 | 5),
  clean: z.boolean().default(true),
  qos: z.union([z.literal(0), z.literal(1)], { error: 'expected 0 or 1' }).default(0),
  username: text(TEXT_LIMITS.credential).optional(),
  password: text(TEXT_LIMITS.credential).optional(),
  /** Topic templates to subscribe to after CONNACK. */
  subscribe: list(template(TEXT_LIMITS.topic), LIST_LIMITS.subscribe).default([]),
  connectTimeout: duration({ min: 100 }).default(30_000),
  /**
   * The MQTT client each device runs. `lean`: Fleetsim's own client on mqtt-packet, a few KB per
   * device, for big fleets. `mqtt.js`: the MQTT.js client (about 14 KB per device), for comparing
   * with what applications built on it do.
   */
  client: z.enum(['lean', 'mqtt.js']).default('lean'),
});

const wsOptions = z.strictObject({
  subprotocol: text(TEXT_LIMITS.subprotocol).optional(),
  headers: z.record(z.string(), text(TEXT_LIMITS.headerValue)).default({}),
  /** Sent once after the socket opens; {room} is the device's room. */
  join: text(TEXT_LIMITS.join).optional(),
  /** Devices per room: room = floor(index / roomSize). */
  roomSize: z.number().int().min(1).default(50),
  /**
   * What timer messages ask of the server: `echo` (sent back to the sender), `broadcast`
   * (to every member of the sender's room), `raw` (the payload as is, no envelope).
   */
  send: z.enum(['echo', 'broadcast', 'raw']).default('echo'),
  handshakeTimeout: duration({ min: 100 }).default(30_000),
});


/** One address, a list, or ranges: "127.0.0.1-127.0.0.16". Devices take them round-robin. */
const sourceAddresses = z
  .union([text(TEXT_LIMITS.sourceAddress), list(text(TEXT_LIMITS.sourceAddress), LIST_LIMITS.sourceAddressEntries)], { error: 'expected an IP address, a range like "127.0.0.1-127.0.0.16", or a list of them' })
  .transform((v, ctx) => {
    const expanded = expandSourceAddresses(Array.isArray(v) ? v : [v]);
    if (typeof expanded === 'string') {
      ctx.addIssue({ code: 'custom', message: expanded });
      return z.NEVER;
    }
    return expanded;
  });

/**
 * Device-side backpressure: devices that read slowly, wait for acknowledgements, or send in
 * bursts, so the target (and the network in between) has to hold data for them.
 */
const backpressureOptions = z.strictObject({
  /** Once online, read at most `bytesPerSec` from the socket; 0 stops reading entirely. */
  slowReader: z
    .strictObject({
      bytesPerSec: z.number({ error: 'expected bytes per second, a number (0 stops reading)' }).min(0, 'must be 0 (stop reading) or more'),
    })
    .optional(),
  /**
   * MQTT QoS 1 window: at most this many PUBLISHes awaiting PUBACK per device. A timer fire that
   * would exceed it is not sent (counted as held back): a device that cannot get acks must not
   * pile up more unacknowledged messages, in its own memory or in the broker's.
   */
  inflight: z
    .number({ error: 'expected a whole number of messages' })
    .int('expected a whole number of messages')
    .min(1, 'must be at least 1')
    .max(65_535, 'must be at most 65535 (MQTT has 65535 packet ids)')
    .optional(),
  /** Messages published at once by every heartbeat/status timer fire (default 1). */
  burst: z
    .number({ error: 'expected a whole number of messages per timer fire' })
    .int('expected a whole number of messages per timer fire')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .optional(),
});

export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
const MIN_MESSAGE_BYTES = 1024;
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** Room a message's own payload leaves for what comes back around it: envelope, topic, headers. */
const ENVELOPE_BYTES = 4096;

const MQTT_URL = /^(mqtt|mqtts|tcp|ssl|ws|wss):\/\/[^/\s]+/;
const WS_URL = /^(ws|wss):\/\/[^/\s]+/;
export { EMBEDDED_TLS_URLS, EMBEDDED_URLS, isTlsUrl } from './target-urls.ts';

/** "mqtt" of "mqtt://host:1883", "embedded:mqtt" of itself. */
const schemeOf = (url: string) => (url.startsWith('embedded:') ? url : url.split(':', 1)[0]);

export const groupSchema = z
  .strictObject({
    name: text(TEXT_LIMITS.name).regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, "_", "." or "-"').optional(),
    protocol: z.enum(['mqtt', 'ws']),
    url: text(TEXT_LIMITS.url),
    /**
     * More targets of the same kind (several broker ports or processes): devices are spread over
     * url and these, by index (WebSocket devices by room, so a room stays on one server).
     */
    urls: list(text(TEXT_LIMITS.url), LIST_LIMITS.urls).optional(),
    count: z.number().int().min(1).max(5_000_000),
    clientId: template(TEXT_LIMITS.clientId).default('dev-{index}'),
    mqtt: mqttOptions.default(() => mqttOptions.parse({})),
    ws: wsOptions.default(() => wsOptions.parse({})),
    tls: tlsOptionsSchema.optional(),
    sourceAddresses: sourceAddresses.optional(),
    /**
     * This group's own connect rate (connects/s across all hosts, first connects and reconnects),
     * instead of a share of the fleet's ramp; 0 = unlimited.
     */
    ramp: z.number().min(0, 'must be 0 (unlimited) or more').optional(),
    timers: z
      .strictObject({
        heartbeat: orOff(messageTimer),
        status: orOff(messageTimer),
        ping: orOff(pingTimer),
      })
      .default({}),
    reconnect: reconnectSchema.default(() => reconnectSchema.parse({})),
    backpressure: backpressureOptions.optional(),
    /**
     * The largest message a device accepts from its target (a WebSocket message, all fragments
     * together, or a whole MQTT packet): a larger one, even only declared, ends the connection
     * with reason frame-too-large, so a buggy server cannot make a host buffer without end.
     */
    maxMessageBytes: z
      .number({ error: 'expected a number of bytes' })
      .int('expected a whole number of bytes')
      .min(MIN_MESSAGE_BYTES, `must be at least ${MIN_MESSAGE_BYTES}`)
      .max(MAX_MESSAGE_BYTES, `must be at most ${MAX_MESSAGE_BYTES} (256 MiB)`)
      .default(DEFAULT_MAX_MESSAGE_BYTES),
  })
  // Only on a group whose every field parsed: a field that failed may still hold its raw input.
  .superRefine((g, ctx) => checkGroup(g, MQTT_URL.test(g.url) || WS_URL.test(g.url), ctx), { when: (payload) => payload.issues.length === 0 })
  .superRefine((g, ctx) => {
    const ok =
      g.protocol === 'mqtt'
        ? MQTT_URL.test(g.url) || EMBEDDED_MQTT.includes(g.url)
        : WS_URL.test(g.url) || EMBEDDED_WS.includes(g.url);
    if (!ok) {
      const expected =
        g.protocol === 'mqtt'
          ? 'mqtt://, mqtts://, ws://, wss:// or embedded:mqtt / embedded:mqtt-ws / embedded:mqtts / embedded:mqtt-wss'
          : 'ws://, wss:// or embedded:ws / embedded:wss';
      ctx.addIssue({ code: 'custom', path: ['url'], message: `expected ${expected} for protocol ${g.protocol}, got "${g.url}"` });
    }
    for (const [i, extra] of (g.urls ?? []).entries()) {
      if (ok && schemeOf(extra) !== schemeOf(g.url)) {
        ctx.addIssue({ code: 'custom', path: ['urls', i], message: `expected a ${schemeOf(g.url)}: URL like url ("${g.url}"), got "${extra}"` });
      }
    }
    if (g.protocol === 'mqtt' && g.mqtt.version === 5 && g.url.startsWith('embedded:')) {
      ctx.addIssue({ code: 'custom', path: ['mqtt', 'version'], message: 'the embedded broker speaks MQTT 3.1.1 only; use "3.1.1" or an external broker' });
    }
    if (g.tls?.negative && !g.tls.pki && !EMBEDDED_TLS_URLS.includes(g.url)) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'negative'], message: 'needs tls.pki (negative certificates are issued from a test PKI) or an embedded TLS url' });
    }
    if (g.tls && ok && !isTlsUrl(g.url)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: `needs a TLS url (mqtts://, wss://, embedded:mqtts, embedded:mqtt-wss, embedded:wss), got "${g.url}"` });
    }
    for (const kind of ['heartbeat', 'status'] as const) {
      const bytes = g.timers[kind]?.bytes;
      if (bytes !== undefined && bytes + ENVELOPE_BYTES > g.maxMessageBytes) {
        const message = `must be at least ${bytes + ENVELOPE_BYTES} (timers.${kind}.bytes plus ${ENVELOPE_BYTES} for envelope and topic): echoes and subscriptions bring these messages back`;
        ctx.addIssue({ code: 'custom', path: ['maxMessageBytes'], message });
      }
    }
    if (g.reconnect.cap < g.reconnect.base) {
      ctx.addIssue({ code: 'custom', path: ['reconnect', 'cap'], message: 'must be at least reconnect.base' });
    }
    if (g.protocol === 'mqtt' && g.timers.ping && g.timers.ping.every > 65_535_000) {
      ctx.addIssue({ code: 'custom', path: ['timers', 'ping', 'every'], message: 'MQTT keepalive is at most 65535s' });
    }
    if (g.backpressure?.inflight !== undefined && (g.protocol !== 'mqtt' || g.mqtt.qos !== 1)) {
      const message =
        g.protocol !== 'mqtt'
          ? 'needs protocol mqtt (it limits unacknowledged QoS 1 PUBLISHes)'
          : 'needs mqtt.qos: 1 (QoS 0 PUBLISHes are never acknowledged)';
      ctx.addIssue({ code: 'custom', path: ['backpressure', 'inflight'], message });
    }
  });

export const scenarioSchema = z
  .strictObject({
    name: text(TEXT_LIMITS.name).regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, "_", "." or "-"').default('run'),
    /** `embedded` starts Fleetsim's own broker and room server; groups reach it through embedded:… URLs. */
    target: z.enum(['embedded', 'external']).default('embedded'),
    duration: duration({ min: 1000 }).default(30_000),
    /** New connections per second across all hosts (first connects and reconnects); 0 = unlimited. */
    ramp: z.union([z.number().min(0), z.literal('adaptive')], { error: 'expected connects/s (0 = unlimited) or "adaptive"' }).default(500),
    /** Settings of ramp: adaptive (see adaptive-ramp.ts). */
    adaptive: adaptiveRampSchema.optional(),
    /** While a generator host is saturated, admit no new devices (reconnects still go on). */
    pauseOnSaturation: z.boolean().default(true),
    hosts: z.union([z.literal('auto'), z.number().int().min(1).max(256)], { error: 'expected "auto" or a whole number from 1 to 256' }).default('auto'),
    /** Events kept per device for its log (a host keeps at most 250k in all: see device-log-ring.ts). */
    logRing: z.number().int().min(0).max(10_000).default(200),
    groups: list(groupSchema, LIST_LIMITS.groups).min(1, 'needs at least one device group'),
    /** Settings of `fleetsim capacity` (step, hold, until, criteria); its flags win. Ignored by `run`. */
    capacity: capacityBlockSchema.optional(),
    /** Options of the embedded target (with target: embedded). */
    embedded: z
      .strictObject({
        /**
         * Processes the embedded target runs as: auto sizes by the open-file limit (one process until
         * its connections exceed what one may open); a number forces that many. acceptRate and
         * overload apply per process; MQTT subscriptions do not cross processes.
         */
        shards: z.union([z.literal('auto'), z.number().int().min(1).max(64)], { error: 'expected "auto" or a whole number from 1 to 64' }).optional(),
        /** New connections accepted per second on each listener; 0 = no limit (admission control). */
        acceptRate: z.number().min(0, 'must be 0 (no limit) or more').optional(),
        /** Bytes the target may hold for one client before dropping it (like small proxy buffers); 0 = no cap. */
        maxClientBuffer: z.number().int().min(0, 'must be 0 (no cap) or more').optional(),
        /**
         * Overload model, per listener: in a second with more connection attempts than
         * attemptsPerSec, the target drops shedPercent of its established clients (as a starved
         * server's clients time out) — what turns a reconnect storm into an avalanche.
         */
        overload: z
          .strictObject({
            attemptsPerSec: z.number().positive('must be more than 0'),
            shedPercent: z.number().min(0, 'must be 0 to 100').max(100, 'must be 0 to 100'),
          })
          .optional(),
        /** TLS listeners (embedded:mqtts, embedded:mqtt-wss, embedded:wss): served from a test PKI. */
        tls: embeddedTlsSchema.optional(),
      })
      .default({}),
    /** Faults to start on purpose, at a time after the run started. */
    storms: list(scheduledStormSchema, LIST_LIMITS.storms).default([]),
    /** Pass/fail checks over the run ("puback.p99 < 200ms"): a broken one makes `fleetsim run` exit 99. */
    thresholds: thresholdsSchema.default([]),
  })
  .superRefine((s, ctx) => {
    if (s.adaptive && s.ramp !== 'adaptive') ctx.addIssue({ code: 'custom', path: ['adaptive'], message: 'needs ramp: adaptive' });
    const names = s.groups.map((g, i) => g.name ?? `group-${i}`);
    s.storms.forEach((storm, i) => {
      if ('group' in storm && storm.group !== undefined && !names.includes(storm.group)) {
        ctx.addIssue({ code: 'custom', path: ['storms', i, 'group'], message: `no group named "${storm.group}" (groups: ${names.join(', ')})` });
      }
      if (storm.action.startsWith('target-') && s.target !== 'embedded') {
        ctx.addIssue({ code: 'custom', path: ['storms', i, 'action'], message: `${storm.action} needs target: embedded` });
      }
      if (storm.at >= s.duration) ctx.addIssue({ code: 'custom', path: ['storms', i, 'at'], message: 'is after the end of the run' });
    });
    const seen = new Set<string>();
    s.groups.forEach((g, i) => {
      const name = g.name ?? `group-${i}`;
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'name'], message: `duplicate group name "${name}"` });
      seen.add(name);
      if (s.target === 'external' && g.url.startsWith('embedded:')) {
        ctx.addIssue({ code: 'custom', path: ['groups', i, 'url'], message: `${g.url} needs target: embedded` });
      }
    });
  })
  .transform((s) => ({
    ...s,
    // ramp: adaptive starts at adaptive.start; `adaptive` (null for a fixed ramp) drives it from there.
    ramp: s.ramp === 'adaptive' ? (s.adaptive ?? adaptiveRampSchema.parse({})).start : s.ramp,
    adaptive: s.ramp === 'adaptive' ? (s.adaptive ?? adaptiveRampSchema.parse({})) : null,
    groups: s.groups.map((g, i) => resolveGroupDefaults(g, i)),
  }));

type ParsedGroup = z.output<typeof groupSchema>;

export interface MessageTimer {
  every: number;
  bytes: number;
  topic: string;
  payload?: string;
  jitter: number;
}
export interface PingTimer {
  every: number;
  jitter: number;
}
export interface GroupTimers {
  heartbeat: MessageTimer | null;
  status: MessageTimer | null;
  ping: PingTimer | null;
}

/** Timer defaults are the seed device model (FIELD-NOTES case B): 20 B / 15 s, 500 B / 60 s, PING / 120 s. */
function resolveGroupDefaults(g: ParsedGroup, i: number) {
  const msg = (t: ParsedGroup['timers']['heartbeat'], every: number, bytes: number, topic: string): MessageTimer | null => {
    if (t === null) return null;
    if (t === undefined) return { every, bytes, topic, jitter: 1 };
    return { every: t.every, bytes: t.bytes ?? bytes, topic: t.topic ?? topic, payload: t.payload, jitter: t.jitter };
  };
  const ping = g.timers.ping;
  return {
    ...g,
    name: g.name ?? `group-${i}`,
    timers: {
      heartbeat: msg(g.timers.heartbeat, 15_000, 20, 'devices/{id}/heartbeat'),
      status: msg(g.timers.status, 60_000, 500, 'devices/{id}/status'),
      ping: ping === null ? null : (ping ?? { every: g.protocol === 'mqtt' ? 120_000 : 30_000, jitter: 1 }),
    } satisfies GroupTimers,
  };
}

/** What a scenario file may contain (durations as strings). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario: durations in ms, defaults filled in. */
export type Scenario = z.output<typeof scenarioSchema>;
export type DeviceGroup = Scenario['groups'][number];
export type Protocol = DeviceGroup['protocol'];
export type ReconnectPolicy = DeviceGroup['reconnect'];
