// This host's share of the fleet-wide connect rate: a token bucket in front of a FIFO of
// devices waiting to connect. First connects and reconnects draw from the same bucket, which
// is what keeps a reconnect storm from becoming an avalanche.

export interface Waiter {
  admit(): void;
  /** True until the device's first attempt: a paused gate holds these back. */
  readonly firstConnect?: boolean;
}

/** Most admissions per tick when the rate is unlimited, so one tick never stalls the loop. */
const UNLIMITED_BURST = 2000;

export class ConnectGate {
  private queue: Waiter[] = [];
  private head = 0;
  private tokens = 0;
  private last = Date.now();
  /** Paused (the generator is saturated): first connects wait in `held`, reconnects go on. */
  private paused = false;
  private held: Waiter[] = [];

  constructor(private ratePerSec: number) {}

  get waiting(): number {
    return this.queue.length - this.head + this.held.length;
  }

  /** Pauses or resumes admitting first connects; held devices go first on resume. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused || this.held.length === 0) return;
    this.queue = this.held.concat(this.queue.slice(this.head));
    this.head = 0;
    this.held = [];
  }

  setRate(ratePerSec: number): void {
    this.ratePerSec = ratePerSec;
  }

  enqueue(w: Waiter): void {
    this.queue.push(w);
  }

  /** Drops every waiter (on stop). */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.held = [];
  }

  /** Admits as many waiters as the bucket allows; called on every wheel tick. */
  pump(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    let allowed: number;
    if (this.ratePerSec <= 0) {
      allowed = UNLIMITED_BURST;
    } else {
      // A burst allowance of 100 ms worth of connects (at least one). The cap cuts whole
      // tokens only: the fraction is carried, so a low rate is not shaved pump after pump.
      const capacity = Math.max(1, this.ratePerSec * 0.1);
      const filled = this.tokens + elapsed * this.ratePerSec;
      this.tokens = filled > capacity ? Math.floor(capacity) + (filled % 1) : filled;
      allowed = Math.floor(this.tokens);
    }
    let admitted = 0;
    while (admitted < allowed && this.head < this.queue.length) {
      const w = this.queue[this.head++];
      if (this.paused && w.firstConnect) {
        this.held.push(w);
        continue;
      }
      admitted++;
      w.admit();
    }
    if (this.ratePerSec > 0) this.tokens -= admitted;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
