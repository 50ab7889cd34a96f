// The scenario editor's model: which fields the form shows (so each validation problem can be
// put next to its field), turning a running Scenario back into an editable draft, and building
// the timers a live "Apply" sends. Pure; no DOM, no React.
import { EMBEDDED_TLS_URLS, isTlsUrl, type DeviceGroup, type Scenario } from '../../src/contract/scenario.ts';
import { thresholdInput } from '../../src/contract/thresholds.ts';
import { parseDuration } from '../../src/contract/duration.ts';
import { TLS_NEGATIVE } from '../../src/contract/tls-options.ts';
import { durationText } from '../lib/format.ts';
import { getIn, parsePath, setIn } from '../lib/paths.ts';

export type Draft = Record<string, unknown>;

/**
 * `bool` is a checkbox that writes true / false (never the text "true"); `list` is a text input
 * that writes a list of strings (typed comma- or space-separated).
 */
export type FieldKind = 'text' | 'int' | 'number' | 'duration' | 'select' | 'hosts' | 'bool' | 'list';

export interface FieldSpec {
  /** Path relative to the scenario (top level) or to `groups[i]` (group fields). */
  key: string;
  label: string;
  kind: FieldKind;
  options?: readonly string[];
  /** What the schema uses when the field is left empty. */
  placeholder?: string;
  hint?: string;
  /** The label's and control's tooltip, when it says more than the hint (default: the hint). */
  tip?: string;
  /** Number options (e.g. QoS 0/1) are written as numbers. */
  numericOptions?: boolean;
  /** A select with a first, empty option shown as this; choosing it removes the key. */
  emptyLabel?: string;
  /** Only shown for groups where this holds. */
  when?: (group: Record<string, unknown>) => boolean;
  /** A placeholder that depends on the group (e.g. what an embedded TLS URL uses by default). */
  groupPlaceholder?: (group: Record<string, unknown>) => string;
  /** Group fields shown under their own heading. */
  section?: 'tls';
  wide?: boolean;
}

export const SCENARIO_FIELDS: readonly FieldSpec[] = [
  { key: 'name', label: 'Name', kind: 'text', placeholder: 'run', wide: true },
  { key: 'target', label: 'Target', kind: 'select', options: ['embedded', 'external'] },
  { key: 'duration', label: 'Duration', kind: 'duration', placeholder: '30s' },
  { key: 'ramp', label: 'Ramp, connects/s', kind: 'number', placeholder: '500', hint: '0 = no limit; or adaptive' },
  { key: 'hosts', label: 'Hosts', kind: 'hosts', placeholder: 'auto', hint: 'auto or 1–256' },
];

const isMqtt = (g: Record<string, unknown>) => g.protocol !== 'ws';
const isWs = (g: Record<string, unknown>) => g.protocol === 'ws';
/** TLS settings only make sense (and only validate) on a TLS URL. */
export const isTlsGroup = (g: Record<string, unknown>) => typeof g.url === 'string' && isTlsUrl(g.url);
const isEmbeddedTls = (g: Record<string, unknown>) => typeof g.url === 'string' && EMBEDDED_TLS_URLS.includes(g.url);
const PER_DEVICE_HINT = '{id} for one file per device';
const CLIENT_TIP = "lean: Fleetsim's own client, a few KB per device, for big fleets · mqtt.js: MQTT.js, ~14 KB per device, to compare with apps built on it";

export const GROUP_FIELDS: readonly FieldSpec[] = [
  { key: 'name', label: 'Group name', kind: 'text' },
  { key: 'protocol', label: 'Protocol', kind: 'select', options: ['mqtt', 'ws'] },
  { key: 'url', label: 'URL', kind: 'text', wide: true, hint: 'embedded:mqtt(s) · embedded:mqtt-ws(s) · embedded:ws(s) · mqtt(s):// · ws(s)://' },
  { key: 'urls', label: 'More URLs', kind: 'list', wide: true, placeholder: 'none', hint: 'comma or space separated', tip: 'devices spread over URL and these (several broker ports or processes)' },
  { key: 'count', label: 'Devices', kind: 'int' },
  { key: 'clientId', label: 'Client id', kind: 'text', placeholder: 'dev-{index}' },
  { key: 'mqtt.qos', label: 'QoS', kind: 'select', options: ['0', '1'], numericOptions: true, when: isMqtt },
  { key: 'mqtt.version', label: 'MQTT version', kind: 'select', options: ['3.1.1', '5'], when: isMqtt },
  { key: 'mqtt.client', label: 'Client', kind: 'select', options: ['lean', 'mqtt.js'], when: isMqtt, tip: CLIENT_TIP },
  { key: 'ws.roomSize', label: 'Room size', kind: 'int', placeholder: '50', when: isWs },
  { key: 'ws.send', label: 'Send mode', kind: 'select', options: ['echo', 'broadcast', 'raw'], when: isWs },
  // TLS: embedded TLS URLs default to the target's test PKI (trust and per-device certificates).
  { key: 'tls.pki', label: 'Test PKI', kind: 'text', section: 'tls', wide: true, hint: 'a directory from "Create test PKI"', when: isTlsGroup, groupPlaceholder: (g) => (isEmbeddedTls(g) ? "the embedded target's PKI" : 'none') },
  { key: 'tls.negative', label: 'Negative certificate', kind: 'select', section: 'tls', options: TLS_NEGATIVE, emptyLabel: 'none', when: isTlsGroup },
  { key: 'tls.sessionResumption', label: 'Session resumption', kind: 'bool', section: 'tls', when: isTlsGroup },
  { key: 'tls.ca', label: 'CA file', kind: 'text', section: 'tls', wide: true, when: isTlsGroup, groupPlaceholder: (g) => (isEmbeddedTls(g) ? "the PKI's CA" : "the system's CAs") },
  { key: 'tls.cert', label: 'Client certificate', kind: 'text', section: 'tls', wide: true, hint: PER_DEVICE_HINT, when: isTlsGroup },
  { key: 'tls.key', label: 'Private key', kind: 'text', section: 'tls', wide: true, hint: PER_DEVICE_HINT, placeholder: 'in the certificate file', when: isTlsGroup },
  { key: 'tls.servername', label: 'SNI name', kind: 'text', section: 'tls', wide: true, placeholder: "the URL's host name", when: isTlsGroup },
];

/** "a, b c" → ["a", "b", "c"]; nothing typed → undefined, so the key is left out (not `urls: []`). */
export function parseList(text: string): string[] | undefined {
  const items = text.split(/[\s,]+/).filter(Boolean);
  return items.length ? items : undefined;
}

/** A list as a list field shows it; anything else (a bad value from a file) as is, so validation can say why. */
export function listText(value: unknown): string | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(', ') : undefined;
}

/** A select's options: a first, empty one when the field may be left out. */
export function selectOptions(spec: FieldSpec): string[] {
  return [...(spec.emptyLabel !== undefined ? [''] : []), ...(spec.options ?? [])];
}

/** The value a chosen option writes into the draft (undefined removes the key). */
export function fromOption(spec: FieldSpec, option: string): unknown {
  if (spec.emptyLabel !== undefined && option === '') return undefined;
  return spec.numericOptions ? Number(option) : option;
}

export const TIMER_KEYS = ['heartbeat', 'status', 'ping'] as const;
export type TimerKey = (typeof TIMER_KEYS)[number];
/** Defaults of the seed device model, shown as placeholders. */
export const TIMER_DEFAULTS: Record<TimerKey, { every: (g: Record<string, unknown>) => string; bytes?: string }> = {
  heartbeat: { every: () => '15s', bytes: '20' },
  status: { every: () => '60s', bytes: '500' },
  ping: { every: (g) => (g.protocol === 'ws' ? '30s' : '120s') },
};

export const RECONNECT_FIELDS: readonly FieldSpec[] = [
  { key: 'reconnect.policy', label: 'Policy', kind: 'select', options: ['exponential', 'fixed', 'none'] },
  { key: 'reconnect.jitter', label: 'Jitter', kind: 'select', options: ['full', 'none'] },
  { key: 'reconnect.base', label: 'Base delay', kind: 'duration', placeholder: '1s' },
  { key: 'reconnect.cap', label: 'Cap', kind: 'duration', placeholder: '60s' },
  { key: 'reconnect.maxAttempts', label: 'Max attempts', kind: 'int', placeholder: '0', hint: '0 = no limit' },
];

/** A capacity search's settings: the scenario's `capacity:` block (the same words as `fleetsim capacity` flags). */
export const CAPACITY_FIELDS: readonly FieldSpec[] = [
  { key: 'capacity.step', label: 'Step', kind: 'text', hint: '100 or 10%', tip: 'devices added per step: a count, or a share of the fleet' },
  { key: 'capacity.hold', label: 'Hold', kind: 'duration', hint: 'per step', tip: 'how long each step is held once its devices are admitted' },
  { key: 'capacity.until', label: 'Until', kind: 'text', placeholder: 'whole fleet', hint: 'count or time', tip: 'stop after this many devices (5000) or this long (30m)' },
];

export const CAPACITY_CRITERIA_FIELDS: readonly FieldSpec[] = [
  { key: 'capacity.maxConnectFailures', label: 'Connect failures', kind: 'text', tip: 'timeouts, refusals, resets … as a share of the step’s attempts' },
  { key: 'capacity.maxDrops', label: 'Drops', kind: 'text', tip: 'drops not caused by a storm, as a share of the devices online' },
  { key: 'capacity.maxConnackP99', label: 'CONNACK p99', kind: 'duration', tip: 'over the step’s window' },
  { key: 'capacity.maxPubackP99', label: 'PUBACK p99', kind: 'duration', tip: 'over the step’s window' },
  { key: 'capacity.maxLoopLag', label: 'Loop lag p99', kind: 'duration', tip: 'generator saturation: any host’s event-loop lag p99 over this …' },
  { key: 'capacity.maxCpu', label: 'CPU', kind: 'text', tip: '… or its CPU over this share of one core (for 1 s and a tenth of the step)' },
];

export const groupPath = (i: number, key = '') => (key ? `groups[${i}].${key}` : `groups[${i}]`);

export function draftGroups(draft: Draft): Array<Record<string, unknown>> {
  const g = draft.groups;
  return Array.isArray(g) ? g.map((x) => (typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {})) : [];
}

/** Every field path the form shows for this draft (problems elsewhere go to the nearest one). */
export function editorFieldPaths(draft: Draft, opts: { capacity?: boolean } = {}): string[] {
  const paths = SCENARIO_FIELDS.map((f) => f.key);
  // Shown only in Capacity mode; otherwise a bad capacity block is the scenario's problem.
  if (opts.capacity) paths.push('capacity', ...CAPACITY_FIELDS.map((f) => f.key), ...CAPACITY_CRITERIA_FIELDS.map((f) => f.key));
  paths.push('groups');
  draftGroups(draft).forEach((g, i) => {
    paths.push(groupPath(i));
    if (isTlsGroup(g)) paths.push(groupPath(i, 'tls'));
    for (const f of GROUP_FIELDS) if (!f.when || f.when(g)) paths.push(groupPath(i, f.key));
    for (const t of TIMER_KEYS) {
      paths.push(groupPath(i, `timers.${t}`), groupPath(i, `timers.${t}.every`));
      if (t !== 'ping') paths.push(groupPath(i, `timers.${t}.bytes`));
    }
    paths.push(groupPath(i, 'reconnect'));
    for (const f of RECONNECT_FIELDS) paths.push(groupPath(i, f.key));
  });
  return paths;
}

/**
 * The draft with `path` set. Clearing the last TLS field drops the group's `tls` too, so a group
 * whose URL later stops being TLS is not left with an empty `tls: {}` the schema refuses.
 */
export function setDraftField(draft: Draft, path: string, value: unknown): Draft {
  const next = setIn(draft, path, value);
  const keys = parsePath(path);
  if (value !== undefined || keys[0] !== 'groups' || keys[2] !== 'tls' || keys.length < 4) return next;
  const tls = getIn(next, keys.slice(0, 3));
  return typeof tls === 'object' && tls !== null && Object.keys(tls).length === 0 ? setIn(next, keys.slice(0, 3), undefined) : next;
}

/** A new group, copied from the last one (or an MQTT group against the embedded broker). */
export function newGroup(draft: Draft): Record<string, unknown> {
  const groups = draftGroups(draft);
  const names = new Set(groups.map((g, i) => (typeof g.name === 'string' ? g.name : `group-${i}`)));
  let n = groups.length;
  while (names.has(`group-${n}`)) n++;
  const last = groups.at(-1);
  if (last) return { ...structuredClone(last), name: `group-${n}` };
  return { name: `group-${n}`, protocol: 'mqtt', url: 'embedded:mqtt', count: 100 };
}

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function timerInput(t: DeviceGroup['timers']['heartbeat']): unknown {
  if (!t) return 'off';
  return compact({ every: durationText(t.every), bytes: t.bytes, topic: t.topic, payload: t.payload, jitter: t.jitter });
}

/**
 * A group's MQTT options as a file writes them. The client is left out while it is the default
 * (lean): a running scenario saved from the editor should not gain a setting nobody chose, one
 * that Fleetsim versions before it would refuse as an unknown field.
 */
function mqttInput(m: DeviceGroup['mqtt']): Record<string, unknown> {
  const { client, ...rest } = m;
  return compact({ ...rest, version: m.version === 5 ? 5 : '3.1.1', connectTimeout: durationText(m.connectTimeout), client: client === 'lean' ? undefined : client });
}

/** A validated Scenario (ms, defaults filled in) back into what a file would contain. */
export function scenarioToInput(s: Scenario): Draft {
  return compact({
    name: s.name,
    target: s.target,
    duration: durationText(s.duration),
    ramp: s.adaptive ? 'adaptive' : s.ramp,
    adaptive: s.adaptive ? { ...s.adaptive, connackP99: durationText(s.adaptive.connackP99) } : undefined,
    pauseOnSaturation: s.pauseOnSaturation ? undefined : false,
    hosts: s.hosts,
    logRing: s.logRing,
    groups: s.groups.map((g) =>
      compact({
        name: g.name,
        protocol: g.protocol,
        url: g.url,
        urls: g.urls,
        count: g.count,
        clientId: g.clientId,
        ...(g.protocol === 'mqtt'
          ? { mqtt: mqttInput(g.mqtt) }
          : { ws: compact({ ...g.ws, handshakeTimeout: durationText(g.ws.handshakeTimeout) }) }),
        tls: g.tls,
        sourceAddresses: g.sourceAddresses,
        timers: {
          heartbeat: timerInput(g.timers.heartbeat),
          status: timerInput(g.timers.status),
          ping: g.timers.ping ? { every: durationText(g.timers.ping.every), jitter: g.timers.ping.jitter } : 'off',
        },
        reconnect: { ...g.reconnect, base: durationText(g.reconnect.base), cap: durationText(g.reconnect.cap) },
        backpressure: g.backpressure,
        ramp: g.ramp,
      }),
    ),
    embedded: Object.keys(s.embedded).length ? s.embedded : undefined,
    capacity: s.capacity,
    // Older recorded scenarios have no thresholds.
    thresholds: s.thresholds?.length ? s.thresholds.map(thresholdInput) : undefined,
    storms: s.storms.length
      ? s.storms.map((storm) => ({ ...storm, at: durationText(storm.at), ...('for' in storm ? { for: durationText(storm.for) } : {}) }))
      : undefined,
  });
}

const asObj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * The `timers` a live Apply sends for one group: the running group's timers, with the
 * heartbeat/status interval and size (and on/off) taken from the draft. setTimers replaces all
 * of a group's timers, so everything not edited (topics, payloads, ping) is carried over.
 */
export function liveTimers(run: DeviceGroup, draftTimers: unknown): Record<string, unknown> {
  const d = asObj(draftTimers);
  const msg = (key: 'heartbeat' | 'status'): unknown => {
    const cur = run.timers[key];
    const dv = d[key];
    if (dv === 'off' || dv === null) return 'off';
    if (dv === undefined && !cur) return 'off';
    const o = asObj(dv);
    return compact({
      every: o.every ?? (cur ? durationText(cur.every) : undefined),
      bytes: o.bytes ?? cur?.bytes,
      topic: cur?.topic ?? o.topic,
      payload: cur?.payload ?? o.payload,
      jitter: cur?.jitter ?? o.jitter,
    });
  };
  return {
    heartbeat: msg('heartbeat'),
    status: msg('status'),
    ping: run.timers.ping ? { every: durationText(run.timers.ping.every), jitter: run.timers.ping.jitter } : 'off',
  };
}

/** True when Apply would change the running group's timers. */
export function timersDiffer(run: DeviceGroup, draftTimers: unknown): boolean {
  const norm = (timers: Record<string, unknown>) =>
    JSON.stringify(timers, (key, value: unknown) => (key === 'every' && typeof value === 'string' ? (parseDuration(value) ?? value) : value));
  return norm(liveTimers(run, draftTimers)) !== norm(liveTimers(run, undefined));
}
