// The controller's sample of drop timings, per disconnect reason: every triple the hosts sent
// until the pool is full, then a uniform reservoir sample, so a long run's memory stays bounded.

/** Triples kept per reason. */
export const POOL_PER_REASON = 2000;

export interface DropTimingSample {
  /** Triples received for this reason (the sample holds at most POOL_PER_REASON of them). */
  seen: number;
  /** Flat [ageMs, sinceRxMs, sinceTxMs, …]. */
  triples: number[];
}

export class DropTimingPool {
  private readonly byReason = new Map<string, DropTimingSample>();

  constructor(private readonly random: () => number = Math.random) {}

  add(timings: Record<string, number[]> | undefined): void {
    if (!timings) return;
    for (const [reason, flat] of Object.entries(timings)) {
      let s = this.byReason.get(reason);
      if (!s) this.byReason.set(reason, (s = { seen: 0, triples: [] }));
      for (let i = 0; i + 2 < flat.length; i += 3) {
        const slot = s.seen++;
        if (slot < POOL_PER_REASON) s.triples.push(flat[i], flat[i + 1], flat[i + 2]);
        else {
          const j = Math.floor(this.random() * (slot + 1));
          if (j < POOL_PER_REASON) s.triples.splice(j * 3, 3, flat[i], flat[i + 1], flat[i + 2]);
        }
      }
    }
  }

  samples(): ReadonlyMap<string, DropTimingSample> {
    return this.byReason;
  }
}
