// When things happen in a run: the wait for a shared start time, and the timers of a started run
// (scheduled storms, one-second timeline ticks, the end) on the run's own clock. A shard that
// starts late keeps the fleet's clock, so every shard's seconds and storms line up.
import type { Scenario } from '../contract/scenario.ts';
import type { StormAction } from '../contract/storm.ts';

/** A wait for a wall-clock time that stop() can cut short. */
export class StartWait {
  private readonly wakers = new Set<() => void>();
  private cancelled = false;

  /** Resolves at `at` (epoch ms), or as soon as cancel() is called; wakes each second so a changed clock is noticed. */
  async until(at: number): Promise<void> {
    while (!this.cancelled && Date.now() < at) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(1000, at - Date.now()));
        this.wakers.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.wakers.clear();
  }

  /** Waits for a distributed run's shared start time, saying so (or how late this shard is). */
  untilShared(startAt: number, note: (message: string) => void): Promise<void> {
    const now = Date.now();
    if (now < startAt) note(`waiting for the shared start time ${new Date(startAt).toISOString()}`);
    else if (now - startAt > 1000) note(`started ${((now - startAt) / 1000).toFixed(1)} s after the shared start time; the timeline and storms keep the fleet's clock`);
    return this.until(startAt);
  }

  cancel(): void {
    this.cancelled = true;
    for (const wake of this.wakers) wake();
  }
}

export interface RunTimers {
  scenario: Scenario;
  /** Epoch ms the run's clock counts from. */
  startedAt: number;
  /** Pushes a snapshot, every `snapshotIntervalMs`. */
  snapshot(): void;
  snapshotIntervalMs: number;
  storm(action: StormAction): void;
  tick(): void;
  end(): void;
  note(message: string): void;
}

/** Starts a run's timers into `timers`, where the run clears them when it stops (the tick interval joins after the first tick). */
export function scheduleRun({ scenario, startedAt, snapshot, snapshotIntervalMs, storm, tick, end, note }: RunTimers, timers: NodeJS.Timeout[]): void {
  timers.push(setInterval(snapshot, snapshotIntervalMs));
  const sinceStart = Date.now() - startedAt;
  for (const scheduled of scenario.storms) {
    const { at, ...action } = scheduled;
    if (at < sinceStart - 1000) {
      note(`storm at ${at / 1000} s skipped: this shard started after it`);
      continue;
    }
    timers.push(setTimeout(() => storm(action as StormAction), Math.max(0, at - sinceStart)));
  }
  // Seconds close on the start time's grid, so shards started together close the same seconds.
  timers.push(
    setTimeout(() => {
      tick();
      timers.push(setInterval(tick, 1000));
    }, 1000 - (sinceStart % 1000)),
  );
  timers.push(setTimeout(end, Math.max(0, scenario.duration - sinceStart)));
}

/** A run's clock: when it started and ended, the timers on it, and the wait for a shared start. */
export class RunClock {
  startedAt = Date.now();
  /** 0 until the run ends. */
  endedAt = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly startWait = new StartWait();

  /** Waits for a distributed run's shared start time, saying so; cancelWait() cuts it short. */
  waitForShared(startAt: number, note: (message: string) => void): Promise<void> {
    return this.startWait.untilShared(startAt, note);
  }

  cancelWait(): void {
    this.startWait.cancel();
  }

  /** The run's clock counts from `at` (epoch ms). */
  start(at: number): void {
    this.startedAt = at;
  }

  /** Starts the run's timers on this clock. */
  schedule(run: Omit<RunTimers, 'startedAt'>): void {
    scheduleRun({ ...run, startedAt: this.startedAt }, this.timers);
  }

  /** The run ends now: its timers stop. */
  end(): void {
    this.endedAt = Date.now();
    for (const t of this.timers.splice(0)) clearInterval(t);
  }
}
