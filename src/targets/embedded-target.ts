// The embedded target: the MQTT broker and the room server started and stopped as one unit,
// so the simulated fleet has something to connect to without any external infrastructure.
import type { TargetOptions, TargetPorts, TargetStats } from '../contract/target.ts';
import { startMqttBroker } from './mqtt-broker.ts';
import { startRoomServer } from './room-server.ts';

export interface EmbeddedTarget {
  /** The ports actually bound (a requested 0 is replaced by the port picked). */
  readonly ports: TargetPorts;
  stats(): TargetStats;
  /** Closes every client connection and listener; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startEmbeddedTarget(options: TargetOptions): Promise<EmbeddedTarget> {
  const { host, ports } = options;
  const broker = await startMqttBroker({ host, tcpPort: ports.mqtt, wsPort: ports.mqttWs });
  const roomServer = await startRoomServer({ host, port: ports.rooms }).catch(async (err: unknown) => {
    await broker.stop(); // leave nothing listening when start fails half way
    throw err;
  });
  let stopping: Promise<void> | undefined;
  return {
    ports: { mqtt: broker.tcpPort, mqttWs: broker.wsPort, rooms: roomServer.port },
    stats: () => ({ ...broker.stats(), ...roomServer.stats() }),
    stop: () => (stopping ??= Promise.all([broker.stop(), roomServer.stop()]).then(() => undefined)),
  };
}
