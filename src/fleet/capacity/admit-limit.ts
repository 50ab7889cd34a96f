// A capacity search's admit limit: how many of the fleet's devices may make their first connect,
// shared over the hosts in proportion to their devices (reconnects are never held).
import type { HostCommand, Shard } from '../../contract/host-protocol.ts';
import type { HostSlot } from '../host-slot.ts';
import { splitAdmitLimit } from './step-plan.ts';

export class AdmitLimit {
  constructor(private limit: number | undefined) {}

  /** This host's share of the limit; undefined: no limit. */
  forHost(hostId: number, shards: Shard[][]): number | undefined {
    return this.limit === undefined ? undefined : splitAdmitLimit(this.limit, shards.map((s) => s.reduce((n, x) => n + x.count, 0)))[hostId];
  }

  /** Raises (or holds) the limit on every live host, through `broadcast` (a command built for each host). */
  set(devices: number, shards: Shard[][], broadcast: (command: (host: HostSlot) => HostCommand) => void): void {
    this.limit = devices;
    broadcast((h) => ({ type: 'set-admit-limit', limit: this.forHost(h.hostId, shards) ?? h.devices }));
  }
}
