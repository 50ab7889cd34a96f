// `fleetsim run [scenario|preset] [--duration 30s] [--hosts N] [--json]`
// Exit codes: 0 the run completed, 1 it could not start, 2 bad input, 99 a threshold was broken, 130 stopped by a signal.
import { join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { StartError } from '../fleet/controller.ts';
import { serveMetrics } from '../fleet/metrics-exporter.ts';
import { createRun } from '../fleet/recorded-run.ts';
import { loadScenarioWithInput, ScenarioError } from '../fleet/scenario-loader.ts';
import { redactedProblems } from '../runs/redact.ts';
import { RUN_FILES } from '../runs/run-layout.ts';
import { resolveRunRef, RunRefError } from '../runs/run-ref.ts';
import { SettingsStore } from '../runs/settings-store.ts';
import { expandSourceAddresses, isIpAddress } from '../contract/addresses.ts';
import { parseThreshold, THRESHOLD_BROKEN_EXIT } from '../contract/thresholds.ts';
import type { Scenario } from '../contract/scenario.ts';
import { thresholdsHeld } from '../fleet/threshold-evaluation.ts';
import { progressLine, summaryText } from './format.ts';
import { resolveDistributedRun } from './shard-options.ts';
import { parseCommandArgs } from './command-args.ts';

export const RUN_USAGE = `usage: fleetsim run [scenario.yaml|scenario.json|preset] [--duration 30s] [--hosts N|auto] [--ramp N|adaptive] [--json] [--threshold EXPR]... [--record DIR|--no-record] [--from RUN] [--metrics-port N] [--metrics-host ADDR]
                   [--shard I/N | --shards N] [--run-id R] [--start-at ISO-TIME] [--source-addresses LIST]
  Every run is recorded in <runs>/<time>-<name>/ (scenario, timeline.csv, event logs, devices.csv, summary.json, report.html);
  <runs> is the app's setting, by default $FLEETSIM_HOME/runs (~/.fleetsim/runs).
  --threshold EXPR  a pass/fail check added to the scenario's thresholds, e.g. "puback.p99 < 200ms"
                 (repeatable; see README "Thresholds"); a broken one makes the run exit 99
  --record DIR   record into DIR instead      --no-record   keep no record
  --from RUN     run a recorded run's scenario again (a run directory, an id from \`fleetsim runs\`, or "latest")
  --metrics-port N  serve Prometheus metrics on http://127.0.0.1:N/metrics while the run lasts (0: a free port)
  --metrics-host ADDR  listen there instead of 127.0.0.1 (0.0.0.0 in a pod, so Prometheus can scrape it)
  One fleet over many machines (see README "Past one machine"):
  --shard I/N    run shard I (from 0) of N: a contiguous slice of every group, 1/N of the rates (env FLEETSIM_SHARD)
  --shards N     the same, with I from JOB_COMPLETION_INDEX (each pod of a Kubernetes Indexed Job has it)
  --run-id R     the id all shards share: labels run/shard on every metric, recorded in each record (env FLEETSIM_RUN_ID)
  --start-at T   every shard starts its devices at T (ISO time with zone), so timelines and storms align (env FLEETSIM_START_AT)
  --source-addresses LIST  this shard's source addresses for every group, e.g. 127.0.1.1-127.0.1.8 (env FLEETSIM_SOURCE_ADDRESSES)
  With no scenario, runs the default demo (1,000 MQTT + 200 WebSocket devices for 30 s).`;

/** `--threshold` flags join the scenario's own thresholds (and its recorded input, so `--from` keeps them). */
function addThresholdFlags(flags: string[], scenario: Scenario, input: object, problems: string[]): void {
  const added: string[] = [];
  for (const flag of flags) {
    const parsed = parseThreshold(flag);
    if (typeof parsed === 'string') problems.push(`--threshold ${JSON.stringify(flag)}: ${parsed}`);
    else {
      scenario.thresholds.push(parsed);
      added.push(parsed.check);
    }
  }
  const own = (input as { thresholds?: unknown }).thresholds;
  if (added.length > 0) Object.assign(input, { thresholds: [...(Array.isArray(own) ? own : []), ...added] });
}

function readJsonOrNull(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export async function runCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'run', usage: RUN_USAGE }, args, {
    duration: { type: 'string' },
    hosts: { type: 'string' },
    ramp: { type: 'string' },
    json: { type: 'boolean', default: false },
    threshold: { type: 'string', multiple: true, default: [] },
    record: { type: 'string' },
    'no-record': { type: 'boolean', default: false },
    from: { type: 'string' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
    shard: { type: 'string' },
    shards: { type: 'string' },
    'run-id': { type: 'string' },
    'start-at': { type: 'string' },
    'source-addresses': { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (values.from !== undefined && positionals.length > 0)) {
    console.error(`fleetsim run: one scenario at a time (a file, a preset or --from RUN)\n${RUN_USAGE}`);
    return 2;
  }
  if (values['no-record'] && values.record !== undefined) {
    console.error(`fleetsim run: --record and --no-record contradict each other\n${RUN_USAGE}`);
    return 2;
  }
  const settings = new SettingsStore().get();
  const overrides: Record<string, unknown> = {};
  if (values.duration !== undefined) overrides.duration = values.duration;
  if (values.hosts !== undefined) overrides.hosts = values.hosts === 'auto' ? 'auto' : Number(values.hosts);
  if (values.ramp !== undefined) overrides.ramp = values.ramp === 'adaptive' ? 'adaptive' : Number(values.ramp);

  let ref = positionals[0] ?? 'demo';
  if (values.from !== undefined) {
    try {
      const dir = resolveRunRef(values.from, settings.runsDir);
      ref = join(dir, RUN_FILES.scenarioSource);
      if (!existsSync(ref)) throw new RunRefError(`${dir} has no ${RUN_FILES.scenarioSource} to run again`);
      // Secrets were replaced when the run was recorded: never connect with the placeholder.
      const redacted = redactedProblems(readJsonOrNull(ref));
      if (redacted.length > 0) throw new RunRefError(`${redacted.join('; ')} (or run the original scenario file)`);
    } catch (err) {
      if (!(err instanceof RunRefError)) throw err;
      console.error(`fleetsim run: --from: ${err.message}`);
      return 2;
    }
  }
  let scenario;
  let input;
  try {
    ({ scenario, input } = await loadScenarioWithInput(ref, overrides));
  } catch (err) {
    if (err instanceof ScenarioError) {
      console.error(`fleetsim run: ${err.source} is not a valid scenario:`);
      for (const p of err.problems) console.error(`  ${p}`);
      return 2;
    }
    throw err;
  }

  const problems: string[] = [];
  addThresholdFlags(values.threshold, scenario, input, problems);
  const metricsPort = values['metrics-port'];
  if (metricsPort !== undefined && !(/^\d{1,5}$/.test(metricsPort) && Number(metricsPort) <= 65535)) problems.push(`--metrics-port: expected a port number 0-65535, got ${JSON.stringify(metricsPort)}`);
  const metricsHost = values['metrics-host'];
  if (metricsHost !== undefined && !isIpAddress(metricsHost) && metricsHost !== 'localhost') problems.push(`--metrics-host: expected an IP address such as 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(metricsHost)}`);
  if (metricsHost !== undefined && metricsPort === undefined) problems.push('--metrics-host needs --metrics-port');
  const distributed = resolveDistributedRun(values, process.env, scenario.name);
  if (!distributed.ok) problems.push(...distributed.problems);
  const sourceText = values['source-addresses'] ?? process.env.FLEETSIM_SOURCE_ADDRESSES;
  const sources = sourceText === undefined ? undefined : expandSourceAddresses(sourceText.split(',').map((x) => x.trim()));
  if (typeof sources === 'string') problems.push(`${values['source-addresses'] !== undefined ? '--source-addresses' : 'FLEETSIM_SOURCE_ADDRESSES'}: ${sources}`);
  else if (sources) for (const g of scenario.groups) g.sourceAddresses = sources;
  const run = distributed.ok ? distributed.run : null;
  if (run?.startAt !== undefined && run.startAt + scenario.duration < Date.now()) problems.push(`--start-at: the run (${new Date(run.startAt).toISOString()} + ${scenario.duration / 1000} s) is already over`);
  const runsDir = values.record !== undefined ? resolve(values.record) : settings.runsDir;
  const record = values['no-record'] || (!settings.record && values.record === undefined) ? null : { runsDir, eventLogMaxBytes: settings.eventLogMaxMB * 1048576, source: input };
  if (record && run && existsSync(join(runsDir, `${run.runId}-shard${run.shard.index}`))) problems.push(`--run-id: ${join(runsDir, `${run.runId}-shard${run.shard.index}`)} already holds shard ${run.shard.index} of run ${run.runId}: use another run id or record elsewhere`);
  if (problems.length > 0) {
    for (const p of problems) console.error(`fleetsim run: ${p}`);
    return 2;
  }
  const { controller, recorder } = createRun(scenario, { record, distributed: run ?? undefined });
  const live = !values.json;
  const tty = Boolean(process.stderr.isTTY);
  let lastPlainLine = 0;
  controller.on('snapshot', (s) => {
    if (!live || s.state !== 'running') return;
    if (tty) process.stderr.write(`\r\x1b[2K${progressLine(s)}`);
    else if (Date.now() - lastPlainLine >= 5000) {
      lastPlainLine = Date.now();
      process.stderr.write(`${progressLine(s)}\n`);
    }
  });
  controller.on('event', (e) => {
    if (!live) return;
    if (e.type === 'host-lost') process.stderr.write(`${tty ? '\n' : ''}host ${e.hostId} lost (${e.reason}): ${e.devices} devices marked lost, run goes on\n`);
    if (e.type === 'target-lost') process.stderr.write(`${tty ? '\n' : ''}${e.reason}\n`);
    if (e.type === 'note') process.stderr.write(`${tty ? '\n' : ''}${e.message}\n`);
    if (e.type === 'generator-saturated') {
      const r = e.record;
      process.stderr.write(`${tty ? '\n' : ''}warning: generator host ${r.hostId} is saturated (loop lag p99 ${r.worstLoopLagP99Ms} ms, CPU ${r.worstCpuPct}%): results from here on are not trustworthy; use more hosts or fewer devices\n`);
    }
    if (e.type === 'storm') process.stderr.write(`${tty ? '\n' : ''}storm @${e.storm.t}s: ${e.storm.label}: ${e.storm.error ? `failed: ${e.storm.error}` : `${e.storm.affected} affected`}\n`);
  });

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130); // second Ctrl-C: leave now; hosts exit when their channel closes
    interrupted = true;
    if (live) process.stderr.write(`${tty ? '\n' : ''}stopping: closing every connection (Ctrl-C again to quit at once)\n`);
    void controller.stop('signal');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let metrics: Awaited<ReturnType<typeof serveMetrics>> | null = null;
  try {
    if (metricsPort !== undefined) {
      const labels = run ? { run: run.runId, shard: String(run.shard.index) } : undefined;
      metrics = await serveMetrics(Number(metricsPort), () => controller.snapshot(), (bounds) => controller.latencyBuckets(bounds), { host: metricsHost, labels });
      process.stderr.write(`metrics: http://${metricsHost ?? '127.0.0.1'}:${metrics.port}/metrics\n`);
    }
    const part = run ? ` shard ${run.shard.index}/${run.shard.count} of run ${run.runId}:` : '';
    if (live) process.stderr.write(`fleetsim: ${scenario.name}:${part} ${controller.deviceCount.toLocaleString('en-US')} devices for ${Math.round(scenario.duration / 1000)} s\n`);
    await controller.start();
  } catch (err) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await metrics?.close();
    console.error(`fleetsim run: could not start: ${(err as Error).message}`);
    if (recorder) {
      recorder.abandon(`could not start: ${(err as Error).message}`);
      console.error(`fleetsim run: the incomplete record is in ${recorder.dir}`);
    }
    return err instanceof StartError ? 1 : 1;
  }
  const summary = await controller.done;
  await recorder?.finished;
  await metrics?.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (values.json) process.stdout.write(`${JSON.stringify(recorder ? { ...summary, runDir: recorder.dir } : summary)}\n`);
  else {
    if (tty) process.stderr.write('\n');
    console.log(summaryText(summary));
  }
  if (recorder && live) process.stderr.write(`run recorded in ${recorder.dir}\n`);
  return interrupted ? 130 : thresholdsHeld(summary.thresholds) ? 0 : THRESHOLD_BROKEN_EXIT;
}
