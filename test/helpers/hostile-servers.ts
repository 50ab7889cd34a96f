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
