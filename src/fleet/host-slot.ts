// The controller's record of one device host process.
import type { HostCommand, HostEvent, Shard } from '../contract/host-protocol.ts';
import type { HostHealth } from '../contract/metrics.ts';
import type { HostStatus } from '../contract/snapshot.ts';
import type { ChildHandle } from './launcher.ts';

export interface HostSlot {
  hostId: number;
  handle: ChildHandle<HostCommand, HostEvent>;
  shards: Shard[];
  devices: number;
  state: HostStatus['state'];
  pid: number | null;
  lostReason?: string;
  exited: Promise<void>;
  /** Killed on purpose by a storm that starts it again. */
  restarting?: boolean;
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
