// A lean WebSocket client (RFC 6455) for devices: the HTTP upgrade and frames written straight
// on a net/tls socket, no permessage-deflate. A connection keeps its socket and a few fields,
// where a `ws` WebSocket (with its HTTP request, receiver and sender streams) costs ~11 KB
// resident per connection.
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import type net from 'node:net';
import { frameTooLarge } from '../disconnect-reason.ts';
import { PendingBytes } from './pending-bytes.ts';
import { listenOnSocket, type SocketListener } from './socket-listener.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_HEAD_BYTES = 16 * 1024;
const CLOSE_WAIT_MS = 3000;

export const enum Opcode {
  Continuation = 0,
  Text = 1,
  Binary = 2,
  Close = 8,
  Ping = 9,
  Pong = 10,
}

export interface WsSink {
  onOpen(): void;
  onMessage(data: Buffer, isBinary: boolean): void;
  onPong(): void;
  onError(err: Error): void;
  /** Exactly once; 1006 when the connection ended without a close frame. */
  onClose(code: number): void;
}

export interface WsWireOptions {
  protocols: string[];
  headers: Record<string, string>;
  handshakeTimeout: number;
  /** The largest message taken from the server (all its fragments); a larger one fails with frame-too-large. */
  maxMessageBytes: number;
}

/** Random bytes for frame masks, refilled 8 KB at a time rather than asked for per frame. */
const maskPool = Buffer.alloc(8192);
let maskAt = maskPool.length;
function nextMask(): Buffer {
  if (maskAt + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  maskAt += 4;
  return maskPool.subarray(maskAt - 4, maskAt);
}

/** One client-to-server frame (masked, FIN set). */
export function encodeFrame(opcode: Opcode, payload: Buffer): Buffer {
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65_536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + lenBytes + 4 + len);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | (lenBytes === 0 ? len : lenBytes === 2 ? 126 : 127);
  if (lenBytes === 2) frame.writeUInt16BE(len, 2);
  else if (lenBytes === 8) frame.writeBigUInt64BE(BigInt(len), 2);
  const maskAtFrame = 2 + lenBytes;
  nextMask().copy(frame, maskAtFrame);
  for (let i = 0; i < len; i++) frame[maskAtFrame + 4 + i] = payload[i] ^ frame[maskAtFrame + (i & 3)];
  return frame;
}

export class WsWire implements SocketListener {
  /** The handshake's key and URL: dropped once the server has accepted. */
  private key = randomBytes(16).toString('base64');
  private url: URL | null;
  private open = false;
  /** An unfinished response head or frame. */
  private pending: PendingBytes | null = null;
  private fragments: Buffer[] | null = null;
  private fragmentBytes = 0;
  private fragmentOpcode = 0;
  private closeSent = false;
  private closeCode = 1006;
  private closed = false;
  private timer: NodeJS.Timeout | null;

  /**
   * Speaks WebSocket on `socket` (TCP, or TLS for wss://) once it emits `openEvent` ('connect' or
   * 'secureConnect'); the socket is the caller's to open, from the device's source address.
   */
  constructor(
    readonly socket: net.Socket,
    openEvent: 'connect' | 'secureConnect',
    url: URL,
    private readonly options: WsWireOptions,
    private readonly sink: WsSink,
  ) {
    listenOnSocket(socket, openEvent, this);
    this.url = url;
    this.timer = setTimeout(() => this.fail(new Error('Opening handshake has timed out')), options.handshakeTimeout);
  }

  get isOpen(): boolean {
    return this.open && !this.closeSent;
  }

  /** Bytes written and not yet taken by the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  send(data: string | Buffer, binary = false): void {
    if (!this.isOpen) return;
    this.socket.write(encodeFrame(binary ? Opcode.Binary : Opcode.Text, typeof data === 'string' ? Buffer.from(data) : data));
  }

  ping(): void {
    if (this.isOpen) this.socket.write(encodeFrame(Opcode.Ping, Buffer.alloc(0)));
  }

  /** The closing handshake: our close frame, then the server's, then the socket ends (or is cut after a wait). */
  close(code = 1000): void {
    if (!this.open) return this.terminate();
    if (this.closeSent) return;
    this.closeSent = true;
    const payload = Buffer.allocUnsafe(2);
    payload.writeUInt16BE(code, 0);
    this.socket.write(encodeFrame(Opcode.Close, payload));
    this.timer = setTimeout(() => this.terminate(), CLOSE_WAIT_MS);
  }

  terminate(): void {
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.sink.onError(err);
    this.socket.destroy();
  }

  // ---- socket events ----

  /** The transport is open: send the opening handshake. */
  onOpen(): void {
    const url = this.url;
    if (!url) return;
    const { headers, protocols } = this.options;
    const lines = [
      `GET ${url.pathname || '/'}${url.search} HTTP/1.1`,
      `Host: ${url.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${this.key}`,
      'Sec-WebSocket-Version: 13',
      ...(protocols.length ? [`Sec-WebSocket-Protocol: ${protocols.join(', ')}`] : []),
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  }

  onMessage(data: Buffer): void {
    // Bytes of an unfinished frame wait in `pending` until the frame is whole.
    const buf = this.pending ? this.pending.add(data) : data;
    if (!buf) return;
    this.pending = null;
    if (!this.open) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) return this.fail(new Error('Invalid HTTP response: headers too long'));
        this.pending = new PendingBytes(Buffer.from(buf), buf.length + 1);
        return;
      }
      const problem = this.checkUpgrade(buf.toString('latin1', 0, end));
      if (problem) return this.fail(problem);
      this.open = true;
      this.key = '';
      this.url = null;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.sink.onOpen();
      if (end + 4 < buf.length) this.onFrames(buf.subarray(end + 4));
      return;
    }
    this.onFrames(buf);
  }

  /** An error when the response is not a valid switch to this WebSocket (messages as `ws` words them). */
  private checkUpgrade(head: string): Error | null {
    const [status, ...fields] = head.split('\r\n');
    const code = Number(/^HTTP\/1\.[01] (\d{3})/.exec(status)?.[1] ?? 0);
    if (code !== 101) return new Error(`Unexpected server response: ${code}`);
    const header = (name: string) => fields.find((f) => f.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    const accept = createHash('sha1').update(this.key + GUID).digest('base64');
    if (header('sec-websocket-accept') !== accept) return new Error('Invalid Sec-WebSocket-Accept header');
    const protocol = header('sec-websocket-protocol');
    if (this.options.protocols.length && protocol && !this.options.protocols.includes(protocol)) return new Error('Server sent an invalid subprotocol');
    return null;
  }

  /** Every whole frame in `buf`; the rest waits, as its own copy, for the bytes it needs. */
  private onFrames(buf: Buffer): void {
    let at = 0;
    let need = 0;
    while (!this.socket.destroyed) {
      const available = buf.length - at;
      if (available < 2) {
        need = 2;
        break;
      }
      const fin = (buf[at] & 0x80) !== 0;
      const opcode = buf[at] & 0x0f;
      const masked = (buf[at + 1] & 0x80) !== 0;
      let len = buf[at + 1] & 0x7f;
      let head = 2;
      if (len === 126) {
        if (available < 4) {
          need = 4;
          break;
        }
        len = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (len === 127) {
        if (available < 10) {
          need = 10;
          break;
        }
        // Two halves rather than a BigInt: exact up to 2^53, and anything that large is refused anyway.
        len = buf.readUInt32BE(at + 2) * 0x1_0000_0000 + buf.readUInt32BE(at + 6);
        head = 10;
      }
      if (masked) return this.fail(new Error('Invalid WebSocket frame: MASK must be clear'));
      // Refused as soon as it is declared: nothing of it is buffered.
      if (len > this.options.maxMessageBytes) return this.fail(frameTooLarge(len, this.options.maxMessageBytes));
      if (available < head + len) {
        need = head + len;
        break;
      }
      this.onFrame(fin, opcode, buf.subarray(at + head, at + head + len));
      at += head + len;
    }
    if (at < buf.length && !this.socket.destroyed) this.pending = new PendingBytes(Buffer.from(buf.subarray(at)), need);
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case Opcode.Text:
      case Opcode.Binary:
      case Opcode.Continuation: {
        if (opcode !== Opcode.Continuation) this.fragmentOpcode = opcode;
        if (this.fragments) {
          this.fragmentBytes += payload.length;
          if (this.fragmentBytes > this.options.maxMessageBytes) return this.fail(frameTooLarge(this.fragmentBytes, this.options.maxMessageBytes));
        }
        if (!fin) {
          if (!this.fragments) this.fragmentBytes = payload.length;
          (this.fragments ??= []).push(Buffer.from(payload));
          return;
        }
        const data = this.fragments ? Buffer.concat([...this.fragments, payload], this.fragmentBytes) : payload;
        this.fragments = null;
        return this.sink.onMessage(data, this.fragmentOpcode === Opcode.Binary);
      }
      case Opcode.Ping:
        if (!this.closeSent) this.socket.write(encodeFrame(Opcode.Pong, payload));
        return;
      case Opcode.Pong:
        return this.sink.onPong();
      case Opcode.Close:
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (!this.closeSent) {
          this.closeSent = true;
          this.socket.write(encodeFrame(Opcode.Close, payload.subarray(0, 2)));
        }
        this.socket.end();
        return;
      default:
        return this.fail(new Error(`Invalid WebSocket frame: invalid opcode ${opcode}`));
    }
  }

  onError(err: Error): void {
    this.sink.onError(err);
  }

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    this.fragments = null;
    this.sink.onClose(this.closeCode);
  }
}
