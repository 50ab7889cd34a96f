// The overload model: a listener that takes more connection attempts in a second than it can
// handle starves its established clients, whose handshakes and keepalives then time out. That
// is how a reconnect avalanche feeds itself (a batch drops, the retries overload the server,
// more clients drop, they retry too) instead of healing.
import type { TargetOverload } from '../contract/target.ts';

/** Throws unless `overload` is usable: attemptsPerSec > 0, shedPercent 0-100. */
export function checkOverload(overload: TargetOverload): void {
  const { attemptsPerSec, shedPercent } = (overload ?? {}) as Partial<TargetOverload>;
  if (typeof attemptsPerSec !== 'number' || !Number.isFinite(attemptsPerSec) || attemptsPerSec <= 0) {
    throw new RangeError(`overload.attemptsPerSec: expected connection attempts per second > 0, got ${String(attemptsPerSec)}`);
  }
  if (typeof shedPercent !== 'number' || !Number.isFinite(shedPercent) || shedPercent < 0 || shedPercent > 100) {
    throw new RangeError(`overload.shedPercent: expected a percentage 0-100, got ${String(shedPercent)}`);
  }
}

/**
 * Connection attempts (accepted and refused alike) seen by one listener in the current
 * one-second window. Counting is a single increment, so it is done whether or not an overload
 * model is configured.
 */
export class AttemptCounter {
  private attempts = 0;

  /** One more connection attempt on this listener. */
  attempt(): void {
    this.attempts++;
  }

  /** Ends the window: the attempts it saw; the next window starts at 0. */
  endWindow(): number {
    const n = this.attempts;
    this.attempts = 0;
    return n;
  }
}
