// Named causes of disconnects: clusters of drops (and refusals) that point at one cause, each
// with a sentence a QA engineer can act on. Made by src/fleet/disconnect-causes.ts.

export const CAUSE_KINDS = ['idle-timeout', 'max-age', 'takeover', 'keepalive', 'overload', 'tls-alert'] as const;
export type CauseKind = (typeof CAUSE_KINDS)[number];

/** What a timed cluster is tight in: time since the last byte received, since the last byte sent, or the connection's age. */
export type CauseMeasure = 'sinceRx' | 'sinceTx' | 'age';

export interface DisconnectCause {
  kind: CauseKind;
  /** Connections (or refused attempts) this cause explains; estimated from a sample when a reason had many. */
  count: number;
  /** The disconnect or failure reason it was found in (e.g. `abnormal-close`, `takeover`). */
  reason: string;
  /** Whether the connections dropped while online or were refused while connecting. */
  phase: 'disconnect' | 'connect';
  /** The cause in one sentence, with what to do about it. */
  text: string;
  /** For timed clusters: the measure the drops agree on, its mean and standard deviation (ms). */
  stat?: { measure: CauseMeasure; meanMs: number; spreadMs: number };
}

/** Seconds with one decimal (none from 100 s on). */
export const causeSeconds = (ms: number): string => (ms / 1000).toFixed(ms >= 100_000 ? 0 : 1);

/** "8.0 ± 0.1 s"; tighter clusters show more digits (2.00 ± 0.02 s, 2.001 ± 0.002 s), never "± 0.0". */
export function clusterSpan(meanMs: number, spreadMs: number): string {
  const digits = meanMs >= 100_000 ? 0 : spreadMs < 5 ? 3 : spreadMs < 50 ? 2 : 1;
  return `${(meanMs / 1000).toFixed(digits)} ± ${(spreadMs / 1000).toFixed(digits)} s`;
}
