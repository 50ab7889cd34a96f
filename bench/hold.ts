// Holds N MQTT devices at the seed rates (20 B / 15 s, 500 B / 60 s, PING / 120 s; QoS 1 unless --qos 0) for a
// while and prints what the generator costs. The target is sharded over several processes
// (Debian's mosquitto when installed, else the embedded target): one process holds < 20k sockets.
//   npm run bench -- [--devices 20000] [--seconds 60] [--ramp 2000|adaptive] [--target mosquitto|embedded] [--sources 0|N]
//                    [--protocol mqtt|mqtt-tls|mqtt-mtls|mqtt-mtls-shared|ws] [--client lean|mqtt.js] [--qos 1|0] [--idle]
//                    [--connect-budget S] [--accept-rate N] [--json]
// --accept-rate N: the embedded target lets in at most N new connections a second on each listener
// and closes the rest at once: a target that gives out, to see the verdict say so.
// Whatever happens it prints every figure it measured over what was held, and ends with a verdict:
// `held N/N for S s`, or how far it got, what failed first and who gave out (bench/hold-verdict.ts).
// Exit code: 0 once it reached its verdict, held or not (read `held` in --json); 1 when it could not
// run (a target or host did not start, an error); 130/143 when stopped by a signal.
// ws: raw WebSocket devices against the embedded room server (echo), same timers.
// mqtt-tls: server-authenticated TLS (one shared SecureContext); mqtt-mtls: mutual TLS with a
// certificate per device from a test PKI (issued before the run, timed); mqtt-mtls-shared: mutual
// TLS with one certificate for every device (one shared SecureContext).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { constants, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScenarioInput } from '../src/contract/scenario.ts';
import type { TimelinePoint } from '../src/contract/snapshot.ts';
import { validateScenario } from '../src/contract/validate.ts';
import { FleetController } from '../src/fleet/controller.ts';
import { launchEmbeddedTarget } from '../src/fleet/embedded-target-process.ts';
import { ChildProcessLauncher } from '../src/fleet/launcher.ts';
import { DeviceCertStore } from '../src/pki/device-certs.ts';
import { initTestPki, type PkiInfo } from '../src/pki/test-pki.ts';
import { MOSQUITTO_BIN, startMosquitto } from '../src/targets/mosquitto-process.ts';
import { DEFAULT_CRITERIA } from '../src/contract/capacity.ts';
import { onlineSwings } from '../src/fleet/capacity/online-swings.ts';
import { isStormReason, StepWindow } from '../src/fleet/capacity/step-window.ts';
import { holdVerdict, type FirstFailure } from './hold-verdict.ts';
import { proportionalSetKB } from './proc-memory.ts';

// Hosts and targets run the built bundles, as `fleetsim run` does (npm run bench builds first).
process.env.FLEETSIM_BUILT_CHILDREN ??= '1';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '60' },
    ramp: { type: 'string', default: '2000' },
    target: { type: 'string' },
    sources: { type: 'string', default: '0' },
    protocol: { type: 'string', default: 'mqtt' },
    json: { type: 'boolean', default: false },
    client: { type: 'string', default: 'lean' },
    qos: { type: 'string', default: '1' },
    idle: { type: 'boolean', default: false },
    'connect-budget': { type: 'string' },
    'accept-rate': { type: 'string' },
  },
});
const PROTOCOLS = ['mqtt', 'mqtt-tls', 'mqtt-mtls', 'mqtt-mtls-shared', 'ws'] as const;
const protocol = values.protocol as (typeof PROTOCOLS)[number];
if (!PROTOCOLS.includes(protocol)) throw new Error(`--protocol: expected one of ${PROTOCOLS.join(', ')}, got ${values.protocol}`);
const tlsMode = protocol === 'mqtt' || protocol === 'ws' ? null : protocol;
const ws = protocol === 'ws';
const client = values.client as 'lean' | 'mqtt.js';
if (client !== 'lean' && client !== 'mqtt.js') throw new Error(`--client: expected lean or mqtt.js, got ${values.client}`);
const qos = Number(values.qos) as 0 | 1;
if (qos !== 0 && qos !== 1) throw new Error(`--qos: expected 0 or 1, got ${values.qos}`);
const devices = Number(values.devices);
const holdSeconds = Number(values.seconds);
// --ramp adaptive: the fleet's connect rate follows what the target takes, up to 2000/s (the default ceiling).
const adaptive = values.ramp === 'adaptive';
const ramp = adaptive ? 2000 : Number(values.ramp);
if (!(Number.isFinite(ramp) && ramp >= 0)) throw new Error(`--ramp: expected connects/s (0: no limit) or adaptive, got ${values.ramp}`);
const sources = Number(values.sources);
const acceptRate = values['accept-rate'] === undefined ? undefined : Number(values['accept-rate']);
if (acceptRate !== undefined && !(Number.isInteger(acceptRate) && acceptRate > 0)) throw new Error(`--accept-rate: expected connections a second (a positive whole number), got ${values['accept-rate']}`);
// WebSocket devices need the room server, and an admission limit the embedded target: the embedded target.
const targetKind = ws || acceptRate !== undefined ? 'embedded' : (values.target ?? (MOSQUITTO_BIN ? 'mosquitto' : 'embedded'));
if (acceptRate !== undefined && values.target === 'mosquitto') throw new Error('--accept-rate: only the embedded target has an admission limit (drop --target mosquitto)');
const say = (line: string) => values.json || process.stderr.write(`${line}\n`);

/** Seconds every device may take to come online: four times the ramp's pace, at least two minutes. */
const connectBudgetS = values['connect-budget'] === undefined ? Math.max(120, Math.ceil((4 * devices) / Math.max(ramp, 1))) : Number(values['connect-budget']);
if (!(connectBudgetS > 0)) throw new Error(`--connect-budget: expected seconds (a positive number), got ${values['connect-budget']}`);
const PER_TARGET_PROCESS = 15_000;
const shards = Math.ceil(devices / PER_TARGET_PROCESS);
const shardCounts = Array.from({ length: shards }, (_, i) => Math.floor(devices / shards) + (i < devices % shards ? 1 : 0));

// TLS runs use a test PKI of their own: per-device certificates are issued (and timed) first.
let pki: PkiInfo | null = null;
let issueSeconds = 0;
if (tlsMode) {
  pki = await initTestPki(join(mkdtempSync(join(tmpdir(), 'fleetsim-bench-')), 'pki'));
  if (tlsMode === 'mqtt-mtls') {
    const store = new DeviceCertStore(pki, 'valid');
    // Client ids as the groups below name them: bench-<shard>-<index within the shard>.
    const ids = shardCounts.flatMap((n, shard) => Array.from({ length: n }, (_, i) => `bench-${shard}-${i}`));
    const t0 = performance.now();
    await store.ensureAll(ids);
    issueSeconds = (performance.now() - t0) / 1000;
  }
}

const stops: Array<() => Promise<void>> = [];
// Targets never outlive the bench, whatever ends it (a failed start, an error, Ctrl-C).
const stopTargets = async () => {
  for (const stop of stops.splice(0)) await stop().catch(() => {});
};
process.once('SIGINT', () => void stopTargets().finally(() => process.exit(130)));
process.once('SIGTERM', () => void stopTargets().finally(() => process.exit(143)));
process.once('uncaughtException', (err) => {
  console.error(err);
  void stopTargets().finally(() => process.exit(1));
});
process.once('unhandledRejection', (err) => {
  console.error(err);
  void stopTargets().finally(() => process.exit(1));
});
const ports: number[] = [];
for (let i = 0; i < shards; i++) {
  if (targetKind === 'mosquitto') {
    const m = await startMosquitto('max_queued_messages 1000', pki ? { pkiDir: pki.dir, requireCertificate: tlsMode !== 'mqtt-tls' } : undefined);
    // Below normal priority, as the embedded target runs: the generator keeps its schedule.
    setPriority(m.pid, constants.priority.PRIORITY_BELOW_NORMAL);
    ports.push(pki ? m.tlsPort! : m.port);
    stops.push(m.stop);
  } else {
    const tls = pki ? { pki: pki.dir, clientCerts: tlsMode === 'mqtt-tls' ? ('none' as const) : ('require' as const) } : undefined;
    const t = await launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1', tls ? { mqtt: 0, mqttWs: 0, rooms: 0, mqtts: 0 } : undefined, acceptRate, undefined, undefined, tls);
    ports.push(ws ? t.ports.rooms : pki ? t.ports.mqtts! : t.ports.mqtt);
    stops.push(t.stop);
  }
}
// One certificate for every device (mqtt-mtls-shared): key and certificate in one file.
let sharedCert = '';
if (pki && tlsMode === 'mqtt-mtls-shared') {
  sharedCert = join(pki.dir, 'shared-device.pem');
  writeFileSync(sharedCert, readFileSync(await new DeviceCertStore(pki, 'valid').ensure('bench-shared')));
}
const tlsOf = (): ScenarioInput['groups'][number]['tls'] => {
  if (!pki) return undefined;
  if (tlsMode === 'mqtt-tls') return { ca: pki.files.ca };
  if (tlsMode === 'mqtt-mtls-shared') return { ca: pki.files.ca, cert: sharedCert };
  return { pki: pki.dir, sessionResumption: true };
};
say(`bench: ${devices} ${protocol} devices, ${targetKind} target over ${shards} process(es), ${sources > 0 ? `${sources} bound source address(es)` : 'unbound sources'}, ramp ${adaptive ? `adaptive (ceiling ${ramp}/s)` : `${ramp}/s`}, hold ${holdSeconds}s`);

const input: ScenarioInput = {
  name: 'bench',
  target: 'external',
  // Long enough for a connect phase slower than the ramp: the bench itself ends the run after the hold.
  duration: `${connectBudgetS + holdSeconds + 30}s`,
  ...(adaptive ? { ramp: 'adaptive' as const, adaptive: { ceiling: ramp } } : { ramp }),
  hosts: 'auto',
  logRing: 0,
  groups: ports.map((port, i) => ({
    name: `shard-${i}`,
    ...(ws
      ? { protocol: 'ws' as const, url: `ws://127.0.0.1:${port}/`, ws: { send: 'echo' as const } }
      : { protocol: 'mqtt' as const, url: `${pki ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`, tls: tlsOf(), mqtt: { qos, client } }),
    count: shardCounts[i],
    clientId: `bench-${i}-{index}`,
    // 0: no binding, the kernel picks ports per target (each shard is its own port); N: bind to N
    // loopback addresses round-robin (a bound address shares its ports over every target).
    ...(sources > 0 ? { sourceAddresses: `127.0.0.1-127.0.0.${sources}` } : {}),
    // --idle: connections held with protocol pings only (how many a box can hold, apart from traffic).
    timers: values.idle ? { heartbeat: 'off', status: 'off', ping: { every: '120s' } } : { heartbeat: { every: '15s', bytes: 20 }, status: { every: '60s', bytes: 500 }, ping: { every: '120s' } },
  })),
};
const v = validateScenario(input);
if (!v.ok) throw new Error(v.problems.join('\n'));
const controller = new FleetController(v.scenario);
const startedAt = Date.now();
// Everything the hosts report, start to end: the verdict judges it by the capacity criteria.
const window = new StepWindow(DEFAULT_CRITERIA);
let firstFailure: FirstFailure | null = null;
let runT0 = startedAt;
controller.on('batch', (b) => {
  window.add(b);
  if (firstFailure) return;
  const drops = Object.entries(b.disconnectReasons).filter(([r, c]) => c > 0 && !isStormReason(r));
  const refused = Object.entries(b.failureReasons).filter(([, c]) => c > 0);
  const [kind, reasons] = refused.length ? (['connect-failure', refused] as const) : (['drop', drops] as const);
  if (reasons.length) firstFailure = { t: Math.max(0, Math.round((b.at - runT0) / 1000)), kind, reason: reasons.sort((a, c) => c[1] - a[1])[0][0] };
});
const lost: string[] = [];
controller.on('event', (e) => {
  if (e.type === 'host-lost') lost.push(`host ${e.hostId} lost (${e.reason})`);
  if (e.type === 'target-lost') lost.push(e.reason);
});
await controller.start();
runT0 = Date.now() - controller.snapshot().elapsedMs;

let allOnlineAt = 0;
let minOnlineDuringHold: number | null = null;
let runEnded: string | null = null;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const s = controller.snapshot();
    if (!allOnlineAt && s.gauges.online >= devices) allOnlineAt = Date.now();
    const held = allOnlineAt ? (Date.now() - allOnlineAt) / 1000 : 0;
    if (allOnlineAt && held <= holdSeconds) minOnlineDuringHold = Math.min(minOnlineDuringHold ?? devices, s.gauges.online);
    if (Math.round((Date.now() - startedAt) / 250) % 20 === 0) say(`  ${Math.round((Date.now() - startedAt) / 1000)}s online ${s.gauges.online}/${devices} ${s.rates.sentPerSec} msg/s`);
    if (s.state !== 'running') runEnded = [`the run is ${s.state}`, ...lost].join('; ');
    if (held >= holdSeconds + 3 || runEnded || (!allOnlineAt && Date.now() - startedAt > connectBudgetS * 1000)) {
      clearInterval(timer);
      resolve();
    }
  }, 250);
});
const heldSeconds = allOnlineAt ? Math.min(holdSeconds, (Date.now() - allOnlineAt) / 1000) : 0;

// Memory as the kernel splits it: Node's own code pages are shared by every host, and summed
// RSS counts them once per host; PSS counts each shared page once, split between its users.
const hostPids = controller.snapshot().hosts.flatMap((h) => (h.pid === null ? [] : [h.pid]));
const onlineAtPss = controller.snapshot().gauges.online;
const pssKB = hostPids.map(proportionalSetKB);
const timeline: TimelinePoint[] = [...controller.timeline()];
const summary = await controller.stop();
await stopTargets();

const swings = onlineSwings(timeline);
// What was held: the hold (from 3 s after every device was online), or, when they never all
// were, the plateau: from when online first reached 90% of its peak.
const plateauAt = timeline.find((p) => p.online >= swings.peak * 0.9)?.at ?? 0;
const steadyFrom = allOnlineAt ? allOnlineAt + 3000 : plateauAt;
const steady = timeline.filter((p) => swings.peak > 0 && p.at >= steadyFrom);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const avg = (xs: number[]) => (xs.length ? sum(xs) / xs.length : 0);
const round1 = (x: number) => Math.round(x * 10) / 10;
const heldDevices = allOnlineAt ? devices : Math.max(1, Math.round(avg(steady.map((p) => p.online))));
const cpuPct = avg(steady.map((p) => sum(p.hosts.map((h) => h.cpuPct))));
const msgsPerSec = avg(steady.map((p) => p.sent));
// Summed host RSS, averaged over the hold (a host's heap saws up and down between collections), and its peak.
const rssSums = steady.map((p) => sum(p.hosts.map((h) => h.rssMB)));
const rssMB = Math.round(avg(rssSums));
const peakRssMB = Math.max(0, ...rssSums);
const first = timeline.find((p) => p.online > 0);
const marginalKB = first && steady.length ? ((rssMB - sum(first.hosts.map((h) => h.rssMB))) * 1024) / Math.max(1, steady[steady.length - 1].online - first.online) : 0;
const peakAt = timeline.find((p) => p.online === swings.peak)?.at ?? startedAt;
const connectRate = allOnlineAt ? Math.round(devices / ((allOnlineAt - startedAt) / 1000)) : Math.round(swings.peak / Math.max(0.001, (peakAt - startedAt) / 1000));
const verdict = holdVerdict({ devices, holdSeconds, allOnlineAfterS: allOnlineAt ? (allOnlineAt - startedAt) / 1000 : null, heldSeconds, minOnlineDuringHold, connectBudgetS, runEnded, swings, window: window.figures(), firstFailure, criteria: DEFAULT_CRITERIA, connectRate, ramp });
const latency = (kind: 'connect' | 'connack' | 'puback') => ({ p50: round1(summary.latencyMs[kind]?.p50 ?? 0), p99: round1(summary.latencyMs[kind]?.p99 ?? 0), max: round1(summary.latencyMs[kind]?.max ?? 0) });
const pssOk = pssKB.every((kb) => kb !== null) && onlineAtPss > 0;
const result = {
  devices,
  online: swings.peak,
  heldDevices,
  connectRate,
  ramp: adaptive ? 'adaptive' : ramp,
  rssMB,
  rssKBPerDevice: round1((rssMB * 1024) / heldDevices),
  marginalRssKBPerDevice: round1(marginalKB),
  peakRssKBPerDevice: round1((peakRssMB * 1024) / heldDevices),
  pssKBPerDevice: pssOk ? round1(sum(pssKB as number[]) / onlineAtPss) : null,
  cpuPctPer1kMsgs: msgsPerSec > 0 ? round1(cpuPct / (msgsPerSec / 1000)) : 0,
  loopLagP99Ms: Math.max(0, ...steady.flatMap((p) => p.hosts.map((h) => h.loopLagP99Ms))),
  msgsPerSec: Math.round(msgsPerSec),
  hostCpuPct: round1(cpuPct),
  latencyMs: { connect: latency('connect'), connack: latency('connack'), puback: latency('puback') },
  hosts: summary.hosts.length,
  disconnects: summary.disconnects,
  connectFailures: summary.connectFailures,
  target: targetKind,
  protocol,
  client: ws ? undefined : client,
  qos: ws ? undefined : qos,
  idle: values.idle,
  ...(tlsMode ? { tlsHandshakeP50Ms: round1(summary.latencyMs.tls?.p50 ?? 0), tlsHandshakeP99Ms: round1(summary.latencyMs.tls?.p99 ?? 0), certIssueSeconds: round1(issueSeconds) } : {}),
  held: verdict.held,
  heldSeconds: Math.round(heldSeconds),
  allOnlineAfterS: allOnlineAt ? round1((allOnlineAt - startedAt) / 1000) : null,
  minOnlineDuringHold,
  verdict: verdict.line,
  peakAtS: verdict.peakAtS,
  firstFailure: verdict.firstFailure,
  connectTimeouts: verdict.connectTimeouts,
  who: verdict.who,
  failedChecks: verdict.failures.map((f) => f.check),
  oscillating: verdict.oscillating,
  oscillation: verdict.oscillation,
  // How the connect rate moved (adaptive cuts and raises) and how long the ramp was paused on saturation.
  rampSummary: summary.ramp,
};
if (values.json) console.log(JSON.stringify(result));
else {
  const over = allOnlineAt ? 'over the hold' : `over what was held (${heldDevices} devices on average from when online reached 90% of its peak)`;
  const lat = (k: keyof typeof result.latencyMs) => `p50 ${result.latencyMs[k].p50} p99 ${result.latencyMs[k].p99} max ${result.latencyMs[k].max}`;
  console.log(`devices online       ${result.online} / ${devices} at the peak${allOnlineAt ? `, all online after ${result.allOnlineAfterS} s` : ` (${verdict.peakAtS} s in; not all came online)`}`);
  console.log(`connect rate         ${result.connectRate}/s (ramp ${adaptive ? `adaptive, ceiling ${ramp}` : ramp}/s)`);
  const r = summary.ramp;
  if (r) console.log(`ramp                 ${r.mode}: ${r.changes} changes, ${r.minRate}–${r.maxRate}/s, ended at ${r.finalRate}/s; paused ${r.pauses}× for ${r.pausedSeconds} s (generator saturated)`);
  console.log(`generator RSS        ${rssMB} MB over ${result.hosts} hosts = ${result.rssKBPerDevice} KB/device, average ${over} (peak ${result.peakRssKBPerDevice}, marginal ${result.marginalRssKBPerDevice} KB/device)`);
  if (result.pssKBPerDevice !== null) console.log(`generator PSS        ${Math.round(sum(pssKB as number[]) / 1024)} MB = ${result.pssKBPerDevice} KB/device at the end, ${onlineAtPss} online (shared pages split between the hosts and the controller)`);
  console.log(`CPU per 1k msg/s     ${result.cpuPctPer1kMsgs}% of a core (${result.hostCpuPct}% at ${result.msgsPerSec} msg/s)`);
  console.log(`loop lag p99 (worst) ${result.loopLagP99Ms} ms`);
  console.log(`latency (ms)         connect ${lat('connect')}; CONNACK ${lat('connack')}; PUBACK ${lat('puback')}`);
  if (tlsMode) {
    console.log(`TLS handshake        p50 ${result.tlsHandshakeP50Ms} ms, p99 ${result.tlsHandshakeP99Ms} ms`);
    if (tlsMode === 'mqtt-mtls') console.log(`device certificates  ${devices} issued in ${result.certIssueSeconds} s before the run (${Math.round(devices / Math.max(issueSeconds, 0.001))}/s)`);
  }
  console.log(`drops                ${result.disconnects} disconnects, ${result.connectFailures} failed attempts ${JSON.stringify(summary.failures)}`);
  console.log(`verdict              ${verdict.line}`);
}
