// Holds N MQTT devices at the seed rates (20 B / 15 s, 500 B / 60 s, PING / 120 s, QoS 1) for a
// while and prints what the generator costs. The target is sharded over several processes
// (Debian's mosquitto when installed, else the embedded target): one process holds < 20k sockets.
//   npm run bench -- [--devices 20000] [--seconds 60] [--ramp 2000] [--target mosquitto|embedded] [--sources 4] [--json]
import { parseArgs } from 'node:util';
import type { ScenarioInput } from '../src/contract/scenario.ts';
import type { TimelinePoint } from '../src/contract/snapshot.ts';
import { validateScenario } from '../src/contract/validate.ts';
import { FleetController } from '../src/fleet/controller.ts';
import { launchEmbeddedTarget } from '../src/fleet/embedded-target-process.ts';
import { ChildProcessLauncher } from '../src/fleet/launcher.ts';
import { MOSQUITTO_BIN, startMosquitto } from '../test/helpers/mosquitto.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '60' },
    ramp: { type: 'string', default: '2000' },
    target: { type: 'string' },
    sources: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
});
const devices = Number(values.devices);
const holdSeconds = Number(values.seconds);
const ramp = Number(values.ramp);
const sources = Number(values.sources);
const targetKind = values.target ?? (MOSQUITTO_BIN ? 'mosquitto' : 'embedded');
const say = (line: string) => values.json || process.stderr.write(`${line}\n`);

const PER_TARGET_PROCESS = 15_000;
const shards = Math.ceil(devices / PER_TARGET_PROCESS);
const stops: Array<() => Promise<void>> = [];
const ports: number[] = [];
for (let i = 0; i < shards; i++) {
  if (targetKind === 'mosquitto') {
    const m = await startMosquitto('max_queued_messages 1000');
    ports.push(m.port);
    stops.push(m.stop);
  } else {
    const t = await launchEmbeddedTarget(new ChildProcessLauncher());
    ports.push(t.ports.mqtt);
    stops.push(t.stop);
  }
}
say(`bench: ${devices} MQTT devices, ${targetKind} target over ${shards} process(es), ${sources} source address(es), ramp ${ramp}/s, hold ${holdSeconds}s`);

const input: ScenarioInput = {
  name: 'bench',
  target: 'external',
  duration: `${Math.ceil(devices / Math.max(ramp, 1)) + holdSeconds + 15}s`,
  ramp,
  hosts: 'auto',
  logRing: 0,
  groups: ports.map((port, i) => ({
    name: `shard-${i}`,
    protocol: 'mqtt' as const,
    url: `mqtt://127.0.0.1:${port}`,
    count: Math.floor(devices / shards) + (i < devices % shards ? 1 : 0),
    clientId: `bench-${i}-{index}`,
    mqtt: { qos: 1 as const },
    sourceAddresses: `127.0.0.1-127.0.0.${sources}`,
    timers: { heartbeat: { every: '15s', bytes: 20 }, status: { every: '60s', bytes: 500 }, ping: { every: '120s' } },
  })),
};
const v = validateScenario(input);
if (!v.ok) throw new Error(v.problems.join('\n'));
const controller = new FleetController(v.scenario);
const startedAt = Date.now();
await controller.start();

let allOnlineAt = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const s = controller.snapshot();
    if (!allOnlineAt && s.gauges.online >= devices) allOnlineAt = Date.now();
    const held = allOnlineAt ? (Date.now() - allOnlineAt) / 1000 : 0;
    if (Math.round((Date.now() - startedAt) / 250) % 20 === 0) say(`  ${Math.round((Date.now() - startedAt) / 1000)}s online ${s.gauges.online}/${devices} ${s.rates.sentPerSec} msg/s`);
    if (held >= holdSeconds + 3 || s.state !== 'running' || Date.now() - startedAt > (devices / Math.max(ramp, 1) + holdSeconds + 120) * 1000) {
      clearInterval(timer);
      resolve();
    }
  }, 250);
});

const timeline: TimelinePoint[] = [...controller.timeline()];
const peakOnline = Math.max(0, ...timeline.map((p) => p.online));
const summary = await controller.stop();
for (const stop of stops) await stop();

// The steady window: after every device is online (plus 3 s to settle) until the end.
const steady = timeline.filter((p) => allOnlineAt && p.at >= allOnlineAt + 3000);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const avg = (xs: number[]) => (xs.length ? sum(xs) / xs.length : 0);
const cpuPct = avg(steady.map((p) => sum(p.hosts.map((h) => h.cpuPct))));
const msgsPerSec = avg(steady.map((p) => p.sent));
const rssMB = steady.length ? sum(steady[steady.length - 1].hosts.map((h) => h.rssMB)) : 0;
const first = timeline.find((p) => p.online > 0);
const marginalKB = first && steady.length ? ((rssMB - sum(first.hosts.map((h) => h.rssMB))) * 1024) / Math.max(1, steady[steady.length - 1].online - first.online) : 0;
const result = {
  devices,
  online: peakOnline,
  connectRate: allOnlineAt ? Math.round(devices / ((allOnlineAt - startedAt) / 1000)) : 0,
  rssKBPerDevice: Math.round(((rssMB * 1024) / devices) * 10) / 10,
  marginalRssKBPerDevice: Math.round(marginalKB * 10) / 10,
  cpuPctPer1kMsgs: msgsPerSec > 0 ? Math.round((cpuPct / (msgsPerSec / 1000)) * 10) / 10 : 0,
  loopLagP99Ms: Math.max(0, ...steady.flatMap((p) => p.hosts.map((h) => h.loopLagP99Ms))),
  msgsPerSec: Math.round(msgsPerSec),
  hostCpuPct: Math.round(cpuPct * 10) / 10,
  hosts: summary.hosts.length,
  disconnects: summary.disconnects,
  connectFailures: summary.connectFailures,
  target: targetKind,
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`devices online       ${result.online} / ${devices}${allOnlineAt ? '' : '  (not all came online)'}`);
  console.log(`connect rate         ${result.connectRate}/s (ramp ${ramp}/s)`);
  console.log(`generator RSS        ${rssMB} MB over ${result.hosts} hosts = ${result.rssKBPerDevice} KB/device (marginal ${result.marginalRssKBPerDevice} KB/device)`);
  console.log(`CPU per 1k msg/s     ${result.cpuPctPer1kMsgs}% of a core (${result.hostCpuPct}% at ${result.msgsPerSec} msg/s)`);
  console.log(`loop lag p99 (worst) ${result.loopLagP99Ms} ms`);
  console.log(`drops                ${result.disconnects} disconnects, ${result.connectFailures} failed attempts ${JSON.stringify(summary.failures)}`);
}
