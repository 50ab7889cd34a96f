// What the fleet knows of one device host process (the host pool supervises the process itself).
import type { Shard } from '../contract/host-protocol.ts';
import type { HostHealth } from '../contract/metrics.ts';
import type { HostStatus } from '../contract/snapshot.ts';

export interface HostSlot {
  hostId: number;
  shards: Shard[];
  devices: number;
  state: HostStatus['state'];
  pid: number | null;
  lostReason?: string;
}

/** How a host is doing, from its slot and its latest health figures. */
export function hostStatus(h: HostSlot, health: HostHealth | null): HostStatus {
  return {
    hostId: h.hostId,
    pid: h.pid,
    state: h.state,
    devices: h.devices,
    cpuPct: health?.cpuPct ?? 0,
    rssMB: Math.round((health?.rssBytes ?? 0) / 1048576),
    loopLagP99Ms: health?.loopLagP99Ms ?? 0,
    lostReason: h.lostReason,
  };
}
