// The one interface every protocol adapter implements. A Session is one connection attempt
// of one device; the adapter reports back through the DeviceLink.
import type { LatencyKind } from '../../contract/metrics.ts';
import type { DeviceGroup } from '../../contract/scenario.ts';
import { buildPayloads, type PayloadSource } from './payloads.ts';
import { loadTls, type TlsMaterial } from './tls-files.ts';

export type MessageKind = 'heartbeat' | 'status';

export interface DeviceLink {
  readonly id: string;
  readonly index: number;
  readonly room: string;
  readonly group: DeviceGroup;
  /** Source address to connect from (round-robin over the group's sourceAddresses). */
  readonly localAddress: string | undefined;
  /** Transport is up (TCP/TLS connected, WebSocket open). */
  transportOpen(): void;
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
}

export interface ProtocolAdapter {
  /** True when the protocol library keeps its own keepalive (the device then schedules no ping timer). */
  readonly selfPinging: boolean;
  open(device: DeviceLink): Session;
  /** The group's timers changed (payload sizes, templates). */
  refresh(): void;
}

/** What every adapter keeps per group: its TLS material and message bodies. */
export abstract class GroupAdapter implements ProtocolAdapter {
  abstract readonly selfPinging: boolean;
  readonly tls: TlsMaterial;
  payloads: Partial<Record<MessageKind, PayloadSource>>;

  constructor(readonly group: DeviceGroup) {
    this.tls = loadTls(group);
    this.payloads = buildPayloads(group);
  }

  refresh(): void {
    this.payloads = buildPayloads(this.group);
  }

  abstract open(device: DeviceLink): Session;
}

/** Stalls and resets a session's socket: reads paused, writes held in the socket's cork buffer. */
export class SocketFaults {
  private socket: import('node:net').Socket | null = null;
  private corked = false;

  attach(socket: import('node:net').Socket): void {
    this.socket = socket;
  }

  stall(): void {
    if (!this.socket || this.corked) return;
    this.corked = true;
    // pause() is not enough: a piped socket keeps reading from the kernel and would still see
    // the peer's FIN. Stopping reads on the handle (what net.Socket does internally) leaves
    // everything unread in the kernel, as on a dead link.
    const handle = handleOf(this.socket);
    if (handle) handle.readStop();
    else this.socket.pause();
    this.socket.cork();
  }

  unstall(): void {
    if (!this.socket || !this.corked) return;
    this.corked = false;
    this.socket.uncork();
    const handle = handleOf(this.socket);
    if (handle) handle.readStart();
    else this.socket.resume();
  }

  /** True when a reset was sent (a socket was there to reset). */
  reset(): boolean {
    if (!this.socket || this.socket.destroyed) return false;
    this.socket.resetAndDestroy();
    return true;
  }
}

interface StreamHandle {
  readStop(): number;
  readStart(): number;
}

function handleOf(socket: import('node:net').Socket): StreamHandle | null {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  return handle && typeof handle.readStop === 'function' && typeof handle.readStart === 'function' ? (handle as StreamHandle) : null;
}
