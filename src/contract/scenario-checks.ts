// Checks of a device group for values that parse but could not work: found here, with their field
// path, instead of as failed connections once the fleet runs. Size limits keep a scenario from
// carrying absurd strings into every device (a 10 MB topic would be sent with every message).
import { z } from 'zod';
import { isIpAddress } from './addresses.ts';

/** The longest text each kind of field may hold, in characters. */
export const TEXT_LIMITS = {
  name: 128,
  url: 2048,
  clientId: 1024,
  topic: 4096,
  /** A payload template is at most as large as the largest payload. */
  payload: 1024 * 1024,
  join: 64 * 1024,
  credential: 4096,
  headerValue: 8192,
  subprotocol: 256,
  sourceAddress: 64,
} as const;
/** The longest lists. */
export const LIST_LIMITS = { groups: 1000, urls: 1024, subscribe: 100, headers: 64, storms: 1000, sourceAddressEntries: 1024 } as const;

export const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
export const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, `must have at most ${max} entries`);

type Path = Array<string | number>;
type Ctx = { addIssue(issue: { code: 'custom'; path: Path; message: string }): void };

/** What a group carries through these checks (the parsed group, before defaults are resolved). */
export interface CheckedGroup {
  protocol: 'mqtt' | 'ws';
  url: string;
  urls?: string[];
  clientId: string;
  mqtt: { subscribe: string[] };
  ws: { join?: string; subprotocol?: string; headers: Record<string, string> };
  timers: Partial<Record<'heartbeat' | 'status', { topic?: string; payload?: string } | null>>;
  sourceAddresses?: string[];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Placeholders each template is rendered with (src/engine: device.ts, the adapters). */
function knownPlaceholders(g: CheckedGroup) {
  return {
    clientId: ['index', 'group'],
    topic: ['id', 'index', 'group'],
    payload: g.protocol === 'ws' ? ['id', 'index', 'group', 'room', 'seq', 'ts'] : ['id', 'index', 'group', 'seq', 'ts'],
    join: ['id', 'index', 'group', 'room'],
    // WebSocket devices render their URL; MQTT clients connect to it as written.
    url: g.protocol === 'ws' ? ['id', 'index', 'group', 'room'] : [],
  };
}

function placeholderProblem(template: string, known: string[]): string | null {
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (known.includes(name)) continue;
    const here = known.length ? `known here: ${known.map((k) => `{${k}}`).join(', ')}` : 'this field takes none';
    return `unknown placeholder {${name}} (${here})`;
  }
  return null;
}

/** Host and port as written in a URL's authority (before any parsing that would normalise them). */
function authorityOf(url: string): { host: string; port: string | undefined } {
  const rest = url.slice(url.indexOf('://') + 3);
  const authority = rest.split(/[/?#]/, 1)[0];
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    const after = hostPort.slice(end + 1);
    return { host: hostPort.slice(0, end + 1), port: after.startsWith(':') ? after.slice(1) : undefined };
  }
  const colon = hostPort.indexOf(':');
  return colon < 0 ? { host: hostPort, port: undefined } : { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

export function urlProblem(url: string, knownVars: string[]): string | null {
  if (url.startsWith('embedded:')) return null;
  if (/\s/.test(url)) return 'must not contain spaces or other whitespace';
  const placeholders = placeholderProblem(url, knownVars);
  if (placeholders) return placeholders;
  const { host, port } = authorityOf(url);
  if (host === '' || host === '[]') return `has no host ("${url}")`;
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port)) return `port "${port}" is not a number from 1 to 65535`;
    const n = Number(port);
    if (n === 0) return 'port 0 cannot be connected to (use 1 to 65535)';
    if (n > 65_535) return `port ${n} is over 65535`;
  }
  try {
    new URL(url.replace(PLACEHOLDER, 'x'));
  } catch {
    return `is not a valid URL ("${url}")`;
  }
  return null;
}

/** A header name or subprotocol: an HTTP token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Headers the opening handshake writes itself: a second copy would break it. */
const HANDSHAKE_HEADERS = ['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions'];

function publishTopicProblem(topic: string): string | null {
  if (topic.includes('\u0000')) return 'must not contain U+0000 (NUL)';
  if (/[+#]/.test(topic)) return 'must not contain the wildcards + or # (a message is published to one topic)';
  return null;
}

function topicFilterProblem(filter: string): string | null {
  if (filter.includes('\u0000')) return 'must not contain U+0000 (NUL)';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return `"${filter.slice(0, 80)}": # must be a whole level, and the last one`;
    if (level.includes('+') && level !== '+') return `"${filter.slice(0, 80)}": + must be a whole level`;
  }
  return null;
}

/** 4 or 6 for an address literal (or the embedded target, on 127.0.0.1); null for a name. */
function familyOfTarget(url: string): 4 | 6 | null {
  if (url.startsWith('embedded:')) return 4;
  const { host } = authorityOf(url);
  if (host.startsWith('[')) return 6;
  return isIpAddress(host) ? 4 : null;
}

function sourceFamilyProblem(g: CheckedGroup): string | null {
  if (!g.sourceAddresses?.length) return null;
  for (const target of [g.url, ...(g.urls ?? [])]) {
    const family = familyOfTarget(target);
    if (family === null) continue;
    const other = g.sourceAddresses.find((a) => (a.includes(':') ? 6 : 4) !== family);
    if (other) return `${other} is IPv${family === 4 ? 6 : 4} but the target ${target} is IPv${family}: a connection cannot cross address families`;
  }
  return null;
}

/** Adds an issue for every value of `g` that would only fail once devices connect. */
export function checkGroup(g: CheckedGroup, urlOk: boolean, ctx: Ctx): void {
  const add = (path: Path, message: string | null) => {
    if (message) ctx.addIssue({ code: 'custom', path, message });
  };
  const known = knownPlaceholders(g);
  if (urlOk) {
    add(['url'], urlProblem(g.url, known.url));
    g.urls?.forEach((u, i) => add(['urls', i], urlProblem(u, known.url)));
  }
  add(['clientId'], placeholderProblem(g.clientId, known.clientId));
  for (const kind of ['heartbeat', 'status'] as const) {
    const timer = g.timers[kind];
    if (timer?.topic !== undefined) add(['timers', kind, 'topic'], placeholderProblem(timer.topic, known.topic) ?? (g.protocol === 'mqtt' ? publishTopicProblem(timer.topic) : null));
    if (timer?.payload !== undefined) add(['timers', kind, 'payload'], placeholderProblem(timer.payload, known.payload));
  }
  g.mqtt.subscribe.forEach((s, i) => add(['mqtt', 'subscribe', i], placeholderProblem(s, known.topic) ?? topicFilterProblem(s)));
  if (g.ws.join !== undefined) add(['ws', 'join'], placeholderProblem(g.ws.join, known.join));
  if (g.ws.subprotocol !== undefined && !TOKEN.test(g.ws.subprotocol)) add(['ws', 'subprotocol'], 'must be one token (letters, digits and !#$%&\'*+.^_`|~-, no spaces or commas)');
  const headers = Object.entries(g.ws.headers);
  if (headers.length > LIST_LIMITS.headers) add(['ws', 'headers'], `must have at most ${LIST_LIMITS.headers} entries`);
  for (const [name, value] of headers) {
    if (name.length > 256 || !TOKEN.test(name)) add(['ws', 'headers'], `"${name.slice(0, 80)}" is not a header name (one token: letters, digits and !#$%&'*+.^_\`|~-)`);
    else if (HANDSHAKE_HEADERS.includes(name.toLowerCase())) add(['ws', 'headers', name], 'is written by the WebSocket handshake itself' + (name.toLowerCase() === 'sec-websocket-protocol' ? ' (use ws.subprotocol)' : ''));
    else if (CONTROL.test(value)) add(['ws', 'headers', name], 'must not contain line breaks or other control characters');
  }
  add(['sourceAddresses'], sourceFamilyProblem(g));
}
