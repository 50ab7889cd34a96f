// Small real-socket helpers for the target tests.
import { connect } from 'node:net';
import { WebSocket } from 'ws';

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

  static open(url: string): Promise<WsInbox> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
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
