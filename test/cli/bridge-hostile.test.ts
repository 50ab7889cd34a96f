// Browser mode against hostile input, with `fleetsim serve` in a child process of its own: what
// used to end the process (an undecodable path, an upgrade to `//`, a `null` message, an
// oversized frame) now gets a refusal, and the server keeps answering.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { rawRequest } from '../helpers/raw-http.ts';
import { serveFromSource, stopServed, type ServedBridge } from '../helpers/serve-source.ts';

let served: ServedBridge;

function alive(): boolean {
  return served.child.exitCode === null && served.child.signalCode === null;
}

async function answersPage(): Promise<void> {
  assert.ok(alive(), `fleetsim serve ended: ${served.stderr()}`);
  const status = await rawRequest(served.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nConnection: close\r\n\r\n`);
  assert.equal(status, 200, `the page after hostile input (stderr: ${served.stderr()})`);
}

/** Opens the API socket with the token and the right Origin. */
function openApi(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/api?token=${served.token}`, { origin: `http://127.0.0.1:${served.port}`, maxPayload: 64 * 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)));
}

describe('fleetsim serve survives what it refuses', () => {
  before(async () => {
    served = await serveFromSource(mkdtempSync(join(tmpdir(), 'fleetsim-hostile-')));
  });
  after(() => stopServed(served));

  test('GET of an undecodable path is 400, and the server stays up', async () => {
    for (const path of ['/%ff', '/%', '/%E0%A4%A', '/a/%zz/b', '/%c0%af']) {
      const status = await rawRequest(served.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nConnection: close\r\n\r\n`);
      assert.ok(status === 400 || status === 404, `${path}: ${status}`);
      await answersPage();
    }
  });

  test('a WebSocket upgrade to // (any Host) is refused, and the server stays up', async () => {
    for (const [target, host] of [['//', 'evil.example'], ['//', `127.0.0.1:${served.port}`], ['//x:99999/api', 'a'], ['/api?token=%ff', `127.0.0.1:${served.port}`]]) {
      const head = `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
      const status = await rawRequest(served.port, head);
      assert.ok(status >= 400, `${target} with Host ${host}: ${status}`);
      await answersPage();
    }
  });

  test('a message `null` (and other non-requests) gets an error answer; the socket stays open', async () => {
    const ws = await openApi();
    for (const text of ['null', '42', '"x"', '[]', 'true', '{"id":1}', '{"id":2,"method":"status","params":null}', '{"id":3,"method":"__proto__","params":[]}', '{"id":4,"method":"constructor","params":[]}', 'not json']) {
      const reply = nextMessage(ws);
      ws.send(text);
      const m = await reply;
      assert.equal(m.ok, false, `${text}: ${JSON.stringify(m)}`);
      assert.equal(typeof m.error, 'string');
    }
    const reply = nextMessage(ws);
    ws.send(JSON.stringify({ id: 9, method: 'status', params: [] }));
    assert.equal((await reply).ok, true, 'still answering on the same socket');
    ws.close();
    await answersPage();
  });

  test('a frame over 1 MiB closes that socket (1009) and nothing else', async () => {
    const ws = await openApi();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send('x'.repeat(1024 * 1024 + 10));
    assert.equal(await closed, 1009);
    await answersPage();
    const again = await openApi();
    const reply = nextMessage(again);
    again.send(JSON.stringify({ id: 1, method: 'listRuns', params: [] }));
    assert.equal((await reply).ok, true);
    again.close();
  });
});
