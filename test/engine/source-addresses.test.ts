// Devices connect from their group's source addresses, round-robin (the port-wall fix).
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { validateScenario } from '../../src/contract/validate.ts';
import { startHost } from '../helpers/host-harness.ts';
import { waitFor } from '../helpers/ports.ts';

test('MQTT over TCP and WebSocket devices bind the assigned loopback source addresses', async () => {
  const seen: string[] = [];
  const tcp = net.createServer((s) => {
    seen.push(`tcp ${s.remoteAddress}`);
    s.on('error', () => {});
    s.destroy();
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (_ws, req) => seen.push(`ws ${req.socket.remoteAddress}`));
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const h = startHost({
    target: 'external',
    ramp: 0,
    groups: [
      { name: 'm', protocol: 'mqtt', url: `mqtt://127.0.0.1:${(tcp.address() as net.AddressInfo).port}`, count: 4, sourceAddresses: '127.0.0.2-127.0.0.3', reconnect: { policy: 'none' } },
      { name: 'w', protocol: 'ws', url: `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/`, count: 3, sourceAddresses: ['127.0.0.5', '127.0.0.6', '127.0.0.7'] },
    ],
  });
  try {
    await waitFor('7 connections seen', () => seen.length === 7);
    assert.deepEqual(seen.sort(), ['tcp 127.0.0.2', 'tcp 127.0.0.2', 'tcp 127.0.0.3', 'tcp 127.0.0.3', 'ws 127.0.0.5', 'ws 127.0.0.6', 'ws 127.0.0.7']);
  } finally {
    await h.stop();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => tcp.close(() => r()));
  }
});

test('source addresses: ranges expand, bad entries are named', () => {
  const base = { protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 1 } as const;
  const ok = validateScenario({ groups: [{ ...base, sourceAddresses: ['127.0.0.1-127.0.0.4', '127.0.0.9'] }] });
  assert.ok(ok.ok);
  assert.deepEqual(ok.scenario.groups[0].sourceAddresses, ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.9']);
  // An IPv6 source cannot reach an IPv4 target: refused before any device tries.
  const mixed = validateScenario({ groups: [{ ...base, sourceAddresses: ['127.0.0.1', '::1'] }] });
  assert.ok(!mixed.ok && /^groups\[0\]\.sourceAddresses: ::1 is IPv6 but the target/.test(mixed.problems[0]));
  const bad = validateScenario({ groups: [{ ...base, sourceAddresses: ['127.0.0.9-127.0.0.2', 'localhost'] }] });
  assert.equal(bad.ok, false);
  assert.deepEqual(!bad.ok && bad.problems, ['groups[0].sourceAddresses: "127.0.0.9-127.0.0.2": the range ends before it starts']);
  const word = validateScenario({ groups: [{ ...base, sourceAddresses: 'localhost' }] });
  assert.deepEqual(!word.ok && word.problems, ['groups[0].sourceAddresses: "localhost" is not an IP address or range']);
});
