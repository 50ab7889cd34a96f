// A seeded fuzzer against `fleetsim serve` in a child process: random paths, encodings, methods,
// headers and upgrade targets over raw TCP; random API messages (shapes, methods, parameters,
// sizes, binary frames) on an authenticated socket; random bytes after a WebSocket handshake.
// Bounded in count (and each exchange in time). The server must stay up and answering, and every
// API message must get an answer. FUZZ_SEED=<n> reproduces a run.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { FLEET_METHODS } from '../../src/contract/fleet-api.ts';
import { serveFromSource, stopServed, type ServedBridge } from '../helpers/serve-source.ts';
import { rawRequest } from '../helpers/raw-http.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const HTTP_REQUESTS = 2000;
const API_FRAMES = 500;
const RAW_FRAME_SESSIONS = 100;
let served: ServedBridge;
const counts = { http: 0, upgrades: 0, apiFrames: 0, answered: 0, rawFrameSessions: 0, crashes: 0 };

before(async () => {
  served = await serveFromSource(mkdtempSync(join(tmpdir(), 'fleetsim-fuzz-')));
});
after(async () => {
  counts.crashes = served.child.exitCode === null && served.child.signalCode === null ? 0 : 1;
  console.log(`bridge fuzzer (seed ${SEED}): ${counts.http} HTTP requests (${counts.upgrades} of them upgrades), ${counts.apiFrames} API frames (${counts.answered} answered), ${counts.rawFrameSessions} raw-frame sessions; crashes: ${counts.crashes}`);
  await stopServed(served);
});

function assertUp(): void {
  assert.ok(served.child.exitCode === null && served.child.signalCode === null, `fleetsim serve ended: ${served.stderr()}`);
}

async function assertAnswering(): Promise<void> {
  assertUp();
  const status = await rawRequest(served.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nConnection: close\r\n\r\n`);
  assert.equal(status, 200, `the page is not served any more (stderr: ${served.stderr()})`);
}

// Path pieces that broke or nearly broke servers like this one.
const pathPiece = fc.oneof(
  fc.constantFrom('', '/', '//', '/api', '/runs/', '/runs/x/export.zip', '/runs/x/report.html', '/index.html', '..', '%', '%ff', '%2e%2e', '%2F', '%00', '%c0%af', '%E0%A4%A', '?', '#', '?token=', '&', ';', '\\', '~', '/./'),
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/[\r\n ]/g, '')),
  fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
);
const target = fc.array(pathPiece, { minLength: 0, maxLength: 6 }).map((parts) => parts.join(''));
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'BREW', 'get');
const headerValue = fc.oneof(fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '')), fc.constantFrom('', '127.0.0.1', 'localhost', 'evil.example', '[::1]', 'x'.repeat(5000)));

function httpArb(port: number) {
  return fc.record({
    method,
    target,
    host: fc.option(fc.oneof(fc.constantFrom(`127.0.0.1:${port}`, `localhost:${port}`, 'evil.example', `127.0.0.1:${port + 1}`, ''), headerValue), { nil: undefined }),
    upgrade: fc.boolean(),
    origin: fc.option(fc.oneof(fc.constantFrom(`http://127.0.0.1:${port}`, 'http://evil.example', 'null'), headerValue), { nil: undefined }),
    extra: fc.array(fc.tuple(fc.constantFrom('Sec-Fetch-Site', 'Content-Length', 'Transfer-Encoding', 'Cookie', 'X-Forwarded-Host', 'Sec-WebSocket-Version', 'Sec-WebSocket-Key', 'Accept-Encoding', 'Range'), headerValue), { maxLength: 3 }),
    token: fc.constantFrom('none', 'right', 'wrong'),
  });
}

type HttpCase = ReturnType<typeof httpArb> extends fc.Arbitrary<infer T> ? T : never;

function requestText(c: HttpCase, port: number): string {
  const tokenPart = c.token === 'none' ? '' : `${c.target.includes('?') ? '&' : '?'}token=${c.token === 'right' ? served.token : 'nope'}`;
  const t = (c.target.startsWith('/') ? c.target : `/${c.target}`) + tokenPart;
  const lines = [`${c.method} ${t} HTTP/1.1`];
  if (c.host !== undefined) lines.push(`Host: ${c.host}`);
  if (c.upgrade) lines.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  else lines.push('Connection: close');
  if (c.origin !== undefined) lines.push(`Origin: ${c.origin}`);
  for (const [k, v] of c.extra) if (!(k === 'Content-Length' || k === 'Transfer-Encoding') || c.method !== 'GET') lines.push(`${k}: ${v}`);
  void port;
  return `${lines.join('\r\n')}\r\n\r\n`;
}

test(`${HTTP_REQUESTS} random HTTP requests and upgrades leave the server up and answering`, async () => {
  await fc.assert(
    fc.asyncProperty(httpArb(served.port), async (c) => {
      counts.http++;
      if (c.upgrade) counts.upgrades++;
      const status = await rawRequest(served.port, requestText(c, served.port), 3000);
      // Any answer, or a closed connection (a request node's parser refuses); never a dead server.
      assert.ok(status !== -1 || c.extra.some(([k]) => k === 'Content-Length' || k === 'Transfer-Encoding') || c.upgrade, `no answer within 3 s to ${JSON.stringify(requestText(c, served.port))}`);
      if (counts.http % 200 === 0) await assertAnswering();
      else assertUp();
    }),
    { seed: SEED, numRuns: HTTP_REQUESTS, endOnFailure: true },
  );
  await assertAnswering();
});

function openApi(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/api?token=${served.token}`, { origin: `http://127.0.0.1:${served.port}` });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

// Parameters: JSON of any shape, some of it large; methods: real ones, near misses and prototype keys.
const json = fc.jsonValue({ maxDepth: 4 });
const param = fc.oneof(json, fc.string({ minLength: 1000, maxLength: 60_000 }), fc.constantFrom('../../etc/passwd', '/tmp/x.zip', '~/.ssh/id_rsa', '2026-01-01T00-00-00-000Z-x', ''));
const apiMessage = fc.oneof(
  { weight: 6, arbitrary: fc.record({ id: fc.oneof(fc.nat(), fc.constant(-1), fc.double(), fc.string()), method: fc.oneof(fc.constantFrom(...FLEET_METHODS.filter((m) => m !== 'start' && m !== 'startCapacity')), fc.constantFrom('__proto__', 'constructor', 'toString', 'onUpdate', 'shutdown', 'exec')), params: fc.oneof(fc.array(param, { maxLength: 4 }), json) }).map((m) => ({ kind: 'text' as const, data: JSON.stringify(m) })) },
  { weight: 2, arbitrary: json.map((v) => ({ kind: 'text' as const, data: JSON.stringify(v) })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => ({ kind: 'text' as const, data: s })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => ({ kind: 'binary' as const, data: Buffer.from(b) })) },
);

test(`${API_FRAMES} random API frames: each answered, the socket and the server stay up`, async () => {
  let ws = await openApi();
  await fc.assert(
    fc.asyncProperty(apiMessage, async (m) => {
      counts.apiFrames++;
      if (ws.readyState !== ws.OPEN) ws = await openApi();
      const answer = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 10_000);
        ws.once('message', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      ws.send(m.data, { binary: m.kind === 'binary' });
      assert.ok(await answer, `no answer to ${String(m.data).slice(0, 200)}`);
      counts.answered++;
      if (counts.apiFrames % 100 === 0) await assertAnswering();
      else assertUp();
    }),
    { seed: SEED, numRuns: API_FRAMES, endOnFailure: true },
  );
  ws.close();
  await assertAnswering();
});

/** An authenticated WebSocket handshake over raw TCP, then `bytes` as they are. */
function rawFrames(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host: '127.0.0.1', port: served.port });
    const timer = setTimeout(() => sock.destroy(), 2000);
    let upgraded = false;
    sock.on('data', (d) => {
      if (!upgraded && d.toString('latin1').startsWith('HTTP/1.1 101')) {
        upgraded = true;
        sock.write(bytes);
        setImmediate(() => sock.end());
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sock.write(`GET /api?token=${served.token} HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nOrigin: http://127.0.0.1:${served.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  });
}

// A frame header with any opcode, mask bit and declared length (up to 2^63), then some payload.
const frameBytes = fc
  .record({ fin: fc.boolean(), rsv: fc.integer({ min: 0, max: 7 }), opcode: fc.integer({ min: 0, max: 15 }), masked: fc.boolean(), len: fc.oneof(fc.integer({ min: 0, max: 125 }), fc.constant(126), fc.constant(127)), ext: fc.uint8Array({ minLength: 8, maxLength: 8 }), payload: fc.uint8Array({ maxLength: 300 }) })
  .map((f) => Buffer.concat([Buffer.from([(f.fin ? 0x80 : 0) | (f.rsv << 4) | f.opcode, (f.masked ? 0x80 : 0) | f.len]), Buffer.from(f.len === 126 ? f.ext.slice(0, 2) : f.len === 127 ? f.ext : []), f.masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0), Buffer.from(f.payload)]));
const rawSession = fc.oneof(fc.array(frameBytes, { minLength: 1, maxLength: 4 }).map((fs) => Buffer.concat(fs)), fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)));

test(`${RAW_FRAME_SESSIONS} sessions of malformed WebSocket frames leave the server up`, async () => {
  await fc.assert(
    fc.asyncProperty(rawSession, async (bytes) => {
      counts.rawFrameSessions++;
      await rawFrames(bytes);
      assertUp();
    }),
    { seed: SEED, numRuns: RAW_FRAME_SESSIONS, endOnFailure: true },
  );
  await assertAnswering();
});
