// The peer comparison (bench/peer.ts): the Tsung XML it writes is well-formed, uses only what
// Tsung's DTD declares, and describes the seed device model; and, where Tsung is installed, a
// small run holds every device with both tools and yields ratios.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scheduledRate, SEED, SESSION_VARIANTS, tsungConfigXml, tsungStat, type TsungConfigOptions } from '../../bench/tsung-config.ts';

const ROOT = join(import.meta.dirname, '../..');
const DTD = '/usr/share/tsung/tsung-1.0.dtd';

interface El { name: string; attrs: Record<string, string>; children: El[]; text: string }

/** A strict little XML reader: every tag must close in order, else it throws. */
function parseXml(xml: string): El {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '').replace(/^<!DOCTYPE[^>]*>\s*/, '');
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  let at = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    stack[stack.length - 1].text += body.slice(at, m.index);
    at = m.index + m[0].length;
    const [, closing, name, attrText, selfClosing] = m;
    if (closing) {
      const open = stack.pop()!;
      assert.equal(open.name, name, `</${name}> closes <${open.name}>`);
      continue;
    }
    const attrs = Object.fromEntries([...attrText.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    const el: El = { name, attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (!selfClosing) stack.push(el);
  }
  assert.equal(stack.length, 1, `unclosed <${stack[stack.length - 1].name}>`);
  assert.equal(body.slice(at).trim(), '', 'nothing after the root element');
  assert.ok(!/<(?![\/A-Za-z])/.test(body), 'no stray "<"');
  assert.equal(root.children.length, 1, 'one root element');
  return root.children[0];
}

const all = (el: El, name: string): El[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];

const options = (protocol: 'mqtt' | 'ws'): TsungConfigOptions => ({
  devices: 300,
  protocol,
  ports: [1883, 1884, 1885],
  sourceIps: ['127.0.0.1', '127.0.0.2'],
  ramp: 100,
  loadSeconds: 200,
  cpus: 2,
  maxUsersPerVm: 15000,
});

/** Messages one device sends per second, read off a session: sends per loop over the loop's thinktimes. */
function perDeviceRate(session: El, sendTag: string): number {
  const loop = all(session, 'for')[0];
  const sends = loop.children.filter((c) => c.name === 'request' && c.children[0]?.name === sendTag).length;
  const seconds = all(loop, 'thinktime').reduce((s, t) => s + Number(t.attrs.value), 0);
  return sends / seconds;
}

/** The sessions: one variant per heartbeat slot, chosen evenly, each at the seed rate. */
function checkSessions(tsung: El, type: string, sendTag: string): El[] {
  const sessions = all(tsung, 'session');
  assert.equal(sessions.length, SESSION_VARIANTS);
  assert.deepEqual(sessions.map((s) => [s.attrs.name, s.attrs.type]), sessions.map((_, k) => [`device-${k}`, type]));
  assert.equal(sessions.reduce((sum, s) => sum + Number(s.attrs.probability), 0), 100);
  for (const s of sessions) assert.ok(Math.abs(perDeviceRate(s, sendTag) * 300 - scheduledRate(300)) < 1e-9, `${s.attrs.name} runs at the seed rate`);
  return sessions;
}

/** Where in its loop each session sends the big (status) message, as the index among its sends. */
const statusSlots = (sessions: El[], sendTag: string) =>
  sessions.map((s) => all(all(s, 'for')[0], sendTag).findIndex((m) => m.text.length === SEED.statusBytes));

test('the MQTT Tsung config names the shards, source addresses, load and seed rates', () => {
  const tsung = parseXml(tsungConfigXml(options('mqtt')));
  assert.equal(tsung.name, 'tsung');
  const [client] = all(tsung, 'client');
  assert.deepEqual([client.attrs.host, client.attrs.cpu, client.attrs.maxusers], ['127.0.0.1', '2', '15000']);
  assert.deepEqual(all(client, 'ip').map((ip) => ip.attrs.value), ['127.0.0.1', '127.0.0.2']);
  assert.deepEqual(all(tsung, 'server').map((s) => [s.attrs.host, s.attrs.port, s.attrs.weight]), [['127.0.0.1', '1883', '1'], ['127.0.0.1', '1884', '1'], ['127.0.0.1', '1885', '1']]);
  const [users] = all(tsung, 'users');
  assert.deepEqual([users.attrs.maxnumber, users.attrs.arrivalrate], ['300', '100']);
  assert.ok(Number(all(tsung, 'arrivalphase')[0].attrs.duration) >= 300 / 100, 'the phase is long enough for all arrivals');
  assert.equal(all(tsung, 'load')[0].attrs.duration, '200');
  const sessions = checkSessions(tsung, 'ts_mqtt', 'mqtt');
  // Variant k sends its status right after heartbeat k: the statuses spread over the minute.
  assert.deepEqual(statusSlots(sessions, 'mqtt'), [1, 2, 3, 4]);
  const mqtt = all(sessions[0], 'mqtt');
  assert.deepEqual(mqtt.filter((m) => m.attrs.type === 'connect').map((m) => m.attrs.keepalive), ['120']);
  const publishes = mqtt.filter((m) => m.attrs.type === 'publish');
  assert.ok(publishes.every((p) => p.attrs.qos === '1' && /^bench\/%%_tsung_userid%%\/(hb|st)$/.test(p.attrs.topic)));
  assert.deepEqual(publishes.map((p) => p.text.length), [20, 500, 20, 20, 20]);
  assert.ok(all(tsung, 'thinktime').every((t) => t.attrs.random === 'false' || (t.attrs.min === '1' && t.attrs.max === String(SEED.heartbeatSeconds))));
});

test('the WebSocket Tsung config sends room-server echo frames at the seed rates', () => {
  const tsung = parseXml(tsungConfigXml(options('ws')));
  const sessions = checkSessions(tsung, 'ts_websocket', 'websocket');
  assert.deepEqual(statusSlots(sessions, 'websocket'), [1, 2, 3, 4]);
  const ws = all(sessions[3], 'websocket');
  assert.deepEqual(ws.filter((w) => w.attrs.type === 'connect').map((w) => w.attrs.path), ['/']);
  const messages = ws.filter((w) => w.attrs.type === 'message');
  assert.ok(messages.every((m) => m.attrs.frame === 'text' && m.text.startsWith('{"type":"echo"')));
  for (const m of messages) JSON.parse(m.text);
  assert.deepEqual(messages.map((m) => m.text.length), [22, 22, 22, 22, 500]);
});

test('the Tsung configs use only elements and attributes the DTD declares', { skip: existsSync(DTD) ? false : `${DTD} is missing (apt-get install tsung)` }, () => {
  const dtd = readFileSync(DTD, 'utf8');
  const declared = new Set([...dtd.matchAll(/<!ELEMENT\s+([\w-]+)/g)].map((m) => m[1]));
  const attlists = new Map([...dtd.matchAll(/<!ATTLIST\s+([\w-]+)([^>]*)>/g)].map((m) => [m[1], m[2]]));
  for (const protocol of ['mqtt', 'ws'] as const) {
    const check = (el: El): void => {
      assert.ok(declared.has(el.name), `<${el.name}> is not in the DTD`);
      for (const a of Object.keys(el.attrs)) assert.match(attlists.get(el.name) ?? '', new RegExp(`\\s${a}\\s`), `<${el.name} ${a}> is not in the DTD`);
      el.children.forEach(check);
    };
    check(parseXml(tsungConfigXml(options(protocol))));
  }
});

test('tsungStat reads the last total of a counter from tsung.log', () => {
  const log = 'stats: connected 150 150\nstats: mqtt_published 10 10\n# stats: dump at 2\nstats: connected 50 200\n';
  assert.equal(tsungStat(log, 'connected'), 200);
  assert.equal(tsungStat(log, 'mqtt_published'), 10);
  assert.equal(tsungStat(log, 'users'), undefined);
});

test('npm run bench:peer -- --devices 200 --seconds 5 --protocol mqtt --json: both tools hold 200', { skip: existsSync('/usr/bin/tsung') ? false : '/usr/bin/tsung is missing (apt-get install tsung)', timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/peer.ts', '--devices', '200', '--seconds', '5', '--protocol', 'mqtt', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON line on stdout');
  const out = JSON.parse(lines[0]) as { tsung: Record<string, number>; fleetsim: Record<string, number>; ratios: Record<string, number> };
  assert.equal(out.tsung.held, 200);
  assert.equal(out.fleetsim.held, 200);
  for (const tool of [out.tsung, out.fleetsim]) {
    for (const k of ['rssMB', 'devicesPerGB', 'msgsPerSec']) assert.ok(tool[k] > 0, `${k} = ${tool[k]}`);
    // A few seconds of 200 quiet devices may round a process's CPU to 0.0%: a figure, never negative.
    assert.ok(Number.isFinite(tool.cpuPctPer1kMsgs) && tool.cpuPctPer1kMsgs >= 0, `cpuPctPer1kMsgs = ${tool.cpuPctPer1kMsgs}`);
  }
  assert.ok(out.ratios.devicesPerGB > 0, `ratio devicesPerGB = ${out.ratios.devicesPerGB}`);
  const cpuRatio = out.ratios.cpuPer1kMsgs as number | null;
  if (out.tsung.cpuPctPer1kMsgs > 0 && out.fleetsim.cpuPctPer1kMsgs > 0) assert.ok(cpuRatio !== null && cpuRatio > 0, `ratio cpuPer1kMsgs = ${cpuRatio}`);
  else assert.equal(cpuRatio, null, 'no ratio of a figure one side did not measure');
});
