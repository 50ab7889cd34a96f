// Targets that misbehave on purpose, to exercise reconnect policies.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { WebSocketServer } from 'ws';

/** Accepts TCP connections and resets them at once. */
export async function startResettingServer(): Promise<{ port: number; accepts: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = { port: 0, accepts: 0, stop: async () => {} };
  const server = net.createServer((s) => {
    state.accepts++;
    s.on('error', () => {});
    s.resetAndDestroy();
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as net.AddressInfo).port;
  state.stop = () => new Promise<void>((r) => server.close(() => r()));
  return state;
}

/** A WebSocket server that closes every connection with `code` after `afterMs`. */
export async function startKickingWsServer(afterMs: number, code = 1001): Promise<{ port: number; connections: number; stop(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const state = { port: 0, connections: 0, stop: async () => {} };
  wss.on('connection', (ws) => {
    state.connections++;
    const t = setTimeout(() => ws.close(code, 'kicked'), afterMs);
    ws.on('close', () => clearTimeout(t));
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  state.port = (wss.address() as net.AddressInfo).port;
  state.stop = () =>
    new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    });
  return state;
}

/**
 * An MQTT 5 "broker" that accepts every CONNECT and, `afterMs` later, sends DISCONNECT with
 * `reasonCode` and closes: what a broker shutting down (0x8B) or shedding load does.
 */
export async function startDisconnectingBroker(reasonCode: number, afterMs = 100): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.once('data', () => {
      s.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00])); // CONNACK: no session, success, no properties
      setTimeout(() => s.end(Buffer.from([0xe0, 0x02, reasonCode, 0x00])), afterMs);
    });
  });
  return listenOnLoopback(server, sockets);
}

/** Writes `bytes` as chunks of the given sizes (cycled), each after the previous one was handed to the kernel. */
export async function dribble(socket: net.Socket, bytes: Buffer, sizes: number[]): Promise<void> {
  socket.setNoDelay(true);
  for (let at = 0, k = 0; at < bytes.length && !socket.destroyed; k++) {
    const n = sizes[k % sizes.length];
    await new Promise<void>((r) => socket.write(bytes.subarray(at, at + n), () => setImmediate(r)));
    at += n;
  }
}

/** A server frame header (FIN, unmasked) declaring `length` payload bytes; the 64-bit form above 65535. */
export function wsFrameHeader(opcode: number, length: bigint, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  if (length < 126n) return Buffer.from([first, Number(length)]);
  if (length < 65_536n) return Buffer.from([first, 126, Number(length >> 8n), Number(length & 0xffn)]);
  const head = Buffer.alloc(10);
  head[0] = first;
  head[1] = 127;
  head.writeBigUInt64BE(length, 2);
  return head;
}

/**
 * A WebSocket server written on raw TCP, so it can send what `ws` never would: it answers the
 * opening handshake, then hands the socket and the request path to `onOpen`.
 */
export async function startRawWsServer(onOpen: (socket: net.Socket, path: string) => void): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      const protocol = /sec-websocket-protocol:\s*([^,\r\n]+)/i.exec(head)?.[1];
      s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`);
      s.on('data', () => {}); // whatever the device sends (join, pings) is read and ignored
      onOpen(s, head.split(' ', 2)[1] ?? '/');
    };
    s.on('data', onData);
  });
  return listenOnLoopback(server, sockets);
}

/** An MQTT "broker" that answers CONNECT with CONNACK (3.1.1, success), then hands the socket to `onConnected`. */
export async function startRawMqttBroker(onConnected: (socket: net.Socket) => void): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.once('data', () => {
      s.on('data', () => {});
      s.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
      onConnected(s);
    });
  });
  return listenOnLoopback(server, sockets);
}

/** A QoS 0 PUBLISH (MQTT 3.1.1) of `payload` on `topic`. */
export function mqttPublish(topic: string, payload: Buffer): Buffer {
  const remaining = 2 + Buffer.byteLength(topic) + payload.length;
  const len: number[] = [];
  let n = remaining;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  const topicLen = Buffer.alloc(2);
  topicLen.writeUInt16BE(Buffer.byteLength(topic));
  return Buffer.concat([Buffer.from([0x30, ...len]), topicLen, Buffer.from(topic), payload]);
}

/** Listens on a free loopback port; stop() destroys the open sockets and closes the server. */
async function listenOnLoopback(server: net.Server, sockets: Set<net.Socket>): Promise<{ port: number; stop(): Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
