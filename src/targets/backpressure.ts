// Backpressure: how many bytes the target holds towards its clients (messages a slow reader has
// not taken yet), and the cap that drops a client instead of buffering for it without bound —
// case A of the field notes, where slow readers made a proxy's buffers grow until it died, and
// small buffers (proxy_buffering off) kept its memory flat.
import { DEFAULT_SLOW_CLIENT_BYTES } from '../contract/target.ts';
import type { ClientConnection } from './connections.ts';
import type { DropLog } from './drop-log.ts';

/** Throws unless `bytes` is a usable cap (bytes >= 0, 0 = no cap). */
export function checkMaxClientBuffer(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
    throw new RangeError(`maxClientBuffer: expected bytes >= 0 (0 = no cap), got ${String(bytes)}`);
  }
}

function checkSlowClientBytes(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
    throw new RangeError(`slowClientBytes: expected bytes >= 0, got ${String(bytes)}`);
  }
}

export interface BufferSample {
  bufferedBytes: number;
  maxClientBufferedBytes: number;
  slowClients: number;
}

/**
 * The cap shared by the target's servers (it outlives restarts, so droppedSlowClients counts
 * since start). The room server also asks it before each send; the sampler covers everyone.
 */
export class BufferCap {
  /** Clients dropped for exceeding the cap. */
  dropped = 0;
  private max = 0;
  readonly slowClientBytes: number;
  /** Connections already dropped, so a client is counted once however many checks see it. */
  private readonly gone = new WeakSet<ClientConnection>();

  /** `log`: where each dropped client is named (by device id) for the parent. */
  constructor(maxClientBuffer = 0, slowClientBytes = DEFAULT_SLOW_CLIENT_BYTES, private readonly log?: DropLog) {
    checkSlowClientBytes(slowClientBytes);
    this.slowClientBytes = slowClientBytes;
    this.set(maxClientBuffer);
  }

  /** The cap in bytes; 0 = no cap. */
  get bytes(): number {
    return this.max;
  }

  /** Changes the cap at once (the next send or sample applies it). */
  set(bytes: number): void {
    checkMaxClientBuffer(bytes);
    this.max = bytes;
  }

  /** True when `buffered` bytes are over the cap (never without one). */
  exceeded(buffered: number): boolean {
    return this.max > 0 && buffered > this.max;
  }

  /** Drops the client when `buffered` is over the cap; true if it did (or had already). */
  enforce(connection: ClientConnection, buffered: number): boolean {
    if (!this.exceeded(buffered)) return false;
    this.drop(connection);
    return true;
  }

  /** Drops a client over the cap (once) and counts it. */
  drop(connection: ClientConnection): void {
    if (this.gone.has(connection)) return;
    this.gone.add(connection);
    this.dropped++;
    this.log?.record(connection.deviceId(), 'cap');
    connection.drop();
  }

  /**
   * Sums what every open connection has buffered. With `enforce`, drops those over the cap too,
   * and a dropped client no longer counts (its buffers go with its socket); without, it only
   * looks, so stats show what the target really holds. Cost: one pass, a few property reads per
   * connection.
   */
  sample(connections: Iterable<ClientConnection>, enforce: boolean): BufferSample {
    let bufferedBytes = 0;
    let maxClientBufferedBytes = 0;
    let slowClients = 0;
    for (const c of connections) {
      if (c.socket.destroyed) continue;
      const buffered = c.bufferedBytes();
      if (enforce && this.exceeded(buffered)) {
        this.drop(c);
        continue;
      }
      bufferedBytes += buffered;
      if (buffered > maxClientBufferedBytes) maxClientBufferedBytes = buffered;
      if (buffered > this.slowClientBytes) slowClients++;
    }
    return { bufferedBytes, maxClientBufferedBytes, slowClients };
  }
}
