// The last N events of one device, allocated only when the device logs its first event.
import type { DeviceEvent, DeviceEventKind } from '../contract/device-log.ts';

export class EventRing {
  private events: DeviceEvent[] = [];
  private start = 0;

  constructor(private readonly capacity: number) {}

  push(kind: DeviceEventKind, detail?: string): void {
    if (this.capacity === 0) return;
    const e: DeviceEvent = detail === undefined ? { t: Date.now(), kind } : { t: Date.now(), kind, detail };
    if (this.events.length < this.capacity) {
      this.events.push(e);
    } else {
      this.events[this.start] = e;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  list(): DeviceEvent[] {
    return [...this.events.slice(this.start), ...this.events.slice(0, this.start)];
  }
}
