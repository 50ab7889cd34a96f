// The one interface every protocol adapter implements. A Session is one connection attempt
// of one device; the adapter reports back through the DeviceLink.
import type { LatencyKind } from '../../contract/metrics.ts';
import type { DeviceGroup } from '../../contract/scenario.ts';
import { isTlsUrl } from '../../contract/target-urls.ts';
import { streamHandleOf, type StreamHandle } from '../../shared/stream-handle.ts';
import { buildPayloads, type PayloadSource } from './payloads.ts';
import { resetSocket } from './socket-reset.ts';
import { TlsMaterial } from './tls-material.ts';

export type MessageKind = 'heartbeat' | 'status';

export interface DeviceLink {
  readonly id: string;
  readonly index: number;
  readonly room: string;
  readonly group: DeviceGroup;
  /** The target this device connects to: the group's url, or one of its urls (spread by index, ws by room). */
  readonly url: string;
  /** Source address to connect from (round-robin over the group's sourceAddresses). */
  readonly localAddress: string | undefined;
  /** The device's last TLS session, kept for resumption (tls.sessionResumption). */
  tlsSession: Buffer | undefined;
  /** Transport is up (TCP/TLS connected, WebSocket open). */
  transportOpen(): void;
  /** A TLS handshake finished: its duration (TCP connected to handshake done) and whether it resumed a session. */
  tlsHandshake(ms: number, resumed: boolean): void;
  /** The device is online (CONNACK accepted, WebSocket open and joined). */
  online(): void;
  /** The connection is gone; exactly once per session. */
  closed(reason: string): void;
  received(bytes: number): void;
  sent(kind: MessageKind | 'ping', bytes: number): void;
  latency(kind: LatencyKind, ms: number): void;
  log(kind: 'subscribed' | 'joined' | 'error', detail?: string): void;
}

export interface Session {
  publish(kind: MessageKind, intendedAt: number): void;
  /** Protocol ping (WebSocket ping frame); adapters that ping by themselves ignore it. */
  ping(intendedAt: number): void;
  /** Graceful close (MQTT DISCONNECT, WebSocket close handshake); closed() follows. */
  close(): void;
  /** Immediate teardown; closed() follows. */
  destroy(): void;
  /** Tear down with a TCP reset (RST), as a crashed peer or middlebox would. */
  reset(): void;
  /** Stop reading and hold every write, as if the network went silent; unstall() undoes it. */
  stall(): void;
  unstall(): void;
  /** Bytes written and not yet taken by the kernel: the socket's write buffer (ws: bufferedAmount). */
  writeQueueBytes(): number;
  /** QoS 1 PUBLISHes awaiting their PUBACK; 0 for protocols without acknowledgements. */
  inflight(): number;
  /**
   * From now on read at most `bytesPerSec` from the socket (0: stop reading); null lifts the
   * limit. The budget is refilled by pumpReads() on every wheel tick.
   */
  limitReads(bytesPerSec: number | null, now: number): void;
  pumpReads(now: number): void;
}

export interface ProtocolAdapter {
  /** True when the protocol library keeps its own keepalive (the device then schedules no ping timer). */
  readonly selfPinging: boolean;
  /**
   * Undefined when the device can connect at once; otherwise a promise to wait for before
   * open() (a client certificate being issued from the test PKI).
   */
  prepare(device: DeviceLink): Promise<unknown> | undefined;
  /** Opens one connection attempt; may throw (an unreadable per-device file), which fails the attempt. */
  open(device: DeviceLink): Session;
  /** The group's timers changed (payload sizes, templates). */
  refresh(): void;
}

/** What every adapter keeps per group: its TLS material and message bodies. */
export abstract class GroupAdapter implements ProtocolAdapter {
  abstract readonly selfPinging: boolean;
  /** The group's TLS material; null for plain (non-TLS) URLs. */
  readonly tls: TlsMaterial | null;
  payloads: Partial<Record<MessageKind, PayloadSource>>;

  constructor(readonly group: DeviceGroup) {
    this.tls = isTlsUrl(group.url) ? new TlsMaterial(group) : null;
    this.payloads = buildPayloads(group);
  }

  prepare(device: DeviceLink): Promise<unknown> | undefined {
    return this.tls?.prepare(device);
  }

  refresh(): void {
    this.payloads = buildPayloads(this.group);
  }

  abstract open(device: DeviceLink): Session;
}

/** How much unused read budget a slow reader may save up while the peer sends nothing, in seconds of its rate. */
const READ_CREDIT_S = 0.25;

/**
 * Stalls, resets and slows down a session's socket. A stall stops reads and holds writes in the
 * socket's cork buffer; a read limit (a slow reader) stops reads whenever the socket has read
 * its budget. Both stop reads on the socket's handle, not with pause(): a piped socket keeps
 * reading from the kernel and would still see the peer's FIN. Stopping on the handle (what
 * net.Socket does internally) leaves everything unread in the kernel, as on a dead or slow link.
 */
export class SocketFaults {
  private socket: import('node:net').Socket | null = null;
  private stalled = false;
  /** The read limit: bytes/s, the `bytesRead` the socket may reach, and when that was last refilled. */
  private limit: { rate: number; allowed: number; at: number } | null = null;
  private overBudget = false;
  /** Reads are stopped by us (stall or read limit). */
  private stopped = false;
  /** The handle whose readStart we gate, and its own readStart. */
  private gated: { handle: StreamHandle; readStart: () => number } | null = null;

  attach(socket: import('node:net').Socket): void {
    this.socket = socket;
  }

  /** Bytes written to the socket and not yet taken by the kernel (corked writes included). */
  writeQueueBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  stall(): void {
    if (!this.socket || this.stalled) return;
    this.stalled = true;
    this.applyReads();
    this.socket.cork();
  }

  unstall(): void {
    if (!this.socket || !this.stalled) return;
    this.stalled = false;
    this.socket.uncork();
    this.applyReads();
  }

  /**
   * Limits reads to `bytesPerSec` from now on (0: no reads at all), or lifts the limit (null).
   * The budget starts empty and is refilled by pumpReads(); within a tick, every chunk read is
   * checked against it, and stopping inside the read callback ends libuv's read loop after that
   * chunk, so the socket reads at most its budget plus one chunk (64 KiB). (While the consumer
   * has paused the socket, a chunk is buffered without a 'data' event and only the next tick sees
   * it: then one more chunk.)
   */
  limitReads(bytesPerSec: number | null, now: number): void {
    const socket = this.socket;
    if (!socket) return;
    if (bytesPerSec === null) {
      if (!this.limit) return;
      socket.off('data', this.checkBudget);
      this.limit = null;
      this.overBudget = false;
    } else {
      if (this.limit) socket.off('data', this.checkBudget);
      this.limit = { rate: bytesPerSec, allowed: socket.bytesRead, at: now };
      if (bytesPerSec > 0) socket.on('data', this.checkBudget);
      this.overBudget = true;
    }
    this.applyReads();
  }

  /** Refills the read budget (token bucket, at most READ_CREDIT_S of unused credit); called once per wheel tick. */
  pumpReads(now: number): void {
    const { limit, socket } = this;
    if (!limit || limit.rate === 0 || !socket || socket.destroyed) return;
    const read = socket.bytesRead;
    limit.allowed = Math.min(limit.allowed + (limit.rate * (now - limit.at)) / 1000, read + limit.rate * READ_CREDIT_S);
    limit.at = now;
    this.overBudget = read >= limit.allowed;
    this.applyReads();
  }

  private readonly checkBudget = (): void => {
    if (this.overBudget || !this.limit || !this.socket || this.socket.bytesRead < this.limit.allowed) return;
    this.overBudget = true;
    this.applyReads();
  };

  /** Starts or stops reads on the handle to match the stall and the read budget. */
  private applyReads(): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    const stop = this.stalled || this.overBudget;
    if (stop === this.stopped) return;
    this.stopped = stop;
    const handle = streamHandleOf(socket);
    if (!handle) {
      if (stop) socket.pause();
      else socket.resume();
      return;
    }
    if (stop) {
      this.gate(handle);
      handle.readStop();
    } else if (handle.reading !== false) {
      // net.Socket wants to read (it has not paused for flow control of its own): start again.
      // Otherwise it calls readStart itself when its consumer is ready (through the gate).
      if (this.gated?.handle === handle) this.gated.readStart();
      else handle.readStart();
    }
  }

  /**
   * net.Socket restarts reads by itself. When its consumer pauses (a pipe into mqtt.js's parser
   * waiting for a write, ws's receiver), a chunk read meanwhile is buffered without a 'data'
   * event, and net.Socket stops the handle and marks it not reading; when the consumer resumes,
   * `_read()` calls `_handle.readStart()`. If the budget ran out in between, that would restart
   * reads for good. While we hold reads stopped the call is swallowed; net.Socket believes it is
   * reading, which it will be once we start the handle again.
   */
  private gate(handle: StreamHandle): void {
    if (this.gated?.handle === handle) return;
    const readStart = handle.readStart.bind(handle);
    handle.readStart = () => (this.stopped ? 0 : readStart());
    this.gated = { handle, readStart };
  }

  /** True when a reset was sent (a socket was there to reset). */
  reset(): boolean {
    return this.socket ? resetSocket(this.socket) : false;
  }
}

/**
 * The socket-level faults every session supports, delegated to a SocketFaults made on the first
 * fault (most devices never see one: they keep only their socket reference).
 */
export abstract class FaultableSession {
  private socketForFaults: import('node:net').Socket | null = null;
  private faultState: SocketFaults | null = null;

  abstract destroy(): void;

  /** The socket faults act on (for WebSocket devices, the TCP/TLS socket under it). */
  protected attachSocket(socket: import('node:net').Socket): void {
    this.socketForFaults = socket;
    this.faultState?.attach(socket);
  }

  protected get faults(): SocketFaults {
    if (!this.faultState) {
      this.faultState = new SocketFaults();
      if (this.socketForFaults) this.faultState.attach(this.socketForFaults);
    }
    return this.faultState;
  }

  reset(): void {
    if (!this.faults.reset()) this.destroy();
  }

  /**
   * Ends an attempt given up before it was online with a RST (socket-reset.ts), so the broker
   * cannot act on a CONNECT it has not read yet; false when there is no socket to reset.
   */
  protected abandonSocket(): boolean {
    return this.socketForFaults ? resetSocket(this.socketForFaults) : false;
  }

  stall(): void {
    this.faults.stall();
  }

  unstall(): void {
    this.faultState?.unstall();
  }

  limitReads(bytesPerSec: number | null, now: number): void {
    if (bytesPerSec === null && !this.faultState) return;
    this.faults.limitReads(bytesPerSec, now);
  }

  pumpReads(now: number): void {
    this.faultState?.pumpReads(now);
  }
}
