// Client connections as the fault knobs see them, and the socket-level pieces the faults and the
// admission control use: stopping and restarting reads, and refusing a WebSocket upgrade.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { streamHandleOf } from '../shared/stream-handle.ts';

/** One accepted client connection: MQTT over TCP or WebSocket, or a room WebSocket. */
export interface ClientConnection {
  /** The TCP socket underneath (for WebSockets, the upgraded HTTP socket). */
  readonly socket: Socket;
  /** True for a counted client: an MQTT client whose CONNECT was accepted, an open room WebSocket. */
  isClient(): boolean;
  /** Drops the client the way the server would. */
  kick(): void;
  /**
   * Bytes queued towards the client and not yet taken by the kernel (user space plus the socket's
   * write buffer): what a slow reader makes the server hold.
   */
  bufferedBytes(): number;
  /** Disconnects the client at once, discarding what is buffered for it (the backpressure cap). */
  drop(): void;
  /** The device it connected as (MQTT client id; a room client's `device` URL parameter), if known. */
  deviceId(): string | undefined;
  /**
   * Postpones the server's own keepalive deadline (MQTT). While reading is paused nothing
   * arrives, and a stalled server does not run its keepalive check either: the point of the
   * fault is that the devices' keepalive gives up, not the broker's.
   */
  holdKeepalive?(): void;
}

/** How many pauses hold each socket, so overlapping pause faults resume it only at the last one's end. */
const pauses = new WeakMap<Socket, number>();

/**
 * Stops reading from the socket: nothing more is taken from the kernel, so the client's packets
 * (pings included) wait in the socket buffers and, once those fill, TCP flow control pushes
 * back. socket.pause() alone is not enough: aedes consumes in 'readable' mode (read() calls),
 * which pause() does not stop, and a WebSocket wrapper resumes the socket on its own. So the
 * read is stopped at the handle, and `reading` is left set so that net's own _read (what a
 * consumer's read() or resume() ends in) does not start it again. Data already read into the
 * socket stays consumable: it arrived before the pause. False if the socket is gone.
 */
export function pauseReading(socket: Socket): boolean {
  if (socket.destroyed) return false;
  const held = pauses.get(socket) ?? 0;
  pauses.set(socket, held + 1);
  if (held > 0) return true;
  const handle = streamHandleOf(socket);
  if (handle) {
    handle.readStop();
    handle.reading = true;
  } else {
    socket.pause(); // no handle to stop (not expected for accepted sockets): the best we have
  }
  return true;
}

/** Undoes one pauseReading; the socket reads again when no pause holds it. */
export function resumeReading(socket: Socket): void {
  const held = pauses.get(socket);
  if (held === undefined) return;
  if (held > 1) {
    pauses.set(socket, held - 1);
    return;
  }
  pauses.delete(socket);
  if (socket.destroyed) return;
  const handle = streamHandleOf(socket);
  if (!handle) {
    socket.resume();
  } else if (handle.readStart() !== 0) {
    socket.destroy(); // the handle is closing; it cannot be read again
  }
}

/**
 * The answer to a WebSocket upgrade over the accept rate: 503 with Retry-After, which is what an
 * overloaded HTTP front (nginx limit_conn/limit_req, a load balancer with no capacity) answers a
 * handshake with, and what WebSocket clients report as a failed handshake with status 503.
 */
const REFUSED_BODY = 'over the accept rate, try later\n';
const REFUSED_UPGRADE =
  'HTTP/1.1 503 Service Unavailable\r\n' +
  'Retry-After: 1\r\n' +
  'Connection: close\r\n' +
  'Content-Type: text/plain\r\n' +
  `Content-Length: ${Buffer.byteLength(REFUSED_BODY)}\r\n` +
  '\r\n' +
  REFUSED_BODY;

export function refuseUpgrade(socket: Duplex): void {
  socket.on('error', () => {}); // a client that resets first is fine: it is refused either way
  socket.once('finish', () => socket.destroy());
  socket.end(REFUSED_UPGRADE);
}
