// Small real-socket helpers for the target tests.
import { connect } from 'node:net';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';

/** A WebSocket client whose incoming text frames can be awaited one by one, in order. */
export class WsInbox {
  private readonly queue: string[] = [];
  private readonly waiters: Array<(frame: string) => void> = [];
  readonly closed: Promise<void>;
  readonly ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const frame = data.toString();
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.queue.push(frame);
    });
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /** `options` adds to the defaults, e.g. ca / cert / key for wss:// URLs. */
  static open(url: string, options: ClientOptions = {}): Promise<WsInbox> {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsInbox(ws)));
      ws.once('error', reject);
    });
  }

  next(): Promise<string> {
    const frame = this.queue.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  send(frame: string): void {
    this.ws.send(frame);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Resolves with the connect error code (e.g. ECONNREFUSED), or 'connected'. */
export function tcpConnectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * Connects an mqtt.js client (no reconnect) and reports whether the broker took it: 'accepted'
 * on CONNACK, 'refused' when the connection closes (or fails) first. The client is closed after.
 */
export function mqttOutcome(url: string): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000 });
    let settled = false;
    // mqtt.js has listeners of its own (its 'close' one clears its timers): add, never remove.
    const settle = (outcome: 'accepted' | 'refused'): void => {
      if (settled) return;
      settled = true;
      client.end(true);
      resolve(outcome);
    };
    client.on('connect', () => settle('accepted'));
    client.on('close', () => settle('refused'));
    client.on('error', () => settle('refused'));
  });
}

/** Opens a WebSocket and reports 'accepted', or the handshake error (e.g. "Unexpected server response: 503"). */
export function wsOutcome(url: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => {
      ws.terminate();
      resolve('accepted');
    });
    ws.once('error', (err) => resolve(err.message));
  });
}

/** Counts outcomes: { accepted: 3, refused: 7 }. */
export function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The libuv stream handle under a client socket (what pause-reading stops on the server side too). */
interface ReadHandle {
  readStop(): number;
  readStart(): number;
}

function handleOf(socket: unknown): ReadHandle {
  const handle = (socket as { _handle?: ReadHandle | null })._handle;
  if (!handle) throw new Error('the socket has no handle (closed?)');
  return handle;
}

/**
 * Makes a client a slow reader: nothing more is read from the kernel, so what the server sends
 * piles up in the TCP buffers and then in the server's own. Stopped at the handle: socket.pause()
 * does not hold a socket whose consumer resumes it (ws, piped streams).
 */
export function stopReading(socket: unknown): void {
  handleOf(socket).readStop();
}

/** Reads again after stopReading (the handle's `reading` flag was left set, so net does not fight it). */
export function startReading(socket: unknown): void {
  handleOf(socket).readStart();
}

/** The TCP socket under a `ws` WebSocket. */
export const socketOf = (ws: WebSocket): unknown => (ws as unknown as { _socket: unknown })._socket;

/** Registers cleanups (a node:test context). */
export type Cleanup = { after(fn: () => unknown): void };

/** A connected mqtt.js client that never reconnects, with a promise for its first close. */
export async function mqttClient(t: Cleanup, url: string, options: IClientOptions = {}): Promise<{ client: MqttClient; closed: Promise<void> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  t.after(() => client.end(true));
  client.on('error', () => {}); // kicked clients may see a reset
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  return { client, closed };
}
