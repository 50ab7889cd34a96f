// Browser mode: the renderer over HTTP and the FleetApi over a WebSocket, on loopback only.
// A random token (in the page URL) is required for the API, the Origin must be this server's
// own, and the Host header must name loopback (no DNS rebinding), so no other page or site
// can drive a fleet. A recorded run's zip and report are downloaded from token-checked GET
// routes (run-routes.ts).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { FLEET_METHODS, type BridgeMessage, type BridgeRequest, type FleetApi, type FleetMethodName } from '../../contract/fleet-api.ts';
import type { RunFiles } from './run-files.ts';
import { RUN_ROUTE_PREFIX, serveRunRoute } from './run-routes.ts';
import { SECURITY_HEADERS, serveStatic } from './static-files.ts';

export const BRIDGE_HOST = '127.0.0.1';

export interface BridgeServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export interface BridgeOptions {
  api: FleetApi;
  /** dist/renderer */
  rendererRoot: string;
  port: number;
  token?: string;
  /** Where a recorded run's export.zip and report.html are (without it, /runs/… is 404). */
  runFiles?: RunFiles;
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function reject(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startBridge({ api, rendererRoot, port, token = randomBytes(24).toString('base64url'), runFiles }: BridgeOptions): Promise<BridgeServer> {
  let actualPort = port;
  const allowedHosts = () => [`${BRIDGE_HOST}:${actualPort}`, `localhost:${actualPort}`];
  const server: Server = createServer((req, res) => {
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      res.writeHead(421, SECURITY_HEADERS).end('wrong host');
      return;
    }
    const url = URL.canParse(req.url ?? '/', 'http://x') ? new URL(req.url ?? '/', 'http://x') : null;
    if (url?.pathname.startsWith(RUN_ROUTE_PREFIX)) {
      void serveRunRoute(req, res, url.pathname, sameToken(url.searchParams.get('token'), token), runFiles);
      return;
    }
    void serveStatic(rendererRoot, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api') return reject(socket, 404, 'Not Found');
    if (!allowedHosts().includes(req.headers.host ?? '')) return reject(socket, 421, 'Misdirected Request');
    if (!sameToken(url.searchParams.get('token'), token)) return reject(socket, 401, 'Unauthorized');
    const origin = req.headers.origin;
    if (!origin || !allowedHosts().some((h) => origin === `http://${h}`)) return reject(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data) => void handleRequest(api, ws, data.toString()));
  });
  const unsubscribe = api.onUpdate((update) => {
    const text = JSON.stringify({ push: update } satisfies BridgeMessage);
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(text);
  });

  await new Promise<void>((resolve, rejectListen) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      rejectListen(err.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use on ${BRIDGE_HOST}; choose another with --port (0 picks a free one)`) : err),
    );
    server.listen(port, BRIDGE_HOST, () => resolve());
  });
  actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${BRIDGE_HOST}:${actualPort}/?token=${token}`,
    port: actualPort,
    token,
    close: async () => {
      unsubscribe();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function handleRequest(api: FleetApi, ws: WebSocket, text: string): Promise<void> {
  let req: BridgeRequest;
  try {
    req = JSON.parse(text) as BridgeRequest;
  } catch {
    return;
  }
  const reply = (m: BridgeMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
  if (typeof req.id !== 'number' || !FLEET_METHODS.includes(req.method) || !Array.isArray(req.params)) {
    reply({ id: typeof req.id === 'number' ? req.id : -1, ok: false, error: `unknown method "${String(req.method)}"` });
    return;
  }
  try {
    const method = api[req.method as FleetMethodName] as (...args: unknown[]) => Promise<unknown>;
    const result = await method.apply(api, req.params);
    reply({ id: req.id, ok: true, result: result ?? null });
  } catch (err) {
    reply({ id: req.id, ok: false, error: (err as Error).message });
  }
}
