// This host's share of the fleet-wide connect rate: a token bucket in front of a FIFO of
// devices waiting to connect. First connects and reconnects draw from the same bucket, which
// is what keeps a reconnect storm from becoming an avalanche.

export interface Waiter {
  admit(): void;
}

/** Most admissions per tick when the rate is unlimited, so one tick never stalls the loop. */
const UNLIMITED_BURST = 2000;

export class ConnectGate {
  private queue: Waiter[] = [];
  private head = 0;
  private tokens = 0;
  private last = Date.now();

  constructor(private ratePerSec: number) {}

  get waiting(): number {
    return this.queue.length - this.head;
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
