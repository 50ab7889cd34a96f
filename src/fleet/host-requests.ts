// Requests to host processes that expect one answer (device logs, pages, storms): each gets a
// request id; the answer, the host's silence (5 s) or the run's end settles it.
import type { HostCommand, HostEvent } from '../contract/host-protocol.ts';
import type { HostSlot } from './host-slot.ts';

const ANSWER_TIMEOUT_MS = 5000;

export class HostRequests {
  private reqId = 0;
  private readonly pending = new Map<number, (event: HostEvent | null) => void>();

  /** Sends a request to one host and resolves with its answer (null if it is gone or silent). */
  ask(slot: HostSlot, build: (reqId: number) => HostCommand): Promise<HostEvent | null> {
    if (slot.state === 'lost' || slot.state === 'stopped') return Promise.resolve(null);
    const reqId = ++this.reqId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        resolve(null);
      }, ANSWER_TIMEOUT_MS);
      this.pending.set(reqId, (event) => {
        clearTimeout(timer);
        resolve(event);
      });
      slot.handle.send(build(reqId));
    });
  }

  /** A host answered request `reqId`. */
  answer(reqId: number, event: HostEvent): void {
    this.pending.get(reqId)?.(event);
    this.pending.delete(reqId);
  }

  /** The run is over: every open request resolves with null. */
  cancelAll(): void {
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
  }
}
