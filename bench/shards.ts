// One fleet as N shard processes on this machine, as N machines would run it: each shard is the
// real `fleetsim run --shard i/N` command with a shared run id and start time, disjoint source
// addresses and its own /metrics; the target is Debian's mosquitto over several processes (one
// holds < 20k sockets), logging client-id takeovers; optionally Debian's prometheus scrapes the
// shards. At the end the shard records are merged into one run and the figures compared.
//   npm run bench:shards -- [--devices 100000] [--shards 4] [--seconds 60] [--ramp 2000] [--qos 1|0] [--prometheus] [--json]
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { constants, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunSummary } from '../src/contract/snapshot.ts';
import { MOSQUITTO_BIN } from '../src/targets/mosquitto-process.ts';
import { freePort, waitForPort } from '../src/targets/local-ports.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '100000' },
    shards: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '60' },
    ramp: { type: 'string', default: '2000' },
    qos: { type: 'string', default: '1' },
    prometheus: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const devices = Number(values.devices);
const shardCount = Number(values.shards);
const holdSeconds = Number(values.seconds);
const ramp = Number(values.ramp);
const qos = Number(values.qos);
if (!(devices > 0 && shardCount >= 1 && shardCount <= 64 && holdSeconds > 0 && ramp >= 0 && (qos === 0 || qos === 1))) {
  throw new Error('usage: npm run bench:shards -- [--devices N>0] [--shards 1-64] [--seconds S] [--ramp R] [--qos 0|1] [--prometheus] [--json]');
}
if (!MOSQUITTO_BIN) throw new Error('needs Debian\'s mosquitto (apt-get install mosquitto)');
const say = (line: string) => values.json || process.stderr.write(`${line}\n`);
const BIN = join(import.meta.dirname, '../bin/fleetsim.mjs');
const work = mkdtempSync(join(tmpdir(), 'fleetsim-shards-'));
const runsDir = join(work, 'runs');
mkdirSync(runsDir);

const children: ChildProcess[] = [];
const cleanup = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
};
process.once('SIGINT', () => (cleanup(), process.exit(130)));
process.once('exit', cleanup);

// The target: mosquitto processes of ≤ 15k connections, each logging to its own file.
const PER_BROKER = 15_000;
const brokers = Math.ceil(devices / PER_BROKER);
const brokerPorts: number[] = [];
const brokerLogs: string[] = [];
for (let i = 0; i < brokers; i++) {
  const port = await freePort();
  const log = join(work, `mosquitto-${i}.log`);
  const conf = join(work, `mosquitto-${i}.conf`);
  writeFileSync(conf, [...(process.getuid?.() === 0 ? ['user root'] : []), 'allow_anonymous true', 'persistence false', 'max_queued_messages 1000', `log_dest file ${log}`, 'log_type error', 'log_type warning', 'log_type information', 'connection_messages false', `listener ${port} 127.0.0.1`, ''].join('\n'));
  const child = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: 'ignore' });
  children.push(child);
  await waitForPort(port);
  setPriority(child.pid!, constants.priority.PRIORITY_BELOW_NORMAL);
  brokerPorts.push(port);
  brokerLogs.push(log);
}

/** Seconds every device may take to come online: four times the ramp's pace, at least two minutes. */
const connectBudgetS = Math.max(120, Math.ceil((4 * devices) / Math.max(ramp, 1)));
const scenarioFile = join(work, 'fleet.json');
writeFileSync(
  scenarioFile,
  JSON.stringify({
    name: 'sharded-fleet',
    target: 'external',
    duration: `${connectBudgetS + holdSeconds + 10}s`,
    ramp,
    hosts: 'auto',
    logRing: 0,
    groups: [
      {
        name: 'seed',
        protocol: 'mqtt',
        url: `mqtt://127.0.0.1:${brokerPorts[0]}`,
        ...(brokers > 1 && { urls: brokerPorts.slice(1).map((p) => `mqtt://127.0.0.1:${p}`) }),
        count: devices,
        clientId: 'seed-{index}',
        mqtt: { qos },
        timers: { heartbeat: { every: '15s', bytes: 20 }, status: { every: '60s', bytes: 500 }, ping: { every: '120s' } },
      },
    ],
  }),
);

const runId = `bench-${Date.now().toString(36)}`;
// Every shard must be up (hosts started) before the shared start: a few seconds per shard on 2 cores.
const startAt = new Date(Date.now() + 8000 + shardCount * 2000);
const metricsPorts = await Promise.all(Array.from({ length: shardCount }, () => freePort()));

let prometheus: { url: string; stop(): void } | null = null;
if (values.prometheus) {
  const port = await freePort();
  const conf = join(work, 'prometheus.yml');
  // The scrape config Fleetsim generates for shards at fixed addresses, as a user would take it.
  const generated = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [BIN, 'k8s', '--scrape-config-static', metricsPorts.map((p) => `127.0.0.1:${p}`).join(',')], (err, out) => (err ? reject(err) : resolve(out))),
  );
  writeFileSync(conf, generated);
  const child = spawn('/usr/bin/prometheus', [`--config.file=${conf}`, `--storage.tsdb.path=${join(work, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  children.push(child);
  await waitForPort(port);
  prometheus = { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

say(`bench:shards: ${devices} MQTT devices (QoS ${qos}, seed rates) as ${shardCount} shard processes of run ${runId}, ${brokers} mosquitto processes, ramp ${ramp}/s, start ${startAt.toISOString()}, hold ${holdSeconds}s`);
const shardResults = await Promise.all(
  Array.from({ length: shardCount }, (_, i) => {
    // Disjoint source addresses per shard, as separate machines would have: 127.0.<i+1>.1-2.
    const args = [BIN, 'run', scenarioFile, '--shard', `${i}/${shardCount}`, '--run-id', runId, '--start-at', startAt.toISOString(), '--source-addresses', `127.0.${i + 1}.1-127.0.${i + 1}.2`, '--metrics-port', String(metricsPorts[i]), '--record', runsDir, '--json'];
    return new Promise<{ code: number | null; summary: RunSummary | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => {
        let summary: RunSummary | null = null;
        try {
          summary = JSON.parse(stdout) as RunSummary;
        } catch {}
        resolve({ code, summary, stderr });
      });
    });
  }),
);
// (The shards end by themselves at start + duration; the hold is inside that duration.)

const promQuery = async (q: string) => {
  if (!prometheus) return null;
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
  return Number(body.data?.result?.[0]?.value?.[1] ?? NaN);
};
const promFigures = prometheus
  ? {
      peakOnline: await promQuery(`max_over_time(sum(fleetsim_devices{run="${runId}",state="online"})[1h:5s])`),
      connects: await promQuery(`max_over_time(sum(fleetsim_connects_total{run="${runId}"})[1h:5s])`),
      // Over the run, not now: the shards have exited (their series went stale) by the time this runs.
      shardsSeen: await promQuery(`max_over_time(count(count by (shard) (fleetsim_devices{run="${runId}"}))[1h:5s])`),
    }
  : null;
prometheus?.stop();

const takeovers = brokerLogs.reduce((n, log) => n + (readFileSync(log, 'utf8').match(/already connected, closing old connection/g)?.length ?? 0), 0);
const merged = await new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
  execFile(process.execPath, [BIN, 'runs', 'merge', ...shardResults.map((_, i) => join(runsDir, `${runId}-shard${i}`)), '--dir', runsDir, '--json'], { maxBuffer: 64 << 20 }, (err, out, errText) => resolve({ code: err ? 1 : 0, out, err: errText })),
);
let mergedSummary: (RunSummary & { dir?: string }) | null = null;
try {
  // `runs merge --json` says where the merged run went; its summary.json is the fleet's.
  const { dir } = JSON.parse(merged.out) as { dir: string };
  if (merged.code === 0) mergedSummary = { ...(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary), dir };
} catch {}
cleanup();

const result = {
  devices,
  shards: shardCount,
  runId,
  perShard: shardResults.map((r, i) => ({ shard: i, exit: r.code, devices: r.summary?.devices ?? null, peakOnline: r.summary?.peakOnline ?? null, connects: r.summary?.connects ?? null, disconnects: r.summary?.disconnects ?? null, connectFailures: r.summary?.connectFailures ?? null, connackP99Ms: r.summary?.latencyMs.connack?.p99 ?? null, pubackP99Ms: r.summary?.latencyMs.puback?.p99 ?? null, hostRssMB: r.summary?.hosts.reduce((n, h) => n + h.rssMB, 0) ?? null })),
  merged: mergedSummary && { devices: mergedSummary.devices, peakOnline: mergedSummary.peakOnline, connects: mergedSummary.connects, disconnects: mergedSummary.disconnects, connectFailures: mergedSummary.connectFailures, latencyMs: { connack: mergedSummary.latencyMs.connack, puback: mergedSummary.latencyMs.puback } },
  mergeExit: merged.code,
  takeovers,
  prometheus: promFigures,
};
if (values.json) console.log(JSON.stringify(result));
else {
  for (const s of result.perShard) say(`shard ${s.shard}: exit ${s.exit}, ${s.devices} devices, peak online ${s.peakOnline}, connects ${s.connects}, disconnects ${s.disconnects}, failed attempts ${s.connectFailures}, CONNACK p99 ${s.connackP99Ms} ms, PUBACK p99 ${s.pubackP99Ms} ms, host RSS ${s.hostRssMB} MB`);
  if (merged.code !== 0) say(`merge failed: ${merged.err.trim()}`);
  if (result.merged) say(`merged: ${result.merged.devices} devices, peak online ${result.merged.peakOnline}, connects ${result.merged.connects}, disconnects ${result.merged.disconnects}, CONNACK p50/p99 ${result.merged.latencyMs.connack?.p50}/${result.merged.latencyMs.connack?.p99} ms, PUBACK p50/p99 ${result.merged.latencyMs.puback?.p50}/${result.merged.latencyMs.puback?.p99} ms${mergedSummary?.dir ? ` (${mergedSummary.dir})` : ''}`);
  say(`client-id takeovers in mosquitto's logs: ${takeovers}`);
  if (promFigures) say(`prometheus: ${promFigures.shardsSeen} shards seen, peak online (sum) ${promFigures.peakOnline}, connects (sum) ${promFigures.connects}`);
}
