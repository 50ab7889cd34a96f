// Names the causes behind a run's drops and refusals. Reasons that say it themselves (takeover,
// keepalive, overload codes, TLS alerts) are named by rule; drops the peer made without saying
// why are timed, and a tight cluster of them names a middlebox or target limit: a tight time
// since the last byte received is an idle timeout, a tight connection age a lifetime limit.
import { causeSeconds, clusterSpan, type CauseMeasure, type DisconnectCause } from '../contract/disconnect-causes.ts';
import type { DropTimingSample } from './drop-timing-pool.ts';

export interface CauseInput {
  disconnectReasons: Record<string, number>;
  failureReasons: Record<string, number>;
  timings: ReadonlyMap<string, DropTimingSample>;
}

/** A cluster needs at least this many timed drops … */
export const MIN_CLUSTER = 5;
/** … and this share of its reason's timed drops. */
const MIN_SHARE = 0.3;
/** A band is tight when it is at most this wide (ms) or this share of its value, whichever is more. */
const BAND_MS = 250;
const BAND_SHARE = 0.05;
/** Idle and age limits shorter than this are not told apart from a peer that closes at once. */
const MIN_LIMIT_MS = 1000;

const OVERLOAD = new Set([
  'server-disconnect:137', // MQTT 5 server busy
  'server-disconnect:151', // quota exceeded
  'server-disconnect:159', // connection rate exceeded
  'connack-refused:server-busy',
  'connack-refused:server-unavailable',
  'connack-refused:quota-exceeded',
  'connack-refused:connection-rate-exceeded',
  'http-503',
  'http-429',
]);
const KEEPALIVE = new Set(['keepalive-timeout', 'ping-timeout']);

/** Closes by the peer that do not say why: where idle timeouts and lifetime limits hide. */
export function isPeerClose(reason: string): boolean {
  if (OVERLOAD.has(reason)) return false;
  return reason === 'server-close' || reason === 'abnormal-close' || reason === 'ECONNRESET' || reason === 'EPIPE' || reason.startsWith('server-close:') || reason.startsWith('server-disconnect:');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function nameDisconnectCauses({ disconnectReasons, failureReasons, timings }: CauseInput): DisconnectCause[] {
  const out: DisconnectCause[] = [];
  for (const [reason, count] of Object.entries(disconnectReasons)) {
    if (count <= 0) continue;
    const ruled = byRule(reason, count, 'disconnect');
    if (ruled) out.push(ruled);
    else if (isPeerClose(reason)) {
      const timed = timedCause(reason, count, timings.get(reason));
      if (timed) out.push(timed);
    }
  }
  for (const [reason, count] of Object.entries(failureReasons)) {
    const ruled = count > 0 ? byRule(reason, count, 'connect') : null;
    if (ruled) out.push(ruled);
  }
  return out.sort((a, b) => b.count - a.count);
}

function byRule(reason: string, count: number, phase: DisconnectCause['phase']): DisconnectCause | null {
  const conns = plural(count, 'connection');
  if (reason === 'takeover') {
    return { kind: 'takeover', count, reason, phase, text: `${conns} taken over: the broker closed the session because the same client id connected again (duplicate client ids, or a device reconnecting before the broker dropped its old connection)` };
  }
  if (KEEPALIVE.has(reason)) {
    const what = reason === 'ping-timeout' ? 'no pong came within a whole ping interval' : 'no answer to PINGREQ within the keepalive grace';
    return { kind: 'keepalive', count, reason, phase, text: `${conns} dropped for missed keepalives (${what}): the target or the network stalled for longer than the keepalive tolerates` };
  }
  if (OVERLOAD.has(reason)) {
    const how = phase === 'connect' ? 'refused while connecting' : 'closed by the target';
    return { kind: 'overload', count, reason, phase, text: `${conns} ${how} with ${reason}: the target is shedding load; lower the connect rate or give the target more capacity` };
  }
  const alert = /^tls-alert:(.+)$/.exec(reason);
  if (alert) {
    const when = phase === 'connect' ? 'refused during the TLS handshake' : 'ended';
    return { kind: 'tls-alert', count, reason, phase, text: `${conns} ${when} by a TLS alert from the peer: ${alert[1].replace(/-/g, ' ')} (check the certificates, their chain and the TLS versions on both sides)` };
  }
  return null;
}

const MEASURES: Array<{ measure: CauseMeasure; offset: number }> = [
  { measure: 'sinceRx', offset: 1 },
  { measure: 'sinceTx', offset: 2 },
  { measure: 'age', offset: 0 },
];

/** The first measure (since received, since sent, age) whose timed drops hold a tight cluster. */
function timedCause(reason: string, count: number, sample: DropTimingSample | undefined): DisconnectCause | null {
  if (!sample || sample.triples.length < MIN_CLUSTER * 3) return null;
  const timed = sample.triples.length / 3;
  for (const { measure, offset } of MEASURES) {
    const values: number[] = [];
    for (let i = offset; i < sample.triples.length; i += 3) values.push(sample.triples[i]);
    const band = tightestBand(values);
    if (!band || band.size < MIN_CLUSTER || band.size < timed * MIN_SHARE || band.meanMs < MIN_LIMIT_MS) continue;
    const n = Math.max(band.size, Math.round((band.size / timed) * count));
    const stat = { measure, meanMs: Math.round(band.meanMs), spreadMs: Math.round(band.spreadMs) };
    return { kind: measure === 'age' ? 'max-age' : 'idle-timeout', count: n, reason, phase: 'disconnect', text: timedText(n, measure, band.meanMs, band.spreadMs), stat };
  }
  return null;
}

function timedText(n: number, measure: CauseMeasure, mean: number, spread: number): string {
  const at = clusterSpan(mean, spread);
  const conns = plural(n, 'connection');
  if (measure === 'age') {
    return `${conns} closed by the peer at an age of ${at}: a maximum connection age or session lifetime at the target or a middlebox`;
  }
  const silent = measure === 'sinceRx' ? 'without traffic from the server' : 'without traffic from the devices';
  return `${conns} closed by the peer after ${at} ${silent}: an idle timeout between you and the target; a ping interval under ${causeSeconds(mean)} s keeps them open`;
}

export interface Band {
  size: number;
  meanMs: number;
  spreadMs: number;
}

/** The largest set of values inside one tight band (max(BAND_MS, BAND_SHARE × value) wide). */
export function tightestBand(values: number[]): Band | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  let best = { from: 0, to: 0 };
  for (let from = 0, to = 0; from < v.length; from++) {
    if (to < from) to = from;
    const width = Math.max(BAND_MS, v[from] * BAND_SHARE);
    while (to + 1 < v.length && v[to + 1] - v[from] <= width) to++;
    if (to - from > best.to - best.from) best = { from, to };
  }
  const band = v.slice(best.from, best.to + 1);
  const mean = band.reduce((a, b) => a + b, 0) / band.length;
  const spread = Math.sqrt(band.reduce((a, b) => a + (b - mean) ** 2, 0) / band.length);
  return { size: band.length, meanMs: mean, spreadMs: spread };
}
