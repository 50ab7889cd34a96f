// The embedded target as several processes, when one cannot hold every connection (each socket
// is a file, and a process may open only so many): N targets behind the one RunningTarget the
// controller drives. Each shard is its own aedes broker and room server, so MQTT subscriptions
// do not cross shards; rooms do not need to, as a room's devices all connect to one shard.
import type { Scenario } from '../contract/scenario.ts';
import type { TargetFault, TargetPorts, TargetStats, TargetTls } from '../contract/target.ts';
import { launchEmbeddedTarget, resolveShardedUrls, type RunningTarget } from './embedded-target-process.ts';
import { describeShards, planForScenario, type EmbeddedShardPlan } from './embedded-shard-plan.ts';
import type { Launcher } from './launcher.ts';
import type { TargetDrop } from '../contract/backpressure.ts';

export { usesEmbeddedTarget, type RunningTarget } from './embedded-target-process.ts';

type Launch = (shard: number) => Promise<RunningTarget>;

const SUMMED = ['mqttClients', 'wsClients', 'rooms', 'mqttPublishesIn', 'roomFramesIn', 'roomFramesOut', 'bufferedBytes', 'slowClients', 'droppedSlowClients'] as const;
const SUMMED_OPTIONAL = ['refusedByRate', 'shedByOverload'] as const;

/**
 * One view of the shards' stats: counts and bytes add up; the largest client buffer is the
 * largest of any shard, and overloaded seconds the most of any (shards' seconds overlap in
 * time, so a sum would count one starved second many times). `shards` keeps each one's own.
 */
export function mergeTargetStats(all: readonly (TargetStats | null)[]): TargetStats | null {
  const reported = all.filter((s): s is TargetStats => s !== null);
  if (reported.length === 0) return null;
  const merged = { ...reported[0], shards: all.map((s) => s ?? null) } as TargetStats;
  for (const key of SUMMED) merged[key] = reported.reduce((n, s) => n + s[key], 0);
  for (const key of SUMMED_OPTIONAL) {
    if (reported.some((s) => s[key] !== undefined)) merged[key] = reported.reduce((n, s) => n + (s[key] ?? 0), 0);
  }
  merged.maxClientBufferedBytes = Math.max(...reported.map((s) => s.maxClientBufferedBytes));
  if (reported.some((s) => s.overloadedSeconds !== undefined)) merged.overloadedSeconds = Math.max(...reported.map((s) => s.overloadedSeconds ?? 0));
  return merged;
}

/** N running targets as one: faults and knobs go to every shard; stats are merged. */
export class ShardedTarget implements RunningTarget {
  private readonly lost = new Set<number>();

  constructor(readonly shards: readonly RunningTarget[]) {
    shards.forEach((s, i) => s.onLost(() => this.lost.add(i)));
  }

  /** Shard 0's ports (each shard has its own: shardPorts). */
  get ports(): TargetPorts {
    return this.shards[0].ports;
  }
  get shardPorts(): TargetPorts[] {
    return this.shards.map((s) => s.ports);
  }
  get pid(): number | undefined {
    return this.shards[0].pid;
  }
  get pids(): (number | undefined)[] {
    return this.shards.map((s) => s.pid);
  }
  get drops(): TargetDrop[] {
    return this.shards.flatMap((s) => s.drops);
  }
  get lastStats(): TargetStats | null {
    // A lost shard's last report is stale: it holds no one now.
    return mergeTargetStats(this.shards.map((s, i) => (this.lost.has(i) ? null : s.lastStats)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.stop()));
  }

  /** Called for each shard that exits on its own, naming it: "embedded target shard 2 exited (SIGKILL)". */
  onLost(handler: (reason: string) => void): void {
    this.shards.forEach((s, i) => s.onLost((reason) => handler(reason.replace(/^embedded target/, `embedded target shard ${i}`))));
  }

  /**
   * Every live shard produces the fault; affected is their sum. A shard already lost is skipped
   * (it was reported when it went); rejects, naming the shard, when a live one fails.
   */
  async fault(fault: TargetFault): Promise<{ affected: number }> {
    const live = this.shards.map((s, i) => ({ s, i })).filter(({ i }) => !this.lost.has(i));
    if (live.length === 0) throw new Error('embedded target is not running (every shard exited)');
    const results = await Promise.allSettled(live.map(({ s }) => s.fault(fault)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) throw new Error(`embedded target shard ${live[failed].i}: ${((results[failed] as PromiseRejectedResult).reason as Error).message}`);
    return { affected: results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value.affected : 0), 0) };
  }

  /** Per listener of each shard: N shards accept up to N times the rate in all. */
  setAcceptRate(n: number): void {
    for (const s of this.shards) s.setAcceptRate(n);
  }

  setMaxClientBuffer(bytes: number): void {
    for (const s of this.shards) s.setMaxClientBuffer(bytes);
  }
}

/** Starts n targets at once; when any fails to start, stops the others and rejects with its error. */
export async function launchShards(n: number, launch: Launch): Promise<RunningTarget[]> {
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => launch(i)));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.findIndex((r) => r.status === 'rejected');
  if (failed < 0) return started;
  await Promise.all(started.map((t) => t.stop().catch(() => {})));
  const message = ((results[failed] as PromiseRejectedResult).reason as Error).message;
  throw new Error(n > 1 ? `${message} (shard ${failed} of ${n})` : message);
}

export interface StartedEmbeddedTarget {
  /** One shard's RunningTarget as is, or a ShardedTarget over several. */
  target: RunningTarget;
  /** The scenario with embedded:… URLs replaced by the shards' addresses. */
  scenario: Scenario;
  plan: EmbeddedShardPlan;
  /** What the run should be told: how many processes, when more than one. */
  notes: string[];
}

/**
 * Starts the embedded target for a run: as many processes as its connections need (or as
 * `embedded.shards` says), each on its own free loopback ports, and points the groups at them.
 * acceptRate and overload apply per listener, so per shard.
 */
export async function startEmbeddedTarget(launcher: Launcher, scenario: Scenario, fdLimit: number | null, tls?: TargetTls): Promise<StartedEmbeddedTarget> {
  const plan = planForScenario(scenario, fdLimit);
  const { acceptRate, maxClientBuffer, overload } = scenario.embedded;
  const shards = await launchShards(plan.shards, () => launchEmbeddedTarget(launcher, '127.0.0.1', undefined, acceptRate, maxClientBuffer, overload, tls));
  const target = shards.length === 1 ? shards[0] : new ShardedTarget(shards);
  try {
    return { target, scenario: resolveShardedUrls(scenario, shards.map((s) => s.ports)), plan, notes: plan.shards > 1 ? [describeShards(plan)] : [] };
  } catch (err) {
    await target.stop();
    throw err;
  }
}
