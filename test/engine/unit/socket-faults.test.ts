// SocketFaults' read limit on real loopback sockets, with a consumer that has flow control of
// its own (a pipe into a Writable that finishes asynchronously, as mqtt.js's parser does when a
// PUBACK has to wait for `drain`): the pipe pauses and resumes the socket, and net.Socket then
// restarts reads on its handle by itself. The limit must hold anyway.
import assert from 'node:assert/strict';
import net from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { SocketFaults } from '../../../src/engine/adapters/adapter.ts';

const CHUNK = 64 * 1024;
let server: net.Server;
let port = 0;
const accepted = new Set<net.Socket>();

const TWO_MIB = Buffer.alloc(2 * 1024 * 1024, 'q');

before(async () => {
  // Every connection gets 2 MiB: at once, or (when its first byte is "w") once it says "go".
  server = net.createServer((s) => {
    accepted.add(s);
    s.on('error', () => {});
    s.once('data', (d) => s.write(d[0] === 0x77 ? Buffer.alloc(0) : TWO_MIB));
    s.on('data', (d) => {
      if (d.toString().includes('go')) s.write(TWO_MIB);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});

after(async () => {
  for (const s of accepted) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

/** A client socket piped into a Writable that completes every write on a later turn. */
async function pipedClient(): Promise<{ socket: net.Socket; consumed: () => number }> {
  const socket = net.createConnection({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  let consumed = 0;
  const slow = new Writable({
    write(chunk: Buffer, _enc, done) {
      consumed += chunk.length;
      setImmediate(done);
    },
  });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write('x');
  socket.pipe(slow);
  return { socket, consumed: () => consumed };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Limits reads at once (before the 2 MiB arrive) and refills the budget every 50 ms for `ms`. */
async function limitFor(socket: net.Socket, bytesPerSec: number, ms: number): Promise<{ read: number; elapsedMs: number }> {
  const faults = new SocketFaults();
  faults.attach(socket);
  const start = performance.now();
  const base = socket.bytesRead;
  faults.limitReads(bytesPerSec, start);
  const pump = setInterval(() => faults.pumpReads(performance.now()), 50);
  await new Promise((r) => setTimeout(r, ms));
  clearInterval(pump);
  return { read: socket.bytesRead - base, elapsedMs: performance.now() - start };
}

test('bytesPerSec 0 on a piped socket: nothing is read', async () => {
  const { socket } = await pipedClient();
  try {
    const { read } = await limitFor(socket, 0, 500);
    assert.equal(read, 0);
  } finally {
    socket.destroy();
  }
});

test('bytesPerSec 20000 on a piped socket: the budget holds through the pipe pausing and resuming', async () => {
  const { socket, consumed } = await pipedClient();
  try {
    const { read, elapsedMs } = await limitFor(socket, 20_000, 1500);
    assert.ok(read > 0, 'it reads');
    assert.ok(consumed() > 0, 'the consumer got data');
    // One chunk beyond the budget, plus one more the paused stream may buffer before Node stops it.
    const bound = (20_000 * elapsedMs) / 1000 + 2 * CHUNK;
    assert.ok(read <= bound, `read ${read} bytes, bound ${Math.round(bound)} (2 MiB were sent)`);
  } finally {
    socket.destroy();
  }
});

test('lifting the limit reads the rest', async () => {
  const { socket } = await pipedClient();
  try {
    const faults = new SocketFaults();
    faults.attach(socket);
    faults.limitReads(0, performance.now());
    await new Promise((r) => setTimeout(r, 100));
    const base = socket.bytesRead;
    assert.ok(base < 2 * 1024 * 1024);
    faults.limitReads(null, performance.now());
    const until = Date.now() + 10_000;
    while (socket.bytesRead < 2 * 1024 * 1024 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(socket.bytesRead, 2 * 1024 * 1024);
  } finally {
    socket.destroy();
  }
});

test('a consumer resuming the socket does not restart reads past the budget', async () => {
  // The order that breaks a naive limit: a chunk lands in the paused stream's buffer (no 'data'
  // event, so no per-chunk check) and Node stops reading with `reading = false`; the tick then
  // finds the budget spent; then the consumer resumes, and net.Socket's _read calls readStart.
  const socket = net.createConnection({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  try {
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('w'); // the server waits for "go"
    socket.pause();
    const faults = new SocketFaults();
    faults.attach(socket);
    const t0 = 0;
    faults.limitReads(20_000, t0);
    socket.write('go');
    faults.pumpReads(t0 + 100); // 2000 bytes of budget: reads start
    await until('a chunk buffered in the paused stream', () => socket.bytesRead > 0 && socket.readableLength > 0);
    await new Promise((r) => setTimeout(r, 50));
    const buffered = socket.bytesRead;
    assert.ok(buffered > 2000, `one chunk read (${buffered} bytes), past the budget`);
    faults.pumpReads(t0 + 150); // budget spent: reads stop
    let consumed = 0;
    socket.on('data', (c: Buffer) => (consumed += c.length));
    socket.resume(); // the consumer is ready again: net.Socket's _read calls readStart
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(consumed, buffered, 'the buffered chunk was delivered');
    assert.equal(socket.bytesRead, buffered, 'nothing more was read from the kernel');
  } finally {
    socket.destroy();
  }
});
