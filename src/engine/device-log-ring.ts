// The last N events of one device, kept compactly: times in a Float64Array, kinds as bytes, and
// details only for the events that carry one. Storage starts small and doubles up to the
// capacity, so a device that logs a few events costs a few dozen bytes, not an object per event.
import { DEVICE_EVENT_KINDS, type DeviceEvent, type DeviceEventKind } from '../contract/device-log.ts';

const KIND_CODE = new Map<DeviceEventKind, number>(DEVICE_EVENT_KINDS.map((k, i) => [k, i]));
const FIRST_SLOTS = 8;

export class EventRing {
  private times: Float64Array;
  private kinds: Uint8Array;
  private details: (string | undefined)[] | null = null;
  /** Events ever pushed; the oldest kept is at (count - size) % slots once the ring wrapped. */
  private count = 0;

  constructor(private readonly capacity: number) {
    const slots = Math.min(capacity, FIRST_SLOTS);
    this.times = new Float64Array(slots);
    this.kinds = new Uint8Array(slots);
  }

  get size(): number {
    return Math.min(this.count, this.times.length);
  }

  push(kind: DeviceEventKind, detail?: string): void {
    if (this.capacity === 0) return;
    if (this.count === this.times.length && this.count < this.capacity) this.grow();
    const slot = this.count % this.times.length;
    this.times[slot] = Date.now();
    this.kinds[slot] = KIND_CODE.get(kind) ?? 0;
    if (detail !== undefined) (this.details ??= [])[slot] = detail;
    else if (this.details) this.details[slot] = undefined;
    this.count++;
  }

  /** Oldest first. */
  list(): DeviceEvent[] {
    const slots = this.times.length;
    const size = this.size;
    const out: DeviceEvent[] = [];
    for (let i = this.count - size; i < this.count; i++) {
      const slot = i % slots;
      const detail = this.details?.[slot];
      const kind = DEVICE_EVENT_KINDS[this.kinds[slot]];
      out.push(detail === undefined ? { t: this.times[slot], kind } : { t: this.times[slot], kind, detail });
    }
    return out;
  }

  // Only called while the ring has not wrapped, so slots keep their order.
  private grow(): void {
    const slots = Math.min(this.capacity, this.times.length * 2);
    const times = new Float64Array(slots);
    times.set(this.times);
    const kinds = new Uint8Array(slots);
    kinds.set(this.kinds);
    this.times = times;
    this.kinds = kinds;
  }
}

/**
 * Events kept per device on a host: the scenario's logRing, but no more than the host's budget
 * shared over its devices (at least a few each), so a big fleet's logs stay a few MB per host
 * however many storms it goes through. Every event still reaches the run's event log.
 */
export const HOST_EVENT_BUDGET = 250_000;
const MIN_PER_DEVICE = 16;
export function ringCapacity(logRing: number, devicesOnHost: number): number {
  if (logRing === 0) return 0;
  return Math.min(logRing, Math.max(MIN_PER_DEVICE, Math.floor(HOST_EVENT_BUDGET / Math.max(1, devicesOnHost))));
}
