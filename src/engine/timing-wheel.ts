// A hashed timing wheel: one interval timer per host drives every device timer, so 100k
// devices × 3 timers cost one wakeup per tick instead of 300k Node timers. Timers are
// intrusive list nodes (no allocation per schedule, O(1) cancel). A timer fires with the
// time it was meant to fire, so work delayed by a busy loop is measured from its intended
// time (no coordinated omission).
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { nowMs } from './clock.ts';

/** Bucket marker of a timer taken out of its bucket to fire in the current tick. */
const PENDING_FIRE = -2;

export abstract class WheelTimer {
  /** Tick at which the timer is due; -1 while not scheduled. */
  dueTick = -1;
  next: WheelTimer | null = null;
  prev: WheelTimer | null = null;
  bucket = -1;
  abstract fire(intendedAt: number): void;
  get scheduled(): boolean {
    return this.bucket !== -1;
  }
}

/** A WheelTimer that calls a function: for the few timers that are not device timers. */
export class CallbackTimer extends WheelTimer {
  constructor(private readonly callback: (intendedAt: number) => void) {
    super();
  }
  fire(intendedAt: number): void {
    this.callback(intendedAt);
  }
}

export class TimingWheel {
  private readonly buckets: Array<WheelTimer | null>;
  private readonly mask: number;
  private readonly origin = nowMs();
  private currentTick = 0;
  private timeout: NodeJS.Timeout | null = null;
  private running = false;
  private readonly tickListeners: Array<(now: number) => void> = [];
  /**
   * How late each wake-up came after its tick boundary, in µs: the host's event-loop lag,
   * measured by the wake-ups the wheel makes anyway (a separate lag monitor would add ~100
   * wake-ups a second per process).
   */
  readonly lateness: RecordableHistogram = createHistogram();
  /** Timers currently in a bucket. */
  size = 0;
  /** Scratch list reused by every tick (no allocation per tick). */
  private readonly firing: WheelTimer[] = [];

  constructor(
    readonly tickMs = 50,
    slots = 4096,
  ) {
    if ((slots & (slots - 1)) !== 0) throw new Error('slots must be a power of two');
    this.buckets = new Array<WheelTimer | null>(slots).fill(null);
    this.mask = slots - 1;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.currentTick = this.tickPassed(nowMs());
    this.wakeAtNextTick();
  }

  stop(): void {
    this.running = false;
    if (this.timeout) clearTimeout(this.timeout);
    this.timeout = null;
  }

  /**
   * Wakes up right after the next tick boundary (not on a free-running interval), so a timer
   * fires within a millisecond or so of its intended time while the loop is healthy, and the
   * only delay measured is real delay.
   */
  private wakeAtNextTick(): void {
    const boundary = this.timeOf(this.currentTick + 1);
    const delay = Math.max(0, boundary - nowMs());
    this.timeout = setTimeout(() => {
      const now = nowMs();
      this.lateness.record(Math.max(1, Math.round((now - boundary) * 1000)));
      this.advance(now);
      if (this.running) this.wakeAtNextTick();
    }, Math.ceil(delay));
  }

  /** Called once per processed tick batch, after due timers fired (e.g. the connect gate). */
  onTick(listener: (now: number) => void): void {
    this.tickListeners.push(listener);
  }

  /** Wall-clock time of a tick. */
  timeOf(tick: number): number {
    return this.origin + tick * this.tickMs;
  }

  now(): number {
    return nowMs();
  }

  /** Schedules `timer` to fire `delayMs` from now (rounded up to a tick; at least one tick). */
  schedule(timer: WheelTimer, delayMs: number): void {
    this.cancel(timer);
    const due = Math.max(this.currentTick + 1, this.tickAt(nowMs() + delayMs));
    this.insert(timer, due);
  }

  /** Schedules `timer` at an absolute tick (used to keep a fixed cadence from an intended time). */
  scheduleAt(timer: WheelTimer, atMs: number): void {
    this.cancel(timer);
    this.insert(timer, Math.max(this.currentTick + 1, this.tickAt(atMs)));
  }

  cancel(timer: WheelTimer): void {
    if (timer.bucket === -1) return;
    if (timer.bucket !== PENDING_FIRE) this.unlink(timer);
    timer.bucket = -1;
    timer.dueTick = -1;
  }

  private unlink(timer: WheelTimer): void {
    if (timer.prev) timer.prev.next = timer.next;
    else this.buckets[timer.bucket] = timer.next;
    if (timer.next) timer.next.prev = timer.prev;
    timer.next = timer.prev = null;
    this.size--;
  }


  /** Fires every timer due up to `now`. Public so tests can drive the wheel without waiting. */
  advance(now: number): void {
    const target = this.tickPassed(now);
    while (this.currentTick < target) {
      this.currentTick++;
      this.fireBucket(this.currentTick);
    }
    for (const l of this.tickListeners) l(now);
  }

  /** First tick at or after `ms`: where a timer due at `ms` goes, so it never fires early. */
  private tickAt(ms: number): number {
    return Math.ceil((ms - this.origin) / this.tickMs);
  }

  /** Last tick whose time has come by `ms`. */
  private tickPassed(ms: number): number {
    return Math.floor((ms - this.origin) / this.tickMs);
  }

  private insert(timer: WheelTimer, due: number): void {
    const b = due & this.mask;
    timer.dueTick = due;
    timer.bucket = b;
    timer.prev = null;
    timer.next = this.buckets[b];
    if (timer.next) timer.next.prev = timer;
    this.buckets[b] = timer;
    this.size++;
  }

  private fireBucket(tick: number): void {
    // Two passes: first take every due timer out of the bucket, then fire them. Firing may
    // cancel or reschedule any other timer (a dropped device cancels its siblings), so the
    // bucket's list must not be walked while callbacks run.
    const due = this.firing;
    let t = this.buckets[tick & this.mask];
    while (t) {
      const next = t.next;
      if (t.dueTick <= tick) {
        this.unlink(t);
        t.bucket = PENDING_FIRE;
        due.push(t);
      }
      t = next;
    }
    for (let i = 0; i < due.length; i++) {
      const timer = due[i];
      // Cancelled or rescheduled by an earlier callback of this tick: not ours to fire.
      if (timer.bucket !== PENDING_FIRE) continue;
      const intended = this.timeOf(timer.dueTick);
      timer.bucket = -1;
      timer.dueTick = -1;
      timer.fire(intended);
    }
    due.length = 0;
  }

}
