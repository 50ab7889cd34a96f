// Peer comparison: Tsung 1.7 and Fleetsim holding the same N devices at the seed rates against the
// same broker software, one after the other (never both: 2 cores), and what each costs.
//   npm run bench:peer -- --devices N --protocol mqtt|ws [--seconds 60] [--ramp 2000] [--json]
// Tsung runs first against targets started here (mosquitto shards, or the embedded room server
// for ws), then Fleetsim's own bench (bench/hold.ts) as a child process. Loopback only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { readFdLimit } from '../src/shared/fd-limit.ts';
import { launchEmbeddedTarget } from '../src/fleet/embedded-target-process.ts';
import { ChildProcessLauncher } from '../src/fleet/launcher.ts';
import { planHosts } from '../src/fleet/sharding.ts';
import { startMosquitto } from '../src/targets/mosquitto-process.ts';
import { freePort } from '../src/targets/local-ports.ts';
import { establishedTo, findTsungVms, procStatus, scheduledRate, SEED, tsungConfigXml, tsungStat, type PeerProtocol } from './tsung-config.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '20000' },
    protocol: { type: 'string', default: 'mqtt' },
    seconds: { type: 'string', default: '60' },
    ramp: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});
const devices = Number(values.devices);
const holdSeconds = Number(values.seconds);
const ramp = Number(values.ramp);
const protocol = values.protocol as PeerProtocol;
if (protocol !== 'mqtt' && protocol !== 'ws') throw new Error(`--protocol: expected mqtt or ws, got ${values.protocol}`);
for (const [k, v] of Object.entries({ devices, seconds: holdSeconds, ramp })) if (!Number.isInteger(v) || v < 1) throw new Error(`--${k}: expected a positive integer, got ${v}`);
const TSUNG_BIN = '/usr/bin/tsung';
if (!existsSync(TSUNG_BIN)) throw new Error('tsung is not installed (apt-get install tsung)');
const say = (line: string) => values.json || process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Every process here holds < 20,000 files: a target takes 15,000 devices (as in hold.ts).
const PER_TARGET = 15_000;
const shards = Math.ceil(devices / PER_TARGET);
// Tsung gets as many client VMs as Fleetsim gets hosts (same rule: cores, then open-file limit).
const vmPlan = planHosts({ totalDevices: devices, requested: 'auto', cores: availableParallelism(), fdLimit: readFdLimit()?.soft ?? null });
// Four source addresses, as hold.ts uses: Tsung binds each socket, ~28k ports per address.
const SOURCE_IPS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const SETTLE_MS = 3000; // as hold.ts: the steady window starts 3 s after all are up
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;

// Cleanups run last-in first-out on success, error, SIGINT and SIGTERM; each runs once.
const cleanups: Array<() => Promise<void> | void> = [];
async function cleanUp(): Promise<void> {
  for (let c = cleanups.pop(); c; c = cleanups.pop()) await Promise.resolve().then(c).catch((err) => process.stderr.write(`cleanup: ${err}\n`));
}
function onExit(fn: () => Promise<void> | void): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => (done ??= Promise.resolve().then(fn));
  cleanups.push(once);
  return once;
}
// On a signal the cleanups kill the children; the run then fails, quietly, and exits 130.
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Kills a detached child's whole process group: TERM, then KILL after `graceMs`. */
function killGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!child.pid) return Promise.resolve();
  const kill = (sig: NodeJS.Signals) => { try { process.kill(-child.pid!, sig); } catch { /* gone */ } };
  // A leader that has exited may leave its group behind (hold.ts failing leaves its mosquittos).
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(kill('SIGKILL'));
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  return gone.finally(() => clearTimeout(timer));
}

/** A target shard and the count of messages it has received, as {at, count} when it last said. */
interface Shard { port: number; received(): { at: number; count: number } | undefined; stop(): Promise<void> }

async function startShards(): Promise<Shard[]> {
  const out: Shard[] = [];
  for (let i = 0; i < shards; i++) {
    if (protocol === 'ws') {
      const t = await launchEmbeddedTarget(new ChildProcessLauncher(), '127.0.0.1');
      const stop = onExit(() => t.stop());
      // The room server reports its frame count every 500 ms.
      out.push({ port: t.ports.rooms, received: () => (t.lastStats ? { at: Date.now(), count: t.lastStats.roomFramesIn } : undefined), stop });
      continue;
    }
    // hold.ts's mosquitto config, plus $SYS every 2 s: the broker's own count of packets received,
    // PUBLISH and PINGREQ once all are connected, as Fleetsim counts what it sends (pings too).
    // Tsung's first PINGREQ comes a full keepalive after the CONNACK, often after the window.
    const m = await startMosquitto('max_queued_messages 1000\nsys_interval 2');
    const stopBroker = onExit(() => m.stop());
    let last: { at: number; count: number } | undefined;
    // Over the WebSocket listener, so this client is not among the sockets counted on m.port.
    const sys = mqtt.connect(`ws://127.0.0.1:${m.wsPort}`, { reconnectPeriod: 0 });
    const stopSys = onExit(() => void sys.end(true));
    sys.on('connect', () => sys.subscribe('$SYS/broker/messages/received'));
    sys.on('message', (_t, payload) => (last = { at: Date.now(), count: Number(payload.toString()) }));
    sys.on('error', () => {}); // the count is then missing and the scheduled rate is used
    out.push({ port: m.port, received: () => last, stop: () => stopSys().then(stopBroker) });
  }
  return out;
}

/** What one tool cost while holding its devices (the steady window). */
interface Figures { held: number; rssMB: number; cpuPct: number; msgsPerSec: number; extra: Record<string, unknown> }

async function runTsung(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-peer-tsung-'));
  // A private epmd on loopback: Tsung's VMs find each other through it, and it goes with the run.
  const epmdPort = await freePort();
  const epmd = spawn('epmd', ['-address', '127.0.0.1', '-port', String(epmdPort)], { stdio: 'ignore', detached: true });
  onExit(() => killGroup(epmd, 1000));
  const targets = await startShards();
  const ports = targets.map((t) => t.port);
  const loadSeconds = devices / ramp + holdSeconds + 120;
  const cpus = vmPlan.hosts;
  const xml = tsungConfigXml({ devices, protocol, ports, sourceIps: SOURCE_IPS, ramp, loadSeconds, cpus, maxUsersPerVm: Math.min(vmPlan.perHostCapacity, 1_000_000) });
  writeFileSync(join(dir, 'peer.xml'), xml);
  const id = `peer${process.pid}`;
  const log = openSync(join(dir, 'tsung.out'), 'w');
  say(`tsung: ${devices} ${protocol} devices over ${shards} target process(es), ${cpus} client VM(s) at first, logs in ${dir}`);
  const tsung = spawn(TSUNG_BIN, ['-n', '-I', '127.0.0.1', '-i', id, '-f', join(dir, 'peer.xml'), '-l', join(dir, 'logs'), 'start'], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', log, log],
    // HOME: Tsung writes ~/.tsung; the VMs listen for each other on loopback only.
    env: { ...process.env, HOME: dir, ERL_EPMD_PORT: String(epmdPort), ERL_AFLAGS: '-kernel inet_dist_use_interface {127,0,0,1}' },
  });
  const stopTsung = onExit(async () => {
    const vms = findTsungVms(id);
    await killGroup(tsung);
    // Client VMs are detached (own sessions); they stop with their master, but make sure.
    for (const pid of [...vms.clients, ...findTsungVms(id).clients]) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  });

  const startedAt = Date.now();
  let firstUpAt = 0; // Tsung's VMs take a few seconds to start: the connect rate counts from here
  let allUpAt = 0;
  for (let held = 0; !allUpAt; await sleep(500)) {
    if (tsung.exitCode !== null) throw new Error(`tsung exited (${tsung.exitCode}) before holding ${devices}: see ${dir}/tsung.out and ${dir}/logs`);
    held = establishedTo(ports);
    if (held > 0 && !firstUpAt) firstUpAt = Date.now();
    if (held >= devices) allUpAt = Date.now();
    else if (Date.now() - startedAt > (devices / ramp + 60) * 1000) break; // measure what is held
    if (Math.round((Date.now() - startedAt) / 500) % 4 === 0) say(`  tsung ${Math.round((Date.now() - startedAt) / 1000)}s connected ${held}/${devices}`);
  }
  const connectSeconds = Math.max(0.5, ((allUpAt || Date.now()) - (firstUpAt || startedAt)) / 1000);
  if (!allUpAt) say(`  tsung: not all ${devices} came up within ${Math.round((Date.now() - startedAt) / 1000)} s; measuring what is held`);
  await sleep(SETTLE_MS);
  const vms = findTsungVms(id);
  if (vms.clients.length === 0) throw new Error(`no Tsung client VM found (controller id ${id})`);
  const t0 = Date.now();
  const ticks0 = vms.clients.map((pid) => procStatus(pid).cpuTicks);
  const ctl0 = vms.controller ? procStatus(vms.controller).cpuTicks : 0;
  const rx0 = targets.map((t) => t.received());
  await sleep(holdSeconds * 1000);
  const seconds = (Date.now() - t0) / 1000;
  const now = vms.clients.map((pid) => procStatus(pid));
  const ctl = vms.controller ? procStatus(vms.controller) : { rssKB: 0, cpuTicks: ctl0 };
  const held = establishedTo(ports);
  const rx1 = targets.map((t) => t.received());
  // Targets first: the server side then closes each connection and holds its TIME_WAIT, not
  // Tsung's ephemeral ports (20k of those in TIME_WAIT would keep hold.ts's listeners off ports).
  for (const t of targets) await t.stop();
  await stopTsung();
  const logs = join(dir, 'logs');
  const runDir = existsSync(logs) ? readdirSync(logs).sort().pop() : undefined;
  const tsungLog = runDir && existsSync(join(logs, runDir, 'tsung.log')) ? readFileSync(join(logs, runDir, 'tsung.log'), 'utf8') : '';

  // Message rate from the targets' own counts over the window, summed over shards.
  const rates = rx0.map((a, i) => (a && rx1[i] && rx1[i]!.at - a.at >= 1000 ? ((rx1[i]!.count - a.count) * 1000) / (rx1[i]!.at - a.at) : undefined));
  const measured = rates.every((r) => r !== undefined);
  const pct = (ticks: number) => Math.round(((ticks / CLK_TCK / seconds) * 100) * 10) / 10;
  return {
    held,
    rssMB: now.reduce((s, p) => s + p.rssKB, 0) / 1024,
    cpuPct: pct(now.reduce((s, p, i) => s + Math.max(0, p.cpuTicks - ticks0[i]), 0)),
    // Else the schedule, pings included for MQTT (Tsung's WebSocket plugin sends none).
    msgsPerSec: measured ? rates.reduce((s: number, r) => s + r!, 0) : scheduledRate(held) + (protocol === 'mqtt' ? held / SEED.keepaliveSeconds : 0),
    extra: {
      msgRateFrom: measured ? 'target' : 'scheduled',
      clientVMs: vms.clients.length,
      clientVMsLost: now.filter((p) => p.cpuTicks === 0).length,
      connectRate: Math.round(devices / connectSeconds),
      allUp: allUpAt > 0,
      controllerRssMB: Math.round(ctl.rssKB / 1024),
      controllerCpuPct: pct(ctl.cpuTicks - ctl0),
      tsungLogConnected: tsungStat(tsungLog, 'connected'),
      tsungLogErrors: [...tsungLog.matchAll(/^stats: (error_\w+) \S+ (\d+)$/gm)].reduce<Record<string, number>>((o, m) => ({ ...o, [m[1]]: Number(m[2]) }), {}),
    },
  };
}

async function runFleetsim(): Promise<Figures> {
  const root = join(import.meta.dirname, '..');
  say(`fleetsim: bench/hold.ts --devices ${devices} --seconds ${holdSeconds} --protocol ${protocol}`);
  const args = ['--import', 'tsx', 'bench/hold.ts', '--devices', String(devices), '--seconds', String(holdSeconds), '--ramp', String(ramp), '--protocol', protocol, '--json'];
  const child = spawn(process.execPath, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  onExit(() => killGroup(child));
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const limit = setTimeout(() => void killGroup(child), (devices / ramp + holdSeconds + 300) * 1000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(limit);
  const line = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`bench/hold.ts failed (exit ${code}): ${stdout.slice(-2000)}`);
  const r = JSON.parse(line) as Record<string, number>;
  return {
    held: r.online,
    rssMB: r.rssMB ?? (r.rssKBPerDevice * r.devices) / 1024,
    cpuPct: r.hostCpuPct,
    msgsPerSec: r.msgsPerSec,
    extra: { connectRate: r.connectRate, hosts: r.hosts, marginalRssKBPerDevice: r.marginalRssKBPerDevice, loopLagP99Ms: r.loopLagP99Ms, disconnects: r.disconnects, connectFailures: r.connectFailures },
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
type Summary = { held: number; rssMB: number; kbPerConnection: number; devicesPerGB: number; cpuPct: number; msgsPerSec: number; cpuPctPer1kMsgs: number } & Record<string, unknown>;
function summarize(f: Figures): Summary {
  const kbPerConnection = f.held > 0 ? (f.rssMB * 1024) / f.held : 0;
  return {
    held: f.held,
    rssMB: round(f.rssMB),
    kbPerConnection: round(kbPerConnection),
    devicesPerGB: kbPerConnection > 0 ? Math.round((1024 * 1024) / kbPerConnection) : 0,
    cpuPct: round(f.cpuPct),
    msgsPerSec: Math.round(f.msgsPerSec),
    cpuPctPer1kMsgs: f.msgsPerSec > 0 ? round(f.cpuPct / (f.msgsPerSec / 1000), 2) : 0,
    ...f.extra,
  };
}

function print(rows: Record<string, Summary>, ratios: Record<string, number | null>): void {
  const head = ['tool', 'held', 'RSS MB', 'KB/conn', 'devices/GB', 'CPU % @ msg/s', 'CPU %/1k msg/s'];
  const lines = Object.entries(rows).map(([tool, s]) => [tool, s.held, s.rssMB, s.kbPerConnection, s.devicesPerGB, `${s.cpuPct} @ ${s.msgsPerSec}`, s.cpuPctPer1kMsgs].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const l of [head, ...lines]) console.log(l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  const t = rows.tsung;
  console.log(`fleetsim/tsung: devices per GB x${ratios.devicesPerGB ?? 'n/a'}, CPU per 1k msg/s x${ratios.cpuPer1kMsgs ?? 'n/a (a side measured no CPU)'} (lower is better)`);
  console.log(`msg/s: Fleetsim's own count of what it sent, pings included; Tsung's from the ${t.msgRateFrom === 'target' ? 'targets' : 'schedule'}`);
  console.log(`tsung: ${t.clientVMs} client VM(s); its controller VM (not counted above) ${t.controllerRssMB} MB, ${t.controllerCpuPct}% CPU`);
}

try {
  say(`peer: ${devices} ${protocol} devices, ramp ${ramp}/s, hold ${holdSeconds} s; Tsung first, then Fleetsim`);
  const tsung = summarize(await runTsung());
  await cleanUp(); // Tsung's targets and epmd go before Fleetsim starts
  const fleetsim = summarize(
    await runFleetsim().catch((err: Error) => {
      throw new Error(`${err.message}\nTsung's figures: ${JSON.stringify(tsung)}`);
    }),
  );
  // null when either side measured nothing (a short, small run can round its CPU to 0.0%).
  const ratio = (a: number, b: number) => (a > 0 && b > 0 ? round(a / b, 2) : null);
  const ratios = { devicesPerGB: ratio(fleetsim.devicesPerGB, tsung.devicesPerGB), cpuPer1kMsgs: ratio(fleetsim.cpuPctPer1kMsgs, tsung.cpuPctPer1kMsgs) };
  if (values.json) console.log(JSON.stringify({ devices, protocol, seconds: holdSeconds, ramp, tsung, fleetsim, ratios }));
  else print({ tsung, fleetsim }, ratios);
} catch (err) {
  if (!interrupted) throw err;
} finally {
  await cleanUp();
}
