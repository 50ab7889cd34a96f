// Storms acting on a local fleet: drops and blips carried out by every host, faults by the
// embedded target, and a host killed (and started again) through the host pool.
import type { FleetEvent } from '../contract/snapshot.ts';
import type { RunningTarget } from './embedded-target-shards.ts';
import type { HostPool } from './host-pool.ts';
import type { MetricsMerger } from './metrics-merger.ts';
import type { RampKeeper } from './ramp-keeper.ts';
import { StormRunner } from './storm-runner.ts';

export interface FleetStormParts {
  pool: HostPool;
  ramp: RampKeeper;
  merger(): MetricsMerger;
  target(): RunningTarget | null;
  startedAt(): number;
  running(): boolean;
  emit(event: FleetEvent): void;
}

export function fleetStorms({ pool, ramp, merger, target, startedAt, running, emit }: FleetStormParts): StormRunner {
  return new StormRunner({
    startedAt,
    online: () => merger().gauges().online,
    totals: () => merger().totals,
    onHosts: async (storm) => {
      // A host that cannot answer (lost, silent) affected none of its devices.
      const affected = await Promise.all(pool.slots.map((h) => pool.ask(h.hostId, { type: 'storm', storm }).then((a) => a.affected, () => 0)));
      return affected.reduce((n, a) => n + a, 0);
    },
    onTarget: async (fault) => {
      const embedded = target();
      if (!embedded) throw new Error('the run has no embedded target');
      return (await embedded.fault(fault)).affected;
    },
    // SIGKILL, like a crash; with restart, a new host takes over the shard. Counts the devices it had online.
    killHost: async (hostId, restart) => {
      const online = merger().host(hostId)?.gauges.online ?? 0;
      await pool.kill(hostId, restart);
      if (restart && running()) {
        await pool.relaunch(hostId);
        if (ramp.paused) pool.send(hostId, { type: 'set-paused', paused: true });
      }
      return online;
    },
    emit,
  });
}
