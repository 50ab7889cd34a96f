// Devices across hosts. The devices table: one page of the devices matching a query, ordered by
// group, then host, then index. Hosts count their matches first, then only the hosts overlapping
// the page send rows; devices of a lost host are listed as lost, and a host that cannot answer adds
// none. And one device's log, from the host that owns it.
import type { DeviceLog } from '../contract/device-log.ts';
import type { DevicePage, DeviceQuery, DeviceRow } from '../contract/fleet-api.ts';
import type { DeviceFilter, Shard } from '../contract/host-protocol.ts';
import type { Scenario } from '../contract/scenario.ts';
import { render } from '../shared/templates.ts';
import type { HostAsker } from './host-pool.ts';
import { findDevice, ownerOf } from './sharding.ts';

export interface PagedHost {
  hostId: number;
  state: string;
  shards: Shard[];
}

export async function pageDevices(scenario: Scenario, hosts: readonly PagedHost[], query: DeviceQuery, hostsAsked: HostAsker): Promise<DevicePage> {
  const groupFilter = query.group === undefined ? null : scenario.groups.findIndex((g) => g.name === query.group);
  const filter: DeviceFilter = { state: query.state, search: query.search || undefined };
  const counts = await Promise.all(
    hosts.map(async (slot) => {
      if (slot.state === 'lost') return scenario.groups.map((_, g) => lostRows(scenario, slot, g, filter).length);
      const answer = await hostsAsked.ask(slot.hostId, { type: 'count-devices', filter }).catch(() => null);
      return answer?.counts ?? scenario.groups.map(() => 0);
    }),
  );
  const blocks: Array<{ slot: PagedHost; group: number; count: number; start: number }> = [];
  let total = 0;
  scenario.groups.forEach((_, group) => {
    if (groupFilter !== null && group !== groupFilter) return;
    hosts.forEach((slot, h) => {
      const count = counts[h][group] ?? 0;
      if (count > 0) blocks.push({ slot, group, count, start: total });
      total += count;
    });
  });
  const end = query.offset + query.limit;
  const pages = await Promise.all(
    blocks
      .filter((b) => b.start < end && b.start + b.count > query.offset)
      .map(async (b) => {
        const skip = Math.max(0, query.offset - b.start);
        const take = Math.min(b.count, end - b.start) - skip;
        if (b.slot.state === 'lost') return lostRows(scenario, b.slot, b.group, filter).slice(skip, skip + take);
        const answer = await hostsAsked.ask(b.slot.hostId, { type: 'list-devices', group: b.group, filter, skip, take }).catch(() => null);
        return answer?.rows ?? [];
      }),
  );
  return { total, offset: query.offset, rows: pages.flat() };
}

/** A device's recent events and counters; null for no such device, or when its host cannot answer (lost, silent). */
export async function askDeviceLog(scenario: Scenario, shards: Shard[][], hostsAsked: HostAsker, deviceId: string): Promise<DeviceLog | null> {
  const where = findDevice(scenario, deviceId);
  const hostId = where && ownerOf(shards, where.group, where.index);
  if (!where || hostId === null) return null;
  const answer = await hostsAsked.ask(hostId, { type: 'device-log', group: where.group, index: where.index }).catch(() => null);
  return answer?.log ?? null;
}

function lostRows(scenario: Scenario, slot: PagedHost, group: number, filter: DeviceFilter): DeviceRow[] {
  if (filter.state && filter.state !== 'lost') return [];
  const g = scenario.groups[group];
  const rows: DeviceRow[] = [];
  for (const s of slot.shards) {
    if (s.group !== group) continue;
    for (let index = s.first; index < s.first + s.count; index++) {
      const id = render(g.clientId, { index, group: g.name });
      if (filter.search && !id.includes(filter.search)) continue;
      rows.push({ id, group: g.name, index, hostId: slot.hostId, state: 'lost', connects: 0, disconnects: 0, lastReason: 'host-lost', sent: 0, received: 0, writeQueueBytes: 0, inflight: 0 });
    }
  }
  return rows;
}
