// A device's timers on the host's timing wheel, and what its message timers send per fire.
import type { DeviceGroup } from '../contract/scenario.ts';
import type { MessageKind, Session } from './adapters/adapter.ts';
import { WheelTimer } from './timing-wheel.ts';

export const enum TimerKind { Heartbeat, Status, Ping, Backoff, Unstall }

/** What a device timer calls back. */
export interface TimerOwner {
  onTimer(kind: TimerKind, intendedAt: number): void;
}

export class DeviceTimer extends WheelTimer {
  constructor(
    private readonly owner: TimerOwner,
    private readonly kind: TimerKind,
  ) {
    super();
  }
  fire(intendedAt: number): void {
    this.owner.onTimer(this.kind, intendedAt);
  }
}

/** A periodic timer's first delay: somewhere in the last `jitter` share of its interval, so devices spread out. */
export function firstPhase(every: number, jitter: number): number {
  return every * (1 - jitter) + Math.random() * every * jitter;
}

/**
 * One heartbeat/status fire: `burst` messages at once. With an inflight window, a message that
 * would exceed it is not sent but counted as held back: a device that cannot get its acks
 * must not pile up more unacknowledged messages (in its own memory and the broker's session),
 * which is what a real client's window does. The fixed cadence stays; the next fire tries again.
 * Returns how many messages were held back.
 */
export function publishBurst(session: Session, backpressure: DeviceGroup['backpressure'], kind: MessageKind, intendedAt: number): number {
  const burst = backpressure?.burst ?? 1;
  const window = backpressure?.inflight;
  for (let i = 0; i < burst; i++) {
    if (window !== undefined && session.inflight() >= window) return burst - i;
    session.publish(kind, intendedAt);
  }
  return 0;
}
