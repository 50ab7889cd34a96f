// How many device hosts a run gets and which devices each one owns.
import { shardSlice, type FleetShard } from '../contract/fleet-shard.ts';
import type { Shard } from '../contract/host-protocol.ts';
import type { Scenario } from '../contract/scenario.ts';
import { render } from '../shared/templates.ts';

/** Sockets a host keeps for itself (IPC, stdio, files, DNS …) out of its open-file limit. */
export const FD_RESERVE = 64;
/** Below this many devices per host, an extra process costs more than it gives. */
const MIN_DEVICES_PER_HOST = 500;

export interface HostPlanInput {
  totalDevices: number;
  requested: number | 'auto';
  cores: number;
  /** Open-file limit of a host process; null when unknown. */
  fdLimit: number | null;
}

export interface HostPlan {
  hosts: number;
  /** Most devices one host may be given: its open-file budget. */
  perHostCapacity: number;
}

export function planHosts({ totalDevices, requested, cores, fdLimit }: HostPlanInput): HostPlan {
  const perHostCapacity = fdLimit === null ? Number.MAX_SAFE_INTEGER : Math.max(1, fdLimit - FD_RESERVE);
  const neededForFds = Math.ceil(totalDevices / perHostCapacity);
  if (requested !== 'auto') return { hosts: Math.max(1, Math.min(requested, totalDevices)), perHostCapacity };
  const byCores = Math.min(cores, Math.ceil(totalDevices / MIN_DEVICES_PER_HOST));
  return { hosts: Math.max(1, byCores, neededForFds), perHostCapacity };
}

/**
 * Splits every group over the hosts in contiguous index ranges, as evenly as possible,
 * so each host carries a proportional slice of every group. With a fleet shard, only that
 * shard's slice of each group is split (indices stay the fleet's own).
 */
export function shardGroups(scenario: Scenario, hosts: number, fleetShard?: FleetShard): Shard[][] {
  const out: Shard[][] = Array.from({ length: hosts }, () => []);
  scenario.groups.forEach((g, group) => {
    const slice = fleetShard ? shardSlice(g.count, fleetShard) : { first: 0, count: g.count };
    let first = slice.first;
    for (let h = 0; h < hosts; h++) {
      const count = Math.floor(slice.count / hosts) + (h < slice.count % hosts ? 1 : 0);
      if (count > 0) out[h].push({ group, first, count });
      first += count;
    }
  });
  return out;
}

/** A run's hosts and the devices each owns; throws when one would hold more than it may open files for. */
export function planShards(scenario: Scenario, { cores, fdLimit, fleetShard }: { cores: number; fdLimit: number | null; fleetShard?: FleetShard }): Shard[][] {
  const plan = planHosts({ totalDevices: shardDeviceCount(scenario, fleetShard), requested: scenario.hosts, cores, fdLimit });
  const shards = shardGroups(scenario, plan.hosts, fleetShard);
  const devicesOf = (host: Shard[]) => host.reduce((n, s) => n + s.count, 0);
  const over = shards.findIndex((host) => devicesOf(host) > plan.perHostCapacity);
  if (over >= 0) throw new Error(`host ${over} would hold ${devicesOf(shards[over])} devices but a process may open only ${plan.perHostCapacity}; use more hosts`);
  return shards;
}

/** Devices this process runs: the whole fleet, or its shard's slice of every group. */
export function shardDeviceCount(scenario: Scenario, fleetShard?: FleetShard): number {
  return scenario.groups.reduce((n, g) => n + (fleetShard ? shardSlice(g.count, fleetShard).count : g.count), 0);
}

/**
 * The scenario as this shard's machine sees it, for sizing only (preflight, embedded target):
 * each group holds the shard's number of devices. Never run it: its indices are not the fleet's.
 */
export function shardSizingView(scenario: Scenario, fleetShard?: FleetShard): Scenario {
  if (!fleetShard || fleetShard.count === 1) return scenario;
  return { ...scenario, groups: scenario.groups.map((g) => ({ ...g, count: shardSlice(g.count, fleetShard).count })) };
}

export function ownerOf(shards: Shard[][], group: number, index: number): number | null {
  for (let h = 0; h < shards.length; h++) {
    for (const s of shards[h]) if (s.group === group && index >= s.first && index < s.first + s.count) return h;
  }
  return null;
}

/** Finds a device by its id: matches each group's clientId template ({index} is the variable part). */
export function findDevice(scenario: Scenario, id: string): { group: number; index: number } | null {
  for (let group = 0; group < scenario.groups.length; group++) {
    const g = scenario.groups[group];
    const escape = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    const pattern = escape(g.clientId).replace(/\{group\}/g, escape(g.name)).replace('{index}', '(\\d+)');
    const re = new RegExp(`^${pattern}$`);
    const m = re.exec(id);
    if (m && m[1] !== undefined) {
      const index = Number(m[1]);
      // "dev-007" matches the pattern but device 7 is "dev-7": only an exact rendering is a device.
      if (index < g.count && render(g.clientId, { index, group: g.name }) === id) return { group, index };
    }
  }
  return null;
}

/**
 * A host's share of the connect rates: of the fleet ramp, in proportion to its devices in
 * groups without a ramp of their own; of each such group's ramp, in proportion to its devices there.
 */
export function hostRates(scenario: Scenario, shards: Shard[], fleetRamp: number): { connectRate: number; groupRates: Record<number, number> } {
  const groups = scenario.groups;
  const shared = shards.filter((s) => groups[s.group].ramp === undefined).reduce((n, s) => n + s.count, 0);
  const sharedTotal = groups.filter((g) => g.ramp === undefined).reduce((n, g) => n + g.count, 0);
  const groupRates: Record<number, number> = {};
  for (const s of shards) {
    const own = groups[s.group].ramp;
    if (own !== undefined) groupRates[s.group] = own > 0 ? (own * s.count) / groups[s.group].count : 0;
  }
  return { connectRate: fleetRamp > 0 && sharedTotal > 0 ? (fleetRamp * shared) / sharedTotal : 0, groupRates };
}
