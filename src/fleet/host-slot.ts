// The controller's record of one device host process.
import type { HostCommand, HostEvent, Shard } from '../contract/host-protocol.ts';
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
