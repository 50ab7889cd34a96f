// A hashed timing wheel: one interval timer per host drives every device timer, so 100k
// devices × 3 timers cost one wakeup per tick instead of 300k Node timers. Timers are
// intrusive list nodes (no allocation per schedule, O(1) cancel). A timer fires with the
// time it was meant to fire, so work delayed by a busy loop is measured from its intended
// time (no coordinated omission).
import { nowMs } from './clock.ts';

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
  private interval: NodeJS.Timeout | null = null;
  private readonly tickListeners: Array<(now: number) => void> = [];
  /** Timers currently scheduled. */
  size = 0;

  constructor(
    readonly tickMs = 50,
    slots = 4096,
  ) {
    if ((slots & (slots - 1)) !== 0) throw new Error('slots must be a power of two');
    this.buckets = new Array<WheelTimer | null>(slots).fill(null);
    this.mask = slots - 1;
  }

  start(): void {
    if (this.interval) return;
    this.currentTick = this.tickAt(nowMs());
    this.interval = setInterval(() => this.advance(nowMs()), this.tickMs);
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
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
    if (timer.bucket !== -1) this.cancel(timer);
    const due = Math.max(this.currentTick + 1, this.tickAt(nowMs() + delayMs));
    this.insert(timer, due);
  }

  /** Schedules `timer` at an absolute tick (used to keep a fixed cadence from an intended time). */
  scheduleAt(timer: WheelTimer, atMs: number): void {
    if (timer.bucket !== -1) this.cancel(timer);
    this.insert(timer, Math.max(this.currentTick + 1, this.tickAt(atMs)));
  }

  cancel(timer: WheelTimer): void {
    if (timer.bucket === -1) return;
    if (timer.prev) timer.prev.next = timer.next;
    else this.buckets[timer.bucket] = timer.next;
    if (timer.next) timer.next.prev = timer.prev;
    timer.next = timer.prev = null;
    timer.bucket = -1;
    timer.dueTick = -1;
    this.size--;
  }

  /** Fires every timer due up to `now`. Public so tests can drive the wheel without waiting. */
  advance(now: number): void {
    const target = this.tickAt(now);
    while (this.currentTick < target) {
      this.currentTick++;
      this.fireBucket(this.currentTick);
    }
    for (const l of this.tickListeners) l(now);
  }

  private tickAt(ms: number): number {
    return Math.ceil((ms - this.origin) / this.tickMs);
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
    // New timers are inserted at the head, so walking forward from the old head never visits
    // a timer scheduled while this bucket fires.
    let t = this.buckets[tick & this.mask];
    while (t) {
      const next = t.next;
      if (t.dueTick <= tick) {
        const intended = this.timeOf(t.dueTick);
        this.cancel(t);
        t.fire(intended);
      }
      t = next;
    }
  }
}
