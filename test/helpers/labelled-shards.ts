// Shards of one distributed run inside the test process: a FleetController per shard against the
// same broker, each serving /metrics with labels { run, shard } (the metric text a
// `fleetsim run --shard I/N --run-id R --metrics-port P` process serves).
import assert from 'node:assert/strict';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { serveMetrics } from '../../src/fleet/metrics-exporter.ts';
import { freePort, waitFor } from './ports.ts';

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
