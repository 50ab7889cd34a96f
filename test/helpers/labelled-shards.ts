// Shards of one distributed run inside the test process: a FleetController per shard against the
// same broker, each serving /metrics with labels { run, shard } (the metric text a
// `fleetsim run --shard I/N --run-id R --metrics-port P` process serves).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { serveMetrics } from '../../src/fleet/metrics-exporter.ts';
import { freePort, waitFor } from './ports.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');

export interface LabelledShard {
  controller: FleetController;
  metrics: Awaited<ReturnType<typeof serveMetrics>>;
}

export async function startLabelledShards(brokerPort: number, runId: string, shards: number, perShard: number): Promise<{ shards: LabelledShard[]; targets: string[]; stop(): Promise<void> }> {
  const started: LabelledShard[] = [];
  for (let i = 0; i < shards; i++) {
    const v = validateScenario({
      target: 'external',
      duration: '5m',
      ramp: 0,
      hosts: 1,
      // Disjoint client ids, as the shard slices of one scenario have.
      groups: [{ name: `s${i}`, protocol: 'mqtt', url: `mqtt://127.0.0.1:${brokerPort}`, count: perShard, clientId: `${runId}-s${i}-{index}`, mqtt: { qos: 1 }, timers: { heartbeat: { every: '500ms' } } }],
    });
    assert.ok(v.ok, v.ok ? '' : v.problems.join('; '));
    const controller = new FleetController(v.scenario);
    const metrics = await serveMetrics(await freePort(), () => controller.snapshot(), (b) => controller.latencyBuckets(b), { labels: { run: runId, shard: String(i) } });
    started.push({ controller, metrics });
  }
  await Promise.all(started.map((s) => s.controller.start()));
  await waitFor('every shard online', () => started.every((s) => s.controller.snapshot().gauges.online === perShard), 30_000);
  return {
    shards: started,
    targets: started.map((s) => `127.0.0.1:${s.metrics.port}`),
    async stop() {
      await Promise.all(started.map((s) => s.controller.stop()));
      await Promise.all(started.map((s) => s.metrics.close()));
    },
  };
}

/**
 * The same as real processes: `fleetsim run <scenario> --shard I/N --run-id R --metrics-port P`, as
 * each machine of a distributed run starts it (no record). `stop()` interrupts them as Ctrl-C does.
 */
export async function startShardProcesses(scenarioFile: string, runId: string, shards: number, home: string): Promise<{ targets: string[]; stop(): Promise<void> }> {
  const children: ChildProcess[] = [];
  const targets: string[] = [];
  for (let i = 0; i < shards; i++) {
    const port = await freePort();
    targets.push(`127.0.0.1:${port}`);
    const child = spawn(process.execPath, [BIN, 'run', scenarioFile, '--shard', `${i}/${shards}`, '--run-id', runId, '--metrics-port', String(port), '--no-record'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, FLEETSIM_HOME: home },
    });
    children.push(child);
  }
  return {
    targets,
    async stop() {
      await Promise.all(
        children.map(async (c) => {
          if (c.exitCode !== null || c.signalCode !== null) return;
          const exited = new Promise((r) => c.once('exit', r));
          c.kill('SIGINT');
          await exited;
        }),
      );
    },
  };
}
