// A capacity search's admit limit: how many of the fleet's devices may make their first connect,
// shared over the hosts in proportion to their devices (reconnects are never held).
import type { Shard } from '../../contract/host-protocol.ts';
import type { HostSlot } from '../host-slot.ts';
import { splitAdmitLimit } from './step-plan.ts';

export class AdmitLimit {
  constructor(private limit: number | undefined) {}

  /** This host's share of the limit; undefined: no limit. */
  forHost(hostId: number, shards: Shard[][]): number | undefined {
    return this.limit === undefined ? undefined : splitAdmitLimit(this.limit, shards.map((s) => s.reduce((n, x) => n + x.count, 0)))[hostId];
  }

  /** Raises (or holds) the limit on every live host. */
  set(devices: number, hosts: HostSlot[], shards: Shard[][]): void {
    this.limit = devices;
    for (const h of hosts) {
      if (h.state === 'running' || h.state === 'starting') h.handle.send({ type: 'set-admit-limit', limit: this.forHost(h.hostId, shards) ?? h.devices });
    }
  }
}
