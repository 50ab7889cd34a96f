// Browser mode: the renderer over HTTP and the FleetApi over a WebSocket, on loopback only.
// A random token (in the page URL) is required for the API, the Origin must be this server's
// own, and the Host header must name loopback (no DNS rebinding), so no other page or site
// can drive a fleet. A recorded run's zip and report are downloaded from token-checked GET
// routes (run-routes.ts).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isFleetMethod, type BridgeMessage, type FleetApi, type FleetMethodName } from '../../contract/fleet-api.ts';
import { checkParams } from '../../contract/fleet-params.ts';
import { browserPolicyProblems } from './browser-policy.ts';
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

/** The request target as a URL, or null when it is not one (`//`, `http://[`, …). */
function targetUrl(target: string | undefined): URL | null {
  const t = target ?? '/';
  // Only origin-form targets ("/path?query"): "//host/…" would be read as a host.
  if (!t.startsWith('/') || t.startsWith('//')) return null;
  return URL.canParse(t, 'http://x') ? new URL(t, 'http://x') : null;
}

/** The largest API message a page sends (a scenario is a few KiB); larger frames close the socket (1009). */
export const MAX_API_MESSAGE_BYTES = 1024 * 1024;

export async function startBridge({ api, rendererRoot, port, token = randomBytes(24).toString('base64url'), runFiles }: BridgeOptions): Promise<BridgeServer> {
  let actualPort = port;
  const allowedHosts = () => [`${BRIDGE_HOST}:${actualPort}`, `localhost:${actualPort}`];
  const fail = (res: ServerResponse, err: unknown) => {
    // A handler that threw: answer if nothing was sent yet, else cut the response; never the process.
    if (!res.headersSent) res.writeHead(500, SECURITY_HEADERS).end(`internal error: ${(err as Error)?.message ?? String(err)}`);
    else res.destroy();
  };
  const server: Server = createServer((req, res) => {
    try {
      if (!allowedHosts().includes(req.headers.host ?? '')) {
        res.writeHead(421, SECURITY_HEADERS).end('wrong host');
        return;
      }
      const url = targetUrl(req.url);
      if (!url) {
        res.writeHead(400, SECURITY_HEADERS).end('bad request target');
        return;
      }
      const served = url.pathname.startsWith(RUN_ROUTE_PREFIX)
        ? serveRunRoute(req, res, url.pathname, sameToken(url.searchParams.get('token'), token), runFiles)
        : serveStatic(rendererRoot, req, res);
      served.catch((err: unknown) => fail(res, err));
    } catch (err) {
      fail(res, err);
    }
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_API_MESSAGE_BYTES, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      // The Host first: nothing of a request from a rebinding page is looked at further.
      if (!allowedHosts().includes(req.headers.host ?? '')) return reject(socket, 421, 'Misdirected Request');
      const url = targetUrl(req.url);
      if (!url || url.pathname !== '/api') return reject(socket, 404, 'Not Found');
      if (!sameToken(url.searchParams.get('token'), token)) return reject(socket, 401, 'Unauthorized');
      const origin = req.headers.origin;
      if (!origin || !allowedHosts().some((h) => origin === `http://${h}`)) return reject(socket, 403, 'Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch {
      reject(socket, 400, 'Bad Request');
    }
  });

  wss.on('connection', (ws: WebSocket) => {
    // Oversized frames and protocol errors: ws closes the socket (1009, 1002) and reports here.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => void handleRequest(api, ws, isBinary ? null : data.toString()).catch(() => ws.terminate()));
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

/** The request of one API message, or why it is not one. */
function parseRequest(text: string | null): { id: number; method: FleetMethodName; params: unknown } | { id: number; error: string } {
  if (text === null) return { id: -1, error: 'expected a JSON text message' };
  let req: unknown;
  try {
    req = JSON.parse(text);
  } catch {
    return { id: -1, error: 'expected a JSON request like {"id": 1, "method": "status", "params": []}' };
  }
  if (typeof req !== 'object' || req === null || Array.isArray(req)) return { id: -1, error: 'expected a JSON request like {"id": 1, "method": "status", "params": []}' };
  const r = req as Record<string, unknown>;
  const id = typeof r.id === 'number' && Number.isSafeInteger(r.id) ? r.id : -1;
  if (id < 0) return { id, error: 'id: expected a whole number, 0 or more' };
  if (!isFleetMethod(r.method)) return { id, error: `unknown method "${String(r.method).slice(0, 100)}"` };
  return { id, method: r.method, params: r.params };
}

async function handleRequest(api: FleetApi, ws: WebSocket, text: string | null): Promise<void> {
  const reply = (m: BridgeMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
  const req = parseRequest(text);
  if ('error' in req) return void reply({ id: req.id, ok: false, error: req.error });
  const checked = checkParams(req.method, req.params);
  if (!checked.ok) return void reply({ id: req.id, ok: false, error: checked.problems.join('; ') });
  try {
    const refused = browserPolicyProblems(req.method, checked.params, (await api.settings()).runsDir);
    if (refused.length > 0) return void reply({ id: req.id, ok: true, result: { ok: false, problems: refused } });
    const method = api[req.method] as (...args: unknown[]) => Promise<unknown>;
    const result = await method.apply(api, checked.params);
    reply({ id: req.id, ok: true, result: result ?? null });
  } catch (err) {
    reply({ id: req.id, ok: false, error: (err as Error)?.message ?? String(err) });
  }
}
