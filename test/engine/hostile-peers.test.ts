// Devices facing a server under test that misbehaves: a declared frame or packet over the group's
// maxMessageBytes ends that device's connection with reason frame-too-large (and nothing is
// buffered for it), the host and every other device go on; a large legal frame dribbled in tiny
// chunks arrives whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { startHost, type HostHarness } from '../helpers/host-harness.ts';
import { dribble, mqttPublish, startRawMqttBroker, startRawWsServer, wsFrameHeader } from '../helpers/hostile-servers.ts';
import { waitFor } from '../helpers/ports.ts';

type GroupInput = ScenarioInput['groups'][number];
const quiet = { heartbeat: 'off', status: 'off', ping: 'off' } as const;
const wsGroup = (name: string, url: string, extra: Partial<GroupInput> = {}): GroupInput => ({ name, protocol: 'ws', url, count: 3, timers: quiet, reconnect: { policy: 'none' }, ...extra });
const mqttGroup = (name: string, url: string, extra: Partial<GroupInput> = {}): GroupInput => ({ name, protocol: 'mqtt', url, count: 3, timers: quiet, reconnect: { policy: 'none' }, ...extra });

async function withHost(groups: GroupInput[], body: (h: HostHarness) => Promise<void>): Promise<void> {
  const h = startHost({ target: 'external', ramp: 0, groups });
  try {
    await body(h);
  } finally {
    await h.stop();
  }
}

const state = (h: HostHarness) => () => JSON.stringify({ gauges: h.merger.gauges(), drops: h.merger.disconnectReasons, fails: h.merger.failureReasons, totals: h.merger.totals });

/** The host keeps reporting: a batch after the drop still arrives. */
async function hostStillReports(h: HostHarness): Promise<void> {
  const before = h.merger.gauges().online;
  let seen = 0;
  const original = h.merger.add.bind(h.merger);
  h.merger.add = (batch) => {
    seen++;
    original(batch);
  };
  await waitFor('another batch from the host', () => seen >= 2);
  assert.equal(h.merger.gauges().online, before, 'no device went down meanwhile');
}

test('WebSocket: a server declaring a 2^62-byte frame gets frame-too-large; the other devices stay', async () => {
  const server = await startRawWsServer((s, path) => {
    if (path === '/huge') s.write(Buffer.concat([wsFrameHeader(2, 1n << 62n), Buffer.alloc(1000, 7)]));
  });
  try {
    await withHost([wsGroup('hostile', `ws://127.0.0.1:${server.port}/huge`), wsGroup('good', `ws://127.0.0.1:${server.port}/ok`)], async (h) => {
      await waitFor('three hostile devices dropped', () => h.merger.disconnectReasons['frame-too-large'] === 3, 10_000, state(h));
      assert.equal(h.merger.gauges().online, 3, 'the good group is still online');
      assert.equal(h.merger.totals.received, 0, 'nothing of the huge frame was delivered');
      await hostStillReports(h);
    });
  } finally {
    await server.stop();
  }
});

test('WebSocket: fragments adding up past maxMessageBytes get frame-too-large', async () => {
  const server = await startRawWsServer((s) => {
    const part = Buffer.alloc(20_000, 1);
    s.write(Buffer.concat([wsFrameHeader(2, 20_000n, false), part]));
    for (let i = 0; i < 4; i++) s.write(Buffer.concat([wsFrameHeader(0, 20_000n, false), part]));
  });
  try {
    await withHost([wsGroup('hostile', `ws://127.0.0.1:${server.port}/`, { count: 2, maxMessageBytes: 65_536 })], async (h) => {
      await waitFor('both dropped', () => h.merger.disconnectReasons['frame-too-large'] === 2, 10_000, state(h));
      assert.equal(h.merger.totals.received, 0);
    });
  } finally {
    await server.stop();
  }
});

test('WebSocket: a large legal frame dribbled in tiny chunks arrives whole, and so does the one after it', async () => {
  const big = Buffer.alloc(200_000, 0x61);
  const small = Buffer.from('after');
  const server = await startRawWsServer((s) => {
    const bytes = Buffer.concat([wsFrameHeader(2, BigInt(big.length)), big, wsFrameHeader(1, BigInt(small.length)), small]);
    // The header a byte at a time, then the payload in sizes from 1 byte up.
    void dribble(s, bytes, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1000, 7, 4096, 1, 65_536]);
  });
  try {
    await withHost([wsGroup('dribbled', `ws://127.0.0.1:${server.port}/`, { count: 2 })], async (h) => {
      await waitFor('both messages at both devices', () => h.merger.totals.received === 4, 15_000, state(h));
      assert.equal(h.merger.totals.bytesReceived, 2 * (big.length + small.length));
      assert.equal(h.merger.gauges().online, 2);
      assert.deepEqual(h.merger.disconnectReasons, {});
    });
  } finally {
    await server.stop();
  }
});

test('WebSocket: a frame sent strictly one byte per write arrives whole', async () => {
  const payload = Buffer.alloc(3000, 0x62);
  const server = await startRawWsServer((s) => void dribble(s, Buffer.concat([wsFrameHeader(2, BigInt(payload.length)), payload]), [1]));
  try {
    await withHost([wsGroup('dribbled', `ws://127.0.0.1:${server.port}/`, { count: 1 })], async (h) => {
      await waitFor('the message', () => h.merger.totals.received === 1, 15_000, state(h));
      assert.equal(h.merger.totals.bytesReceived, payload.length);
    });
  } finally {
    await server.stop();
  }
});

test('MQTT: a broker declaring a 256 MB PUBLISH gets frame-too-large; devices of a good broker stay', async () => {
  const hostile = await startRawMqttBroker((s) => {
    // Remaining length 268,435,455 (0xff 0xff 0xff 0x7f), then the start of a PUBLISH.
    s.write(Buffer.concat([Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01, 0x74]), Buffer.alloc(1000, 1)]));
  });
  const good = await startRawMqttBroker(() => {});
  try {
    await withHost([mqttGroup('hostile', `mqtt://127.0.0.1:${hostile.port}`), mqttGroup('good', `mqtt://127.0.0.1:${good.port}`)], async (h) => {
      await waitFor('three hostile devices dropped', () => h.merger.disconnectReasons['frame-too-large'] === 3, 10_000, state(h));
      assert.equal(h.merger.gauges().online, 3, 'the good group is still online');
      assert.equal(h.merger.totals.received, 0);
      await hostStillReports(h);
    });
  } finally {
    await hostile.stop();
    await good.stop();
  }
});

test('MQTT over WebSocket: a PUBLISH over maxMessageBytes inside a legal frame gets frame-too-large', async () => {
  const server = await startRawWsServer((s) => {
    const connack = Buffer.from([0x20, 0x02, 0x00, 0x00]);
    const publish = mqttPublish('t', Buffer.alloc(70_000, 1));
    s.write(Buffer.concat([wsFrameHeader(2, 4n), connack, wsFrameHeader(2, BigInt(publish.length)), publish]));
  });
  try {
    await withHost([mqttGroup('hostile', `ws://127.0.0.1:${server.port}/mqtt`, { count: 2, maxMessageBytes: 65_536 })], async (h) => {
      await waitFor('both dropped', () => h.merger.disconnectReasons['frame-too-large'] === 2, 10_000, state(h));
      assert.equal(h.merger.totals.received, 0);
    });
  } finally {
    await server.stop();
  }
});

test('MQTT: a large legal PUBLISH dribbled in tiny chunks arrives whole', async () => {
  const payload = Buffer.alloc(300_000, 0x63);
  const broker = await startRawMqttBroker((s) => {
    const bytes = Buffer.concat([mqttPublish('big', payload), mqttPublish('small', Buffer.from('after'))]);
    void dribble(s, bytes, [1, 1, 1, 1, 1, 2, 999, 7, 4096, 1, 65_536]);
  });
  try {
    await withHost([mqttGroup('dribbled', `mqtt://127.0.0.1:${broker.port}`, { count: 2 })], async (h) => {
      await waitFor('both messages at both devices', () => h.merger.totals.received === 4, 15_000, state(h));
      assert.equal(h.merger.totals.bytesReceived, 2 * (payload.length + 5));
      assert.deepEqual(h.merger.disconnectReasons, {});
    });
  } finally {
    await broker.stop();
  }
});
