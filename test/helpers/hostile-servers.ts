// Targets that misbehave on purpose, to exercise reconnect policies.
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
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
