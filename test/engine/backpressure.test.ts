// Device-side backpressure: slow readers, the QoS 1 inflight window, bursts, and the gauges
// that show them (write queues, unacknowledged publishes, held-back messages, slow readers).
// Every test runs against a small server of its own, so it controls exactly who reads what.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import mqttPacket from 'mqtt-packet';
import WebSocket, { WebSocketServer } from 'ws';
import type { HostEvent } from '../../src/contract/host-protocol.ts';
import { zeroBackpressure, type BackpressureGauges } from '../../src/contract/metrics.ts';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { DeviceHost } from '../../src/engine/host.ts';
import { MetricsMerger } from '../../src/fleet/metrics-merger.ts';
import { shardGroups } from '../../src/fleet/sharding.ts';
import { waitFor } from '../helpers/ports.ts';

/** One socket read: what a slow reader may read beyond its budget. */
const READ_CHUNK = 64 * 1024;

interface Run {
  host: DeviceHost;
  merger: MetricsMerger;
  /** The latest batch's backpressure gauges. */
  gauges: BackpressureGauges;
  /** heldBack summed over all batches so far. */
  heldBack: number;
  /** Every batch's sentHeartbeat delta, in order. */
  heartbeatDeltas: number[];
  stop(): Promise<void>;
}

/** Like test/helpers' startHost, but keeping the batches' backpressure gauges. */
function run(input: ScenarioInput): Run {
  const v = validateScenario(input);
  if (!v.ok) throw new Error(`test scenario invalid: ${v.problems.join('; ')}`);
  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));
  const state: Run = {
    host: undefined as unknown as DeviceHost,
    merger: new MetricsMerger(Date.now()),
    gauges: zeroBackpressure(),
    heldBack: 0,
    heartbeatDeltas: [],
    stop: async () => {
      void state.host.stop();
      await done;
    },
  };
  state.host = new DeviceHost(
    { hostId: 0, scenario: v.scenario, shards: shardGroups(v.scenario, 1)[0], connectRate: 0, groupRates: {}, batchIntervalMs: 100 },
    (e: HostEvent) => {
      if (e.type === 'batch') {
        state.merger.add(e.batch);
        assert.ok(e.batch.backpressure, 'every host batch carries backpressure gauges');
        state.gauges = e.batch.backpressure;
        state.heldBack += e.batch.backpressure.heldBack;
        state.heartbeatDeltas.push(e.batch.counters.sentHeartbeat);
      }
      if (e.type === 'stopped') stopped();
    },
  );
  state.host.start();
  return state;
}

const device = (r: Run, group: number, index: number) => {
  const log = r.host.deviceLog(group, index);
  assert.ok(log, `device ${group}/${index} exists`);
  return log.device;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- servers ----

interface WsServer {
  wss: WebSocketServer;
  port: number;
  url: string;
  stop(): Promise<void>;
}

async function wsServer(onConnection: (ws: WebSocket, wss: WebSocketServer) => void): Promise<WsServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    onConnection(ws, wss);
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as net.AddressInfo).port;
  return {
    wss,
    port,
    url: `ws://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

/** One room: every `{"type":"broadcast"…` frame goes to every other client; joins are accepted silently. */
function roomServer(): Promise<WsServer> {
  return wsServer((ws, wss) => {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!data.subarray(0, 19).equals(Buffer.from('{"type":"broadcast"'))) return;
      for (const c of wss.clients) if (c !== ws && c.readyState === WebSocket.OPEN) c.send(data, { binary: isBinary });
    });
  });
}

interface MqttServer {
  port: number;
  url: string;
  /** PUBLISH packets received, over all connections. */
  publishes: number;
  /** Destroys every accepted socket (the devices see the connection drop). */
  dropAll(): void;
  stop(): Promise<void>;
}

/**
 * A minimal MQTT 3.1.1 server: CONNACK to every CONNECT, PINGRESP to PINGREQ, and never a
 * PUBACK. With `deaf`, it sends CONNACK at once and never reads anything (pauseOnConnect).
 * With `flood`, it answers a SUBSCRIBE with SUBACK and then that many 8 KiB PUBLISHes.
 */
async function mqttServer(opts: { deaf?: boolean; flood?: number } = {}): Promise<MqttServer> {
  const sockets = new Set<net.Socket>();
  const connack = mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false });
  const state = { port: 0, url: '', publishes: 0, dropAll: () => {}, stop: async () => {} };
  const server = net.createServer({ pauseOnConnect: !!opts.deaf }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    if (opts.deaf) {
      socket.write(connack);
      return;
    }
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p) => {
      if (p.cmd === 'connect') socket.write(connack);
      else if (p.cmd === 'pingreq') socket.write(mqttPacket.generate({ cmd: 'pingresp' }));
      else if (p.cmd === 'publish') state.publishes++;
      else if (p.cmd === 'subscribe') {
        socket.write(mqttPacket.generate({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map(() => 0) }));
        const publish = mqttPacket.generate({ cmd: 'publish', topic: 'flood', payload: Buffer.alloc(8192, 'z'), qos: 0, dup: false, retain: false });
        for (let i = 0; i < (opts.flood ?? 0); i++) socket.write(publish);
      }
    });
    socket.on('data', (d) => parser.parse(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as net.AddressInfo).port;
  state.url = `mqtt://127.0.0.1:${state.port}`;
  state.dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  state.stop = () =>
    new Promise<void>((r) => {
      state.dropAll();
      server.close(() => r());
    });
  return state;
}

const quiet = { heartbeat: 'off', status: 'off', ping: 'off' } as const;

describe('device-side backpressure', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test('slowReader 0: slow WebSocket devices stop reading while the others in the room keep up', async () => {
    const room = await roomServer();
    cleanups.push(room.stop);
    const ws = { send: 'broadcast' } as const;
    const r = run({
      target: 'external',
      ramp: 0,
      groups: [
        { name: 'slow', protocol: 'ws', url: room.url, count: 3, ws, timers: quiet, backpressure: { slowReader: { bytesPerSec: 0 } } },
        { name: 'fast', protocol: 'ws', url: room.url, count: 3, ws, timers: quiet },
      ],
    });
    try {
      await waitFor('6 online', () => r.merger.gauges().online === 6);
      await waitFor('6 devices in the room', () => room.wss.clients.size === 6);
      await waitFor('slowReaders gauge = 3', () => r.gauges.slowReaders === 3, 5000, () => JSON.stringify(r.gauges));

      // A fast broadcaster in the same room: 400 frames of 8 KiB (3.2 MiB for every member).
      const frames = 400;
      const frame = Buffer.from(`{"type":"broadcast","id":"flood","p":"${'x'.repeat(8192 - 40)}"}`);
      const broadcaster = new WebSocket(room.url, { perMessageDeflate: false });
      cleanups.push(async () => broadcaster.terminate());
      await new Promise<void>((resolve, reject) => {
        broadcaster.once('open', () => resolve());
        broadcaster.once('error', reject);
      });
      for (let i = 0; i < frames; i++) broadcaster.send(frame, { binary: false });

      const received = (g: number) => [0, 1, 2].map((i) => device(r, g, i).received);
      await waitFor(`every fast device received all ${frames} frames`, () => received(1).every((n) => n >= frames), 15_000, () => JSON.stringify({ fast: received(1), slow: received(0) }));
      assert.deepEqual(received(0), [0, 0, 0], 'slow devices read nothing');
      await sleep(300);
      assert.deepEqual(received(0), [0, 0, 0], 'slow devices still read nothing');
      assert.equal(r.gauges.slowReaders, 3);
      assert.equal(r.merger.gauges().online, 6);
    } finally {
      await r.stop();
    }
  });

  for (const protocol of ['ws', 'mqtt'] as const) {
    test(`slowReader 20000 B/s (${protocol}): what a device reads stays within its budget plus one socket read`, async () => {
      // 1 MiB for each device, sent once it has joined/subscribed (after it limited its reads).
      let url: string;
      if (protocol === 'ws') {
        const server = await wsServer((ws) => {
          ws.once('message', () => {
            const frame = Buffer.alloc(8192, 'y');
            for (let i = 0; i < 128; i++) ws.send(frame, { binary: true });
          });
        });
        cleanups.push(server.stop);
        url = server.url;
      } else {
        const broker = await mqttServer({ flood: 128 });
        cleanups.push(broker.stop);
        url = broker.url;
      }
      const startedAt = performance.now();
      const r = run({
        target: 'external',
        ramp: 0,
        groups: [
          {
            name: 'slow',
            protocol,
            url,
            count: 2,
            ...(protocol === 'ws' ? { ws: { join: '{"type":"join"}' } } : { mqtt: { subscribe: ['flood'] } }),
            timers: quiet,
            backpressure: { slowReader: { bytesPerSec: 20_000 } },
          },
        ],
      });
      try {
        await waitFor('2 online', () => r.merger.gauges().online === 2);
        const bytes = () => [0, 1].map((i) => device(r, 0, i).bytesReceived);
        await waitFor('both devices read something', () => bytes().every((b) => b > 0), 10_000, () => JSON.stringify(bytes()));
        await sleep(2000);
        const got = bytes();
        const budget = (20_000 * (performance.now() - startedAt)) / 1000 + READ_CHUNK;
        for (const b of got) assert.ok(b <= budget, `read ${b} bytes, budget ${Math.round(budget)} (1 MiB was sent)`);
        assert.equal(r.gauges.slowReaders, 2);
      } finally {
        await r.stop();
      }
    });
  }

  test('inflight 2 without PUBACKs: exactly 2 outstanding per device, later fires held back', async () => {
    const broker = await mqttServer();
    cleanups.push(broker.stop);
    const r = run({
      target: 'external',
      ramp: 0,
      groups: [
        {
          name: 'm',
          protocol: 'mqtt',
          url: broker.url,
          count: 3,
          mqtt: { qos: 1 },
          timers: { heartbeat: { every: '100ms' }, status: 'off', ping: 'off' },
          backpressure: { inflight: 2 },
        },
      ],
    });
    try {
      await waitFor('3 online', () => r.merger.gauges().online === 3);
      await waitFor('inflight gauge = 6', () => r.gauges.inflight === 6, 10_000, () => JSON.stringify(r.gauges));
      await waitFor('fires held back', () => r.heldBack >= 9, 10_000, () => JSON.stringify(r.gauges));
      const heldBefore = r.heldBack;
      await waitFor('held back keeps growing', () => r.heldBack >= heldBefore + 6, 10_000);
      assert.equal(r.gauges.inflight, 6);
      assert.equal(r.merger.totals.sentHeartbeat, 6, 'each device sent exactly its window');
      assert.equal(r.merger.totals.pubacks, 0);
      await waitFor('the server saw the 6 publishes', () => broker.publishes === 6);
      assert.equal(broker.publishes, 6);
      for (let i = 0; i < 3; i++) assert.equal(r.host.deviceLog(0, i)?.device.inflight, 2, `device ${i} shows its own window`);
    } finally {
      await r.stop();
    }
  });

  test('burst 5: every heartbeat fire publishes 5 messages at once', async () => {
    const broker = await mqttServer();
    cleanups.push(broker.stop);
    const r = run({
      target: 'external',
      ramp: 0,
      groups: [{ name: 'm', protocol: 'mqtt', url: broker.url, count: 1, timers: { heartbeat: { every: '300ms' }, status: 'off', ping: 'off' }, backpressure: { burst: 5 } }],
    });
    try {
      await waitFor('3 fires', () => r.merger.totals.sentHeartbeat >= 15, 10_000);
      const total = r.merger.totals.sentHeartbeat;
      assert.equal(total % 5, 0, `sentHeartbeat ${total} is whole bursts`);
      assert.ok(r.heartbeatDeltas.every((d) => d % 5 === 0), `per-batch deltas are whole bursts: ${r.heartbeatDeltas.filter((d) => d > 0).join(', ')}`);
      await waitFor('the server saw whole bursts', () => broker.publishes >= 15 && broker.publishes % 5 === 0);
      assert.equal(r.heldBack, 0);
    } finally {
      await r.stop();
    }
  });

  for (const protocol of ['mqtt', 'ws'] as const) {
    test(`writeQueueBytes > 0 when a server stops reading large ${protocol} messages`, async () => {
      let url: string;
      let dropAll: () => void;
      if (protocol === 'mqtt') {
        const broker = await mqttServer({ deaf: true });
        cleanups.push(broker.stop);
        url = broker.url;
        dropAll = broker.dropAll;
      } else {
        const deaf = await wsServer((ws) => ws.pause());
        cleanups.push(deaf.stop);
        url = deaf.url;
        dropAll = () => {
          for (const c of deaf.wss.clients) c.terminate();
        };
      }
      const r = run({
        target: 'external',
        ramp: 0,
        groups: [
          {
            name: protocol,
            protocol,
            url,
            count: 2,
            ...(protocol === 'ws' ? { ws: { send: 'raw' } } : {}),
            // 1 MiB messages: above the default cap on what a device accepts back.
            maxMessageBytes: 2 * 1024 * 1024,
            timers: { heartbeat: { every: '100ms', bytes: 1024 * 1024 }, status: 'off', ping: 'off' },
            reconnect: { policy: 'none' },
          },
        ],
      });
      try {
        await waitFor('2 online', () => r.merger.gauges().online === 2);
        await waitFor('writeQueueBytes gauge > 2 MiB', () => r.gauges.writeQueueBytes > 2 * 1024 * 1024, 10_000, () => JSON.stringify(r.gauges));
        const g = r.gauges;
        assert.ok(g.maxWriteQueueBytes > 0 && g.maxWriteQueueBytes <= g.writeQueueBytes, JSON.stringify(g));
        assert.equal(g.inflight, 0);
        assert.equal(g.slowReaders, 0);
        // Nothing will ever drain these queues: let the server drop the devices before stopping.
        dropAll();
        await waitFor('both devices dropped', () => r.merger.gauges().online === 0);
        await waitFor('write queues gone with them', () => r.gauges.writeQueueBytes === 0 && r.gauges.maxWriteQueueBytes === 0);
      } finally {
        await r.stop();
      }
    });
  }
});
