// npm run test:containers: the fleet as 3 containers from the image, each its own IP on a docker
// user network, running the pod command `fleetsim k8s` generates, against the embedded target in a
// fourth container; then `fleetsim runs merge` of their records. Checks: every device online once,
// client ids unique across shards, the merged run = the scenario's fleet. Needs docker (see README);
// not part of `npm test`. Options: --no-build (use the image as it is), --image NAME, --devices N.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { validateScenario } from '../../src/contract/validate.ts';
import { checkK8sFlags } from '../../src/k8s/k8s-options.ts';
import { buildManifests } from '../../src/k8s/manifests.ts';

const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false }, image: { type: 'string', default: 'fleetsim:dev' }, devices: { type: 'string', default: '900' } } });
const image = values.image;
const devices = Number(values.devices);
if (!Number.isInteger(devices) || devices < 3 || devices > 20_000) throw new Error(`--devices: expected 3-20000, got ${values.devices}`);
const SHARDS = 3;
const root = join(import.meta.dirname, '../..');
const tag = `fleetsim-ct-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'fleetsim-containers-'));
const say = (s: string) => console.log(`[test:containers] ${s}`);
const docker = (args: string[], opts: { timeout?: number } = {}) => execFileSync('docker', args, { encoding: 'utf8', timeout: opts.timeout ?? 120_000, maxBuffer: 64 << 20 }).trim();
const dockerAsync = (args: string[], timeout: number) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) =>
    execFile('docker', args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20 }, (err, out, e) => resolve({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, out, err: e })),
  );
const containers: string[] = [];
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  say(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | null> | T | null): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const canConnect = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host, port, timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });

/** The first directory under `dir` that holds a devices.csv (where runs merge put the merged run). */
function findDevicesCsv(dir: string): string | null {
  if (!existsSync(dir)) return null;
  if (existsSync(join(dir, 'devices.csv'))) return dir;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const found = e.isDirectory() ? findDevicesCsv(join(dir, e.name)) : null;
    if (found) return found;
  }
  return null;
}

const ipOf = (name: string) => docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${tag}").IPAddress}}`, name]);

try {
  docker(['info', '--format', '{{.ServerVersion}}']);
  if (!values['no-build']) {
    say(`building ${image} (docker build --network host)…`);
    execFileSync('docker', ['build', '--network', 'host', '-q', '-t', image, root], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 1_800_000 });
  }
  docker(['network', 'create', tag]);

  // The broker: the embedded target from the same image, listening on the network.
  const target = `${tag}-target`;
  docker(['run', '-d', '--name', target, '--network', tag, image, 'target', '--host', '0.0.0.0', '--mqtt-port', '1883']);
  containers.push(target);
  const targetIp = ipOf(target);
  await until('the target container to accept MQTT', 60_000, async () => ((await canConnect(targetIp, 1883)) ? true : null));
  say(`target container ${target} at ${targetIp}:1883`);

  const input = {
    name: 'containers',
    target: 'external',
    duration: '30s',
    ramp: 300,
    groups: [{ name: 'meters', protocol: 'mqtt', url: `mqtt://${targetIp}:1883`, count: devices, clientId: 'meter-{index}', mqtt: { qos: 1 }, timers: { heartbeat: { every: '5s', bytes: 20 }, status: { every: '15s', bytes: 200 }, ping: { every: '30s' } } }],
  };
  const parsed = validateScenario(input);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const runId = `ct-${process.pid}`;
  const options = checkK8sFlags({ shards: String(SHARDS), image, 'run-id': runId, 'start-in': '20s' }, input.name, Date.now());
  if (Array.isArray(options)) throw new Error(options.join('; '));
  // The pod of the generated Job, as docker runs it: same command, args and mounts.
  const m = buildManifests(parsed.scenario, input, options);
  const pod = m.job.spec!.template.spec!;
  const container = pod.containers.find((c) => c.name === 'fleetsim')!;
  const scenarioDir = join(work, 'scenario');
  const records = join(work, 'runs');
  mkdirSync(scenarioDir);
  mkdirSync(records);
  chmodSync(records, 0o777); // the image's user (uid 10001) writes here
  writeFileSync(join(scenarioDir, 'scenario.json'), (m.configMap as { data: Record<string, string> }).data['scenario.json']);
  const [entry, ...cmdArgs] = container.command!;
  say(`run ${runId}: ${devices} devices over ${SHARDS} shard containers, start at ${new Date(options.startAt).toISOString()}`);
  say(`pod command: ${container.args!.join(' ')}`);
  const shards = Array.from({ length: SHARDS }, (_, i) => `${tag}-shard${i}`);
  shards.forEach((name, i) => {
    docker(['run', '-d', '--name', name, '--network', tag, '-e', `JOB_COMPLETION_INDEX=${i}`, '-v', `${scenarioDir}:/etc/fleetsim:ro`, '-v', `${records}:/runs`, '--entrypoint', entry, image, ...cmdArgs, ...container.args!]);
    containers.push(name);
  });
  const ips = shards.map(ipOf);
  check(new Set([targetIp, ...ips]).size === SHARDS + 1, `each container has its own IP: target ${targetIp}, shards ${ips.join(', ')}`);

  // Each shard's /metrics, from its own IP, carries the run and its shard.
  for (const [i, ip] of ips.entries()) {
    const body = await until(`shard ${i}'s metrics`, 60_000, async () => {
      try {
        const res = await fetch(`http://${ip}:9464/metrics`, { signal: AbortSignal.timeout(2000) });
        const text = await res.text();
        return text.includes(`run="${runId}"`) ? text : null;
      } catch {
        return null;
      }
    });
    check(body.includes(`shard="${i}"`), `shard ${i} serves /metrics on ${ip}:9464 with run="${runId}", shard="${i}"`);
  }

  // Wait for every shard to end (start in 20 s + 30 s run + closing), bounded.
  const runEnd = options.startAt + parsed.scenario.duration;
  const states = await until('the shard containers to exit', runEnd - Date.now() + 120_000, () => {
    const s = shards.map((n) => docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', n]));
    return s.every((x) => x.startsWith('exited')) ? s : null;
  });
  check(states.every((s) => s === 'exited 0'), `every shard exited 0 (${states.join(', ')})`);
  const summaries = shards.map((n) => {
    const out = docker(['logs', n]).split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}';
    return JSON.parse(out) as { devices?: number; peakOnline?: number };
  });
  say(`shard summaries (--json): ${summaries.map((s, i) => `shard ${i}: ${s.devices} devices, peak online ${s.peakOnline}`).join('; ')}`);

  // The shards' records: one row per device, ids unique across shards, each online once.
  const rows: Array<{ id: string; state: string; connects: number; disconnects: number }> = [];
  for (let i = 0; i < SHARDS; i++) {
    const file = join(records, `${runId}-shard${i}`, 'devices.csv');
    check(existsSync(file), `shard ${i} recorded ${runId}-shard${i}/devices.csv`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const c = line.split(',');
      rows.push({ id: c[0], state: c[4], connects: Number(c[5]), disconnects: Number(c[6]) });
    }
  }
  const ids = new Set(rows.map((r) => r.id));
  check(rows.length === devices, `shard records hold ${rows.length} devices (scenario: ${devices})`);
  check(ids.size === rows.length, `no client id in two shards (${ids.size} distinct of ${rows.length})`);
  check(Array.from({ length: devices }, (_, i) => `meter-${i}`).every((id) => ids.has(id)), 'the union of the shards is the fleet: meter-0 … meter-N-1');
  const onceOnline = rows.filter((r) => r.connects === 1 && r.disconnects === 0);
  check(onceOnline.length === devices, `every device connected exactly once, never dropped (${onceOnline.length} of ${devices})`);

  // One run from three: fleetsim runs merge, in a container from the same image.
  const merge = await dockerAsync(['run', '--rm', '-v', `${records}:/runs`, image, 'runs', 'merge', ...shards.map((_, i) => `/runs/${runId}-shard${i}`), '--dir', '/runs/merged', '--json'], 300_000);
  if (merge.code !== 0) check(false, `fleetsim runs merge exited ${merge.code}: ${merge.err.trim().split('\n')[0]}`);
  else {
    // `runs merge --json` says where the merged run went (a path inside the container, under /runs).
    const out = JSON.parse(merge.out) as { dir?: string };
    const mergedDir = out.dir?.startsWith('/runs/') ? join(records, out.dir.slice('/runs/'.length)) : findDevicesCsv(join(records, 'merged'));
    const summaryFile = mergedDir ? join(mergedDir, 'summary.json') : '';
    const summary = summaryFile && existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as { devices?: number; peakOnline?: number }) : {};
    check(summary.devices === devices, `merged run (${out.dir ?? 'no dir reported'}): ${summary.devices} devices (scenario: ${devices}), peak online ${summary.peakOnline}`);
    const csv = mergedDir && existsSync(join(mergedDir, 'devices.csv')) ? readFileSync(join(mergedDir, 'devices.csv'), 'utf8').trim().split('\n').slice(1) : [];
    const mergedIds = new Set(csv.map((l) => l.split(',')[0]));
    check(csv.length === devices && mergedIds.size === devices, `merged devices.csv: ${csv.length} rows, ${mergedIds.size} distinct client ids`);
  }
} catch (err) {
  failures.push((err as Error).message);
  say(`FAIL ${(err as Error).message}`);
} finally {
  for (const c of containers) {
    try {
      docker(['rm', '-f', c]);
    } catch {}
  }
  try {
    docker(['network', 'rm', tag]);
  } catch {}
  // Files the containers wrote belong to uid 10001; this process may still remove them as root or owner of the dir.
  try {
    rmSync(work, { recursive: true, force: true });
  } catch {}
}
say(failures.length === 0 ? 'all checks passed' : `${failures.length} check(s) failed`);
process.exitCode = failures.length === 0 ? 0 : 1;
