// Admission control for the target's listeners: a token bucket per listener, checked once per
// new connection. Refilled lazily from the clock, so an idle listener costs nothing and a
// check is a clock read and a little arithmetic.
import type { AttemptCounter } from './overload.ts';

/** Throws unless `rate` is a usable accept rate (connections per second, 0 = no limit). */
export function checkAcceptRate(rate: number): void {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw new RangeError(`acceptRate: expected connections per second >= 0 (0 = no limit), got ${String(rate)}`);
  }
}

export class AcceptRate {
  /** Connections refused since this limiter was made. */
  refused = 0;
  private rate = 0;
  private capacity = 0;
  private tokens = 0;
  private refilledAt = 0;

  constructor(rate = 0) {
    this.set(rate);
  }

  get perSecond(): number {
    return this.rate;
  }

  /**
   * Changes the limit at once. The bucket holds one second's worth (at least one), so a
   * listener at rate r accepts at most r + r·t connections in any t seconds; a limit newly
   * applied starts with a full bucket.
   */
  set(rate: number): void {
    checkAcceptRate(rate);
    const now = performance.now();
    if (this.rate > 0) this.refill(now);
    else this.tokens = Math.max(1, rate);
    this.rate = rate;
    this.capacity = Math.max(1, rate);
    this.tokens = Math.min(this.tokens, this.capacity);
    this.refilledAt = now;
  }

  /** Takes a token for a new connection; false (and counted) when over the limit. */
  admit(): boolean {
    if (this.rate === 0) return true;
    this.refill(performance.now());
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.refused++;
    return false;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
  }
}

/** One listener's admission: its accept-rate bucket and its attempt counter (the overload model). */
export interface Gate {
  acceptRate?: AcceptRate;
  attempts?: AttemptCounter;
}

/** Counts a connection attempt at the gate and takes a token; false when the accept rate refuses it. */
export function admit(gate: Gate | undefined): boolean {
  gate?.attempts?.attempt();
  return gate?.acceptRate?.admit() ?? true;
}
