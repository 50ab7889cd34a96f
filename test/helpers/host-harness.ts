// Runs a DeviceHost in the test process against real servers, merging its batches the way
// the controller does, so tests can assert on fleet totals without child processes.
import type { HostEvent } from '../../src/contract/host-protocol.ts';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { DeviceHost } from '../../src/engine/host.ts';
import { MetricsMerger } from '../../src/fleet/metrics-merger.ts';
import { shardGroups } from '../../src/fleet/sharding.ts';

export interface HostHarness {
  host: DeviceHost;
  merger: MetricsMerger;
  stop(): Promise<void>;
}

export function startHost(input: ScenarioInput, connectRate = 0): HostHarness {
  const v = validateScenario(input);
  if (!v.ok) throw new Error(`test scenario invalid: ${v.problems.join('; ')}`);
  const merger = new MetricsMerger(Date.now());
  let stopped!: () => void;
  const done = new Promise<void>((r) => (stopped = r));
  const host = new DeviceHost(
    { hostId: 0, scenario: v.scenario, shards: shardGroups(v.scenario, 1)[0], connectRate, groupRates: {}, batchIntervalMs: 100 },
    (e: HostEvent) => {
      if (e.type === 'batch') merger.add(e.batch);
      if (e.type === 'stopped') stopped();
    },
  );
  host.start();
  return {
    host,
    merger,
    stop: async () => {
      void host.stop();
      await done;
    },
  };
}
