// What the live view shows of TLS: the handshake latency row (only when the run speaks TLS, so
// plain runs keep a short table) and the handshakes with their resumed share. Pure.
import type { Counters, LatencyKind, LatencySummary } from '../../src/contract/metrics.ts';
import { isTlsUrl, type Scenario } from '../../src/contract/scenario.ts';

export const LATENCY_LABELS: Partial<Record<LatencyKind, string>> = { tls: 'TLS handshake' };

/** Latency table rows, in the order an attempt goes through them. */
export function latencyRows(showTls: boolean): LatencyKind[] {
  return showTls ? ['connect', 'tls', 'connack', 'puback', 'ping', 'echo'] : ['connect', 'connack', 'puback', 'ping', 'echo'];
}

export function runUsesTls(scenario: Scenario | null | undefined, latency?: Partial<Record<LatencyKind, LatencySummary>>): boolean {
  return (scenario?.groups.some((g) => isTlsUrl(g.url)) ?? false) || (latency?.tls?.count ?? 0) > 0;
}

export interface TlsShare {
  handshakes: number;
  resumed: number;
  /** Resumed handshakes, % of all (0–100). */
  resumedPct: number;
}

/** Handshakes so far and how many resumed a session; null before the first one. */
export function tlsShare(totals: Pick<Counters, 'tlsHandshakes' | 'tlsResumed'> | null | undefined): TlsShare | null {
  const handshakes = totals?.tlsHandshakes ?? 0;
  if (handshakes <= 0) return null;
  const resumed = Math.min(totals?.tlsResumed ?? 0, handshakes);
  return { handshakes, resumed, resumedPct: (resumed / handshakes) * 100 };
}
