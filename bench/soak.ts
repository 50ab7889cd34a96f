// Soak: a fleet at the seed rates for a long while against the embedded target, with a storm every
// few minutes (drop, blip, kill-host, target-restart in turn), recorded as `fleetsim run` records.
// It watches what should stay flat: each host's RSS and heap (slope over the run, MB/hour), and after
// every storm, once the fleet is back to its size, the sockets and timers its hosts hold. It ends
// with a verdict line (or one JSON line with --json) and stops by itself.
//   npm run soak -- [--devices 20000] [--minutes 60] [--storm-every S] [--max-slope 50] [--recover-within 120]
//                   [--ramp 500] [--record DIR] [--json]
// Exit code: 0 when the verdict passed, 1 when it did not (or the soak could not run), 130/143 on a signal.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { HostHandles } from '../src/contract/metrics.ts';
import { PRESETS } from '../src/contract/presets.ts';
import type { ScenarioInput } from '../src/contract/scenario.ts';
import { describeStorm, type StormAction } from '../src/contract/storm.ts';
import { validateScenario } from '../src/contract/validate.ts';
import { createRun } from '../src/fleet/recorded-run.ts';
import { SettingsStore } from '../src/runs/settings-store.ts';
import { MemoryTrack } from './soak-memory.ts';
import { checkRecord } from './soak-record.ts';

// Hosts and targets run the built bundles, as `fleetsim run` does (npm run soak builds first).
process.env.FLEETSIM_BUILT_CHILDREN ??= '1';
// Hosts count their open sockets and timers this often (off in other runs: it costs a few ms of loop).
const HANDLES_EVERY_MS = 2000;
/** Memory slopes fitted over fewer minutes than this are reported, not judged. */
const MIN_FIT_MINUTES = 10;
process.env.FLEETSIM_HOST_HANDLES_EVERY_MS = String(HANDLES_EVERY_MS);
// Hosts report the heap a full collection left: the live set, which a leak makes climb.
process.env.FLEETSIM_HOST_LIVE_HEAP = '1';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '20000' },
    minutes: { type: 'string', default: '60' },
    'storm-every': { type: 'string' },
    'max-slope': { type: 'string', default: '50' },
    'recover-within': { type: 'string', default: '120' },
    ramp: { type: 'string', default: String(PRESETS['seed-mqtt'].ramp) },
    record: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const number = (flag: string, text: string, min: number) => {
  const x = Number(text);
  if (!Number.isFinite(x) || x < min) throw new Error(`--${flag}: expected a number of at least ${min}, got ${JSON.stringify(text)}`);
  return x;
};
const devices = Math.round(number('devices', values.devices, 1));
const minutes = number('minutes', values.minutes, 0.25);
const runMs = minutes * 60_000;
// Every storm kind at least once in a short soak; every 5 minutes in a long one.
const stormEveryS = values['storm-every'] !== undefined ? number('storm-every', values['storm-every'], 5) : Math.min(300, Math.max(15, Math.floor((minutes * 60) / 6)));
const maxSlope = number('max-slope', values['max-slope'], 0);
const recoverWithinS = number('recover-within', values['recover-within'], 5);
const ramp = number('ramp', values.ramp, 1);
const say = (line: string) => values.json || process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const seed = PRESETS['seed-mqtt'];
const input: ScenarioInput = {
  name: 'soak',
  // Longer than the soak: the soak ends the run itself.
  duration: `${Math.ceil(runMs / 1000) + 120}s`,
  ramp,
  hosts: 'auto',
  groups: [{ ...seed.groups[0], count: devices }],
};
const v = validateScenario(input);
if (!v.ok) throw new Error(v.problems.join('\n'));
const runsDir = values.record !== undefined ? resolve(values.record) : new SettingsStore().get().runsDir;
const { controller, recorder } = createRun(v.scenario, { record: { runsDir, source: input } });

// Memory and handles from the hosts' own batches.
const memory = new MemoryTrack(5000);
const handles = new Map<number, HostHandles>();
const lastBatchAt = new Map<number, number>();
controller.on('batch', (b) => {
  memory.add(b);
  lastBatchAt.set(b.hostId, b.at);
  if (b.health.handles) handles.set(b.hostId, b.health.handles);
});

let stopAsked = false;
const onSignal = (code: number) => () => {
  if (stopAsked) process.exit(code);
  stopAsked = true;
  say('soak: stopping (Ctrl-C again to quit at once)');
};
process.once('SIGINT', onSignal(130));
process.once('SIGTERM', onSignal(143));

/** Polls until `done()` or the deadline (or a stop); says whether it was done. */
async function waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
  while (!done()) {
    if (Date.now() >= deadline || stopAsked || controller.snapshot().state !== 'running') return false;
    await sleep(250);
  }
  return true;
}
const online = () => controller.snapshot().gauges.online;
const liveHosts = () => controller.snapshot().hosts.filter((h) => h.state === 'running').map((h) => h.hostId);
/** The hosts' handle counts taken after `after` (each live host reports one within a few batches). */
async function handlesAfter(after: number): Promise<{ sockets: number; timers: number; wheelTimers: number } | null> {
  const fresh = () => liveHosts().every((id) => (handles.get(id)?.at ?? 0) > after);
  if (!(await waitUntil(fresh, Date.now() + HANDLES_EVERY_MS * 3 + 2000))) return null;
  const hs = liveHosts().map((id) => handles.get(id)!);
  return { sockets: hs.reduce((a, h) => a + h.sockets, 0), timers: hs.reduce((a, h) => a + h.timers, 0), wheelTimers: hs.reduce((a, h) => a + h.wheelTimers, 0) };
}

say(`soak: ${devices} seed-mqtt devices against the embedded target for ${minutes} min, a storm every ${stormEveryS} s, recorded in ${recorder!.dir}`);
const startedAt = Date.now();
const endAt = startedAt + runMs;
try {
  await controller.start();
} catch (err) {
  recorder!.abandon(`could not start: ${(err as Error).message}`);
  console.error(`soak: could not start: ${(err as Error).message}`);
  process.exit(1);
}
const connectBudgetMs = Math.max(120, (4 * devices) / ramp) * 1000;
const allOnline = await waitUntil(() => online() >= devices, Math.min(endAt, Date.now() + connectBudgetMs));
const allOnlineAt = Date.now();
say(`  ${Math.round((allOnlineAt - startedAt) / 1000)} s: ${allOnline ? `all ${devices} online` : `only ${online()} of ${devices} online`}`);
const baseline = await handlesAfter(allOnlineAt);
say(`  baseline: ${baseline ? `${baseline.sockets} sockets, ${baseline.timers} timers, ${baseline.wheelTimers} wheel timers for ${devices} devices` : 'no handle counts from the hosts'}`);

// One storm of each kind in turn. kill-host takes the last host and starts it again (its devices
// come back), so the other hosts' memory runs the whole soak in one process.
const lastHost = () => Math.max(0, ...liveHosts());
const kinds: Array<() => StormAction> = [
  () => ({ action: 'drop', percent: 20, mode: 'destroy' }),
  () => ({ action: 'blip', for: 10_000 }),
  () => ({ action: 'kill-host', host: lastHost(), restart: true }),
  () => ({ action: 'target-restart' }),
];
interface StormResult {
  label: string;
  atS: number;
  affected: number;
  error: string | null;
  onlineBefore: number;
  recovered: boolean;
  recoveredAfterS: number | null;
  online: number;
  sockets: number | null;
  timers: number | null;
  wheelTimers: number | null;
  /** Sockets back to at most one per device and timers back to the baseline, once the fleet was back. */
  handlesBack: boolean;
}
const storms: StormResult[] = [];
let nextAt = allOnlineAt + stormEveryS * 1000;
// A storm starts only when there is time left to recover from it before the end.
while (!stopAsked && controller.snapshot().state === 'running' && nextAt + Math.min(recoverWithinS, stormEveryS) * 1000 <= endAt) {
  await waitUntil(() => Date.now() >= nextAt, nextAt + 1000);
  if (stopAsked) break;
  const action = kinds[storms.length % kinds.length]();
  const onlineBefore = online();
  const t0 = Date.now();
  const rec = await controller.storm(action).catch((err: Error) => ({ affected: 0, error: err.message }));
  // Online counts what the hosts last reported: wait for their batches cut after the storm (and
  // for a blip to be over) before asking whether the fleet is back.
  const carriedOut = Date.now() + (action.action === 'blip' ? action.for : 0);
  await waitUntil(() => Date.now() > carriedOut && liveHosts().every((id) => (lastBatchAt.get(id) ?? 0) > carriedOut), carriedOut + 5000);
  const recovered = await waitUntil(() => online() >= devices, Math.min(endAt, t0 + recoverWithinS * 1000));
  const back = Date.now();
  const h = recovered ? await handlesAfter(back) : null;
  const timersBound = (baseline?.timers ?? 0) + Math.max(10, devices * 0.01);
  const wheelBound = (baseline?.wheelTimers ?? 0) * 1.01 + 10;
  const r: StormResult = {
    label: describeStorm(action),
    atS: Math.round((t0 - startedAt) / 1000),
    affected: rec.affected,
    error: rec.error ?? null,
    onlineBefore,
    recovered,
    recoveredAfterS: recovered ? Math.round((back - t0) / 100) / 10 : null,
    online: online(),
    sockets: h?.sockets ?? null,
    timers: h?.timers ?? null,
    wheelTimers: h?.wheelTimers ?? null,
    handlesBack: h !== null && h.sockets <= devices && h.timers <= timersBound && h.wheelTimers <= wheelBound,
  };
  storms.push(r);
  say(`  ${r.atS} s: ${r.label}: ${r.error ? `failed: ${r.error}` : `${r.affected} affected`}; ${recovered ? `back to ${devices} after ${r.recoveredAfterS} s` : `not back within ${recoverWithinS} s (${r.online} online)`}; ${h ? `${h.sockets} sockets, ${h.timers} timers, ${h.wheelTimers} wheel timers` : 'no handle counts'}`);
  nextAt = Math.max(t0 + stormEveryS * 1000, Date.now());
}
await waitUntil(() => false, endAt);
const summary = await controller.stop(stopAsked ? 'signal' : 'stopped');
await recorder!.finished;

// Memory from when the fleet settled (5 minutes, or a tenth of a short soak, after all came online):
// a host's heap and RSS grow for a while after its devices connect before they level off.
// A host restarted by a storm gets the same warm-up from its own start.
const warmupMs = Math.min(300_000, runMs / 10);
const settledAt = allOnlineAt + warmupMs;
const hosts = memory.slopes(settledAt, 60_000, warmupMs);
const sumOf = (k: 'rssMBPerHour' | 'heapMBPerHour') => Math.round(hosts.reduce((a, h) => a + h[k], 0) * 10) / 10;
const slopes = { rssMBPerHour: sumOf('rssMBPerHour'), heapMBPerHour: sumOf('heapMBPerHour') };
const record = checkRecord(recorder!.dir, storms.length, storms.filter((s) => s.label.startsWith('kill host')).length);
// A line through a few minutes of a sawing heap says little about an hour: shorter fits are shown, not judged.
const fitMinutes = Math.min(...hosts.map((h) => h.minutes));
const memoryJudged = hosts.length > 0 && fitMinutes >= MIN_FIT_MINUTES;
const checks = {
  allOnline,
  /** null: the fit was too short to judge (under MIN_FIT_MINUTES). */
  memoryFlat: memoryJudged ? slopes.rssMBPerHour <= maxSlope && slopes.heapMBPerHour <= maxSlope : null,
  recoveredEveryStorm: storms.length > 0 && storms.every((s) => s.recovered && !s.error),
  handlesBack: storms.length > 0 && storms.every((s) => s.handlesBack),
  recordComplete: record.complete,
};
const pass = Object.values(checks).every((c) => c !== false) && !stopAsked;
const memoryText = memoryJudged
  ? `memory RSS ${slopes.rssMBPerHour} MB/h, heap ${slopes.heapMBPerHour} MB/h (bound ${maxSlope})`
  : `memory not judged: ${hosts.length ? `fitted over ${fitMinutes} min, under ${MIN_FIT_MINUTES}` : 'no samples to fit'} (RSS ${slopes.rssMBPerHour} MB/h, heap ${slopes.heapMBPerHour} MB/h)`;
const fails = [
  !allOnline && `only ${summary.peakOnline} of ${devices} came online`,
  checks.memoryFlat === false && `memory grows: RSS ${slopes.rssMBPerHour} MB/h, heap ${slopes.heapMBPerHour} MB/h (bound ${maxSlope})`,
  !checks.recoveredEveryStorm && (storms.length ? `not back to ${devices} after: ${storms.filter((s) => !s.recovered || s.error).map((s) => `${s.label} at ${s.atS} s`).join(', ')}` : 'no storm was made'),
  !checks.handlesBack && storms.length > 0 && `sockets or timers not back after: ${storms.filter((s) => !s.handlesBack).map((s) => `${s.label} at ${s.atS} s (${s.sockets ?? '?'} sockets, ${s.timers ?? '?'} timers)`).join(', ')}`,
  !checks.recordComplete && `record incomplete: ${record.problems.join('; ')}`,
  stopAsked && 'stopped before its time',
].filter(Boolean);
const verdict = pass
  ? `soak passed: ${devices} devices for ${minutes} min, ${storms.length} storms, back to ${devices} after each with sockets and timers back; ${memoryText}; record complete`
  : `soak failed: ${fails.join('; ')}${memoryJudged ? '' : `; ${memoryText}`}`;
const result = { devices, minutes, stormEveryS, maxSlopeMBPerHour: maxSlope, pass, memoryJudged, verdict, checks, slopes, hosts, baseline, storms, record, peakOnline: summary.peakOnline, disconnects: summary.disconnects, connectFailures: summary.connectFailures };
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`memory slope (from ${Math.round((settledAt - startedAt) / 1000)} s)`);
  for (const h of hosts) console.log(`  host ${h.hostId}  RSS ${h.firstRssMB} -> ${h.lastRssMB} MB, ${h.rssMBPerHour} MB/h; heap ${h.firstHeapMB} -> ${h.lastHeapMB} MB, ${h.heapMBPerHour} MB/h (${h.heapMeasure === 'live' ? 'after full collections' : 'window floors'}); ${h.minutes} min, ${h.samples} samples`);
  console.log(`  summed  RSS ${slopes.rssMBPerHour} MB/h, heap ${slopes.heapMBPerHour} MB/h (bound ${maxSlope})`);
  console.log(`storms (${storms.length}), fleet ${devices}${baseline ? `; before them ${baseline.sockets} sockets, ${baseline.timers} timers, ${baseline.wheelTimers} wheel timers` : ''}`);
  for (const s of storms) console.log(`  ${s.atS} s ${s.label}: ${s.affected} affected, ${s.recovered ? `back after ${s.recoveredAfterS} s` : 'NOT back'}, ${s.sockets ?? '?'} sockets, ${s.timers ?? '?'} timers, ${s.wheelTimers ?? '?'} wheel timers${s.handlesBack ? '' : ' (NOT back)'}`);
  console.log(`record ${record.dir}: ${record.status}${record.reason ? ` (${record.reason}${record.complete ? ': the hosts the soak killed' : ''})` : ''}, ${record.timelineRows} timeline rows for ${record.runSeconds} s (largest gap ${record.largestGapS} s), ${record.storms} storms${record.problems.length ? `; problems: ${record.problems.join('; ')}` : ''}`);
  console.log(`verdict ${verdict}`);
}
process.exitCode = pass ? 0 : 1;
// Everything is stopped by now; should a handle linger, the soak still ends.
setTimeout(() => process.exit(), 5000).unref();
