// Questions to host processes that expect one answer (device logs, pages, storms): each gets a
// request id; the matching answer, the host's silence, its loss or the run's end settles it.
import { answersKind, type HostCommand, type HostResponse, type RequestKind, type RequestOf, type ResponseOf } from '../contract/host-protocol.ts';

/** A host did not answer within the answer timeout (`timeout` names which wait ran out). */
export class HostTimeoutError extends Error {
  constructor(
    readonly timeout: 'readyMs' | 'answerMs',
    readonly ms: number,
    message: string,
  ) {
    super(`${message} within ${seconds(ms)}`);
  }
}

/** A question that will get no answer: the host is gone, the run ended, or the host answered something else. */
export class HostRequestError extends Error {}

export const seconds = (ms: number): string => `${ms / 1000} s`;

interface Pending {
  hostId: number;
  kind: RequestKind;
  settle(response: HostResponse | Error): void;
}

export class HostRequests {
  private reqId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly answerTimeoutMs: number) {}

  /** Sends `request` through `send` and resolves with its answer; rejects when none will come. */
  ask<K extends RequestKind>(hostId: number, request: RequestOf<K> & { type: K }, send: (command: HostCommand) => void): Promise<ResponseOf<K>> {
    const reqId = ++this.reqId;
    return new Promise<ResponseOf<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject(new HostTimeoutError('answerMs', this.answerTimeoutMs, `host ${hostId} did not answer ${request.type}`));
      }, this.answerTimeoutMs);
      this.pending.set(reqId, {
        hostId,
        kind: request.type,
        settle: (response) => {
          clearTimeout(timer);
          this.pending.delete(reqId);
          if (response instanceof Error) reject(response);
          else if (answersKind(request.type, response)) resolve(response);
          else reject(new HostRequestError(`host ${hostId} answered ${request.type} with ${response.type}`));
        },
      });
      send({ ...request, reqId });
    });
  }

  /** Host `hostId` answered request `reqId`; an answer nobody waits for any more (timed out) is dropped. */
  answer(hostId: number, reqId: number, response: HostResponse): void {
    const pending = this.pending.get(reqId);
    if (!pending) return;
    pending.settle(pending.hostId === hostId ? response : new HostRequestError(`host ${hostId} answered request ${reqId}, which was for host ${pending.hostId}`));
  }

  /** Host `hostId` is gone: its open questions fail now rather than at their timeout. */
  failHost(hostId: number, why: string): void {
    for (const p of [...this.pending.values()]) if (p.hostId === hostId) p.settle(new HostRequestError(`host ${hostId} gave no answer to ${p.kind}: ${why}`));
  }

  /** The run is over: every open question fails. */
  cancelAll(why: string): void {
    for (const p of [...this.pending.values()]) p.settle(new HostRequestError(`host ${p.hostId} gave no answer to ${p.kind}: ${why}`));
  }

  get open(): number {
    return this.pending.size;
  }
}
