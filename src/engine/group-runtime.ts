// What the devices of one group share on one host: the group, the host's wheel, gate, the group's metrics,
// protocol adapter and event log.
import type { DeviceGroup } from '../contract/scenario.ts';
import type { ProtocolAdapter } from './adapters/adapter.ts';
import type { ConnectGate } from './connect-gate.ts';
import type { Device } from './device.ts';
import type { EventLogWriter } from './event-log-writer.ts';
import type { GroupRecorder } from './group-recorder.ts';
import type { TimingWheel } from './timing-wheel.ts';

/** What the devices of one group share on one host. */
export interface GroupRuntime {
  readonly group: DeviceGroup;
  readonly hostId: number;
  readonly wheel: TimingWheel;
  readonly gate: ConnectGate;
  readonly metrics: GroupRecorder;
  readonly adapter: ProtocolAdapter;
  readonly logRing: number;
  /** The host's event log when the run is recorded: every event of every device goes there. */
  readonly eventLog: EventLogWriter | null;
  /**
   * Online devices whose reads are limited (backpressure.slowReader), shared by the host's
   * groups: the host refills their read budgets on every wheel tick and visits no one else.
   */
  readonly slowReaders: Set<Device>;
  /**
   * Devices that came online, sent or received since the host last sampled backpressure: only
   * they can have a write queue or unacknowledged PUBLISHes, so the sample visits no one else.
   */
  readonly active: Set<Device>;
  /** A device reached `stopped` after stop() (the host waits for all of them). */
  deviceStopped(): void;
}
