// Timings of each drop of an online device, kept per reason until the next metrics batch:
// the connection's age and how long it had been since the device last received and last sent.
// A bounded number per reason and batch crosses to the controller; the reason count stays exact.

/** Triples per reason and batch; the rest of a storm is counted by reason but not timed. */
export const DROP_TIMINGS_PER_BATCH = 64;

export class DropTimings {
  private byReason: Record<string, number[]> = {};

  record(reason: string, ageMs: number, sinceRxMs: number, sinceTxMs: number): void {
    const list = (this.byReason[reason] ??= []);
    if (list.length >= DROP_TIMINGS_PER_BATCH * 3) return;
    list.push(Math.round(ageMs), Math.round(sinceRxMs), Math.round(sinceTxMs));
  }

  /** Flat [ageMs, sinceRxMs, sinceTxMs, …] per reason since the last cut; undefined when none. */
  cut(): Record<string, number[]> | undefined {
    const out = this.byReason;
    this.byReason = {};
    for (const _ in out) return out;
    return undefined;
  }
}
