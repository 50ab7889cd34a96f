// The browser-mode bridge client against a fake socket: requests, pushes, reconnects, refusal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BridgeClient, bridgeUrl, type BridgeConnection, type SocketHandlers } from '../../renderer/api/bridge-client.ts';

class FakeServer {
  sockets: Array<{ handlers: SocketHandlers; sent: string[]; closed: boolean }> = [];
  factory = (_url: string, handlers: SocketHandlers) => {
    const s = { handlers, sent: [] as string[], closed: false };
    this.sockets.push(s);
    return { send: (d: string) => s.sent.push(d), close: () => (s.closed = true) };
  };
  get last() {
    return this.sockets[this.sockets.length - 1];
  }
  reply(i: number, result: unknown) {
    const req = JSON.parse(this.last.sent[i]) as { id: number };
    this.last.handlers.message(JSON.stringify({ id: req.id, ok: true, result }));
  }
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('bridge client', () => {
  test('the bridge URL carries the page token', () => {
    assert.equal(bridgeUrl({ host: '127.0.0.1:7420', protocol: 'http:', search: '?token=a+b/c' }), 'ws://127.0.0.1:7420/api?token=a%20b%2Fc');
  });

  test('requests wait for the socket, then resolve or reject by id; pushes reach listeners', async () => {
    const server = new FakeServer();
    const client = new BridgeClient('ws://x/api', server.factory, { baseDelayMs: 5 });
    const states: string[] = [];
    client.onConnection((c) => states.push(c.phase));
    const presets = client.listPresets();
    assert.equal(server.last.sent.length, 0, 'not sent before open');
    server.last.handlers.open();
    assert.deepEqual(JSON.parse(server.last.sent[0]), { id: 1, method: 'listPresets', params: [] });
    server.reply(0, [{ name: 'demo' }]);
    assert.deepEqual(await presets, [{ name: 'demo' }]);

    const start = client.start({ name: 'x', groups: [] });
    const req = JSON.parse(server.last.sent[1]) as { id: number; params: unknown[] };
    assert.deepEqual(req.params, [{ name: 'x', groups: [] }]);
    server.last.handlers.message(JSON.stringify({ id: req.id, ok: false, error: 'a run is already in progress' }));
    await assert.rejects(start, /a run is already in progress/);

    const updates: unknown[] = [];
    client.onUpdate((u) => updates.push(u));
    server.last.handlers.message(JSON.stringify({ push: { type: 'event', event: { type: 'target-lost', at: 1, reason: 'x' } } }));
    assert.equal(updates.length, 1);
    assert.deepEqual(states, ['connecting', 'connected']);
    client.close();
  });

  test('certsInit sends the request as is, or no parameter for the default PKI (never null)', async () => {
    const server = new FakeServer();
    const client = new BridgeClient('ws://x/api', server.factory);
    server.last.handlers.open();
    const byDefault = client.certsInit();
    const explicit = client.certsInit({ dir: '/tmp/pki', serverNames: ['broker.local'] });
    assert.deepEqual(server.last.sent.map((f) => JSON.parse(f) as unknown), [
      { id: 1, method: 'certsInit', params: [] },
      { id: 2, method: 'certsInit', params: [{ dir: '/tmp/pki', serverNames: ['broker.local'] }] },
    ]);
    const made = { ok: true, dir: '/tmp/pki', created: true, createdAt: '2025-01-01T00:00:00.000Z', serverNames: ['localhost'], caFile: '/tmp/pki/ca.pem' };
    server.reply(0, made);
    server.reply(1, { ok: false, problems: ['dir: nope'] });
    assert.deepEqual(await byDefault, made);
    assert.deepEqual(await explicit, { ok: false, problems: ['dir: nope'] });
    client.close();
  });

  test('a dropped link fails requests in flight and reconnects with backoff', async () => {
    const server = new FakeServer();
    const client = new BridgeClient('ws://x/api', server.factory, { baseDelayMs: 5, maxDelayMs: 20, random: () => 1 });
    const seen: BridgeConnection[] = [];
    client.onConnection((c) => seen.push(c));
    server.last.handlers.open();
    const status = client.status();
    server.last.handlers.close(1006, '');
    await assert.rejects(status, /lost/);
    assert.equal(client.connection.phase, 'reconnecting');
    assert.equal(client.connection.attempt, 1);
    await tick(15);
    assert.equal(server.sockets.length, 2, 'reconnected');
    server.last.handlers.open();
    assert.equal(client.connection.phase, 'connected');
    assert.equal(client.connection.attempt, 0);
    client.close();
    assert.equal(client.connection.phase, 'offline');
  });

  test('a handshake refused by a live server is reported as refused', async () => {
    const server = new FakeServer();
    const client = new BridgeClient('ws://x/api?token=wrong', server.factory, { baseDelayMs: 50, diagnose: async () => 'refused by the server: wrong token' });
    server.last.handlers.close(1006, '');
    await tick(1);
    assert.equal(client.connection.phase, 'refused');
    assert.match(client.connection.lastError ?? '', /wrong token/);
    client.close();
  });

  test('an unreachable server is not "refused"', async () => {
    const server = new FakeServer();
    const client = new BridgeClient('ws://x/api', server.factory, { baseDelayMs: 50, diagnose: async () => null });
    server.last.handlers.close(1006, '');
    await tick(1);
    assert.equal(client.connection.phase, 'reconnecting');
    client.close();
  });
});
