// How many processes the embedded target runs as (one process holds at most its open-file limit
// of connections), and how a group's devices spread over several targets — url + urls, or the
// embedded target's shards — by the rule device.ts connects by.
import type { DeviceGroup, Scenario } from '../contract/scenario.ts';
import { FD_RESERVE } from './sharding.ts';

/** `embedded.shards`: 'auto' sizes by the open-file limit; a number forces that many processes. */
export type ShardsOption = 'auto' | number;
export const MAX_EMBEDDED_SHARDS = 64;

export interface EmbeddedShardPlan {
  /** Connections to the embedded target: devices of the groups on embedded:… URLs. */
  connections: number;
  /** Processes the embedded target runs as. */
  shards: number;
  /** Connections one process may hold: its open-file limit less FD_RESERVE (Infinity when unknown). */
  capacity: number;
  /** Connections of the fullest shard. */
  maxLoad: number;
  /** Shards `auto` would pick; differs from `shards` only when the scenario forces a count. */
  autoShards: number;
}

type Spreadable = Pick<DeviceGroup, 'protocol' | 'count' | 'ws'>;

/**
 * Devices per target when a group is spread over k targets: device i goes to target key % k,
 * key = i for MQTT and its room floor(i / roomSize) for WebSocket (a room stays on one server).
 */
export function spreadOver(g: Spreadable, k: number): number[] {
  if (k <= 1) return [g.count];
  const unit = g.protocol === 'ws' ? g.ws.roomSize : 1;
  const fullKeys = Math.floor(g.count / unit);
  const rest = g.count % unit;
  return Array.from({ length: k }, (_, j) => {
    const keys = Math.floor(fullKeys / k) + (j < fullKeys % k ? 1 : 0);
    return keys * unit + (rest > 0 && fullKeys % k === j ? rest : 0);
  });
}

export const isEmbeddedGroup = (scenario: Scenario, g: DeviceGroup): boolean => scenario.target === 'embedded' && g.url.startsWith('embedded:');

/** The scenario's `embedded.shards` ('auto' when not given); read loosely until the schema has it. */
export function shardsOption(scenario: Scenario): ShardsOption {
  const value = (scenario.embedded as { shards?: unknown } | undefined)?.shards;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_EMBEDDED_SHARDS ? value : 'auto';
}

function maxLoad(groups: readonly Spreadable[], k: number): number {
  const load = new Array<number>(k).fill(0);
  for (const g of groups) spreadOver(g, k).forEach((n, j) => (load[j] += n));
  return Math.max(0, ...load);
}

/**
 * The fewest shards whose fullest one fits in a process. Usually ceil(connections / capacity);
 * more when big WebSocket rooms (which cannot be split) leave the shards uneven.
 */
function autoShards(groups: readonly Spreadable[], connections: number, capacity: number): number {
  let k = Math.max(1, Math.ceil(connections / capacity));
  const limit = k + MAX_EMBEDDED_SHARDS;
  while (k < limit && maxLoad(groups, k) > capacity) k++;
  return k;
}

/** Sizes the embedded target for a scenario's embedded groups, given a process's open-file limit. */
export function planEmbeddedShards(groups: readonly Spreadable[], fdLimit: number | null, requested: ShardsOption = 'auto'): EmbeddedShardPlan {
  const connections = groups.reduce((n, g) => n + g.count, 0);
  const capacity = fdLimit === null ? Number.POSITIVE_INFINITY : Math.max(1, fdLimit - FD_RESERVE);
  const auto = autoShards(groups, connections, capacity);
  const shards = requested === 'auto' ? auto : requested;
  return { connections, shards, capacity, maxLoad: maxLoad(groups, shards), autoShards: auto };
}

/** The plan for a scenario as it will run: its embedded groups and its `embedded.shards`. */
export function planForScenario(scenario: Scenario, fdLimit: number | null): EmbeddedShardPlan {
  return planEmbeddedShards(scenario.groups.filter((g) => isEmbeddedGroup(scenario, g)), fdLimit, shardsOption(scenario));
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** "the embedded target runs as 13 processes of ≤ 19,231 connections each" (and what that means). */
export function describeShards(plan: EmbeddedShardPlan): string {
  return `the embedded target runs as ${plan.shards} processes of ≤ ${fmt(plan.maxLoad)} connections each (MQTT subscriptions do not cross processes; acceptRate and overload apply per process)`;
}
