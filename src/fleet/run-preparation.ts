// What a run needs before its hosts start: the preflight (sized for this shard's machine), the
// TLS plan, and the embedded target when groups use it (the scenario then points at its ports).
import type { FleetShard } from '../contract/fleet-shard.ts';
import type { Scenario } from '../contract/scenario.ts';
import { readFdLimit } from '../shared/fd-limit.ts';
import { startEmbeddedTarget, usesEmbeddedTarget, type RunningTarget } from './embedded-target-shards.ts';
import type { Launcher } from './launcher.ts';
import { preflightOrThrow } from './preflight.ts';
import { shardSizingView } from './sharding.ts';
import { planTls } from './tls-preflight.ts';

export interface PreparedRun {
  /** The scenario the hosts run: TLS material resolved, embedded:… URLs replaced by real addresses. */
  scenario: Scenario;
  target: RunningTarget | null;
}

export interface PrepareOptions {
  launcher: Launcher;
  cores: number;
  fleetShard?: FleetShard;
  note(message: string): void;
  onTargetLost(reason: string): void;
}

/** Throws (with the reason) when the run cannot start; notes what the run should be told. */
export async function prepareRun(scenario: Scenario, { launcher, cores, fleetShard, note, onTargetLost }: PrepareOptions): Promise<PreparedRun> {
  preflightOrThrow(shardSizingView(scenario, fleetShard), cores).forEach(note);
  const tlsPlan = await planTls(scenario);
  tlsPlan.notes.forEach(note);
  if (!usesEmbeddedTarget(scenario)) return { scenario: tlsPlan.scenario, target: null };
  const embedded = await startEmbeddedTarget(launcher, tlsPlan.scenario, readFdLimit()?.soft ?? null, tlsPlan.targetTls);
  embedded.notes.forEach(note);
  if (fleetShard && fleetShard.count > 1) note(`shard ${fleetShard.index}/${fleetShard.count} runs its own embedded target: the shards do not share a broker (point the groups at one external target to load it as one fleet)`);
  embedded.target.onLost(onTargetLost);
  return { scenario: embedded.scenario, target: embedded.target };
}
