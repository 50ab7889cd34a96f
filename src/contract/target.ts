import type { TargetDrop } from './backpressure.ts';

// The embedded target process: an aedes MQTT broker (TCP and MQTT-over-WebSocket) and a
// WebSocket room server. Its control messages, and the room protocol devices speak to it.

export interface TargetPorts {
  /** MQTT over TCP */
  mqtt: number;
  /** MQTT over WebSocket (path /mqtt) */
  mqttWs: number;
  /** WebSocket room server (path /) */
  rooms: number;
  /** MQTT over TLS; present when the target serves TLS (TargetOptions.tls). */
  mqtts?: number;
  /** MQTT over WSS (path /mqtt); present with TargetOptions.tls. */
  mqttWss?: number;
  /** WSS room server (path /); present with TargetOptions.tls. */
  roomsWss?: number;
}

/** The target's TLS listeners: certificates from a test PKI (fleetsim certs init). */
export interface TargetTls {
  /** The PKI directory: server.pem / server-key.pem are served, ca.pem verifies client certificates. */
  pki: string;
  /**
   * 'require' (mutual TLS): a client without a valid certificate from the PKI's CA is refused in
   * the TLS handshake (expired, unknown CA, none), and an MQTT client whose certificate CN is not
   * its client id gets CONNACK not-authorized. 'none': server-authenticated TLS only.
   */
  clientCerts: 'require' | 'none';
}

export interface TargetOptions {
  /** Address to listen on; loopback by default. */
  host: string;
  /** 0 picks a free port. */
  ports: TargetPorts;
  /**
   * Admission control: new connections accepted per second on each listener (MQTT TCP, MQTT
   * WS, rooms); connections over the limit are closed at once. 0 = no limit. This is how the
   * avalanche preset shows a target that cannot take a reconnect storm.
   */
  acceptRate?: number;
  /**
   * Backpressure cap, in bytes: a client whose buffered bytes towards it (see
   * TargetStats.bufferedBytes) exceed this is disconnected (room WebSocket: terminated; MQTT: its
   * connection destroyed) and counted in droppedSlowClients, the way small proxy buffers
   * (proxy_buffering off) shed a slow reader instead of holding its messages until memory runs
   * out. 0 or undefined = no cap.
   */
  maxClientBuffer?: number;
  /** A client with more than this many bytes buffered towards it counts as slow (default DEFAULT_SLOW_CLIENT_BYTES). */
  slowClientBytes?: number;
  /**
   * Overload model, per listener (MQTT TCP, MQTT WS, rooms, each on its own): connection
   * attempts (accepted and refused) are counted per one-second window; at the end of a second
   * with more than attemptsPerSec of them the listener is overloaded and closes shedPercent % of
   * its established clients, chosen at random, as if their keepalives timed out while the server
   * starved (MQTT: as the kick fault does; rooms: terminated). None = no overload model.
   */
  overload?: TargetOverload;
  /** TLS listeners (MQTT over TLS, MQTT over WSS, WSS rooms) besides the plain ones; none without. */
  tls?: TargetTls;
}

/** TargetOptions.overload: attemptsPerSec > 0, shedPercent 0-100. */
export interface TargetOverload {
  /** Connection attempts per second a listener takes without starving its clients. */
  attemptsPerSec: number;
  /** Percentage of a listener's established clients closed at the end of each overloaded second. */
  shedPercent: number;
}

/** TargetOptions.slowClientBytes when not given: 64 KiB. */
export const DEFAULT_SLOW_CLIENT_BYTES = 64 * 1024;

/**
 * The largest WebSocket message the target takes (rooms and MQTT over WebSocket): a device's
 * largest timer payload (1 MiB) plus room for its envelope. A client sending more is closed (1009).
 */
export const TARGET_MAX_MESSAGE_BYTES = 1024 * 1024 + 64 * 1024;
/** Rooms one client may be in at once; a join past it gets an error frame. */
export const MAX_ROOMS_PER_CLIENT = 64;
/** The longest room name a join may give. */
export const MAX_ROOM_NAME_CHARS = 256;

/** Faults the embedded target can be told to produce (storms, from the fleet controller). */
export type TargetFault =
  /** Close this percentage of the connected clients (MQTT and rooms), chosen at random. */
  | { kind: 'kick'; percent: number }
  /** Stop reading from every client socket for this long (slow/stalled server). */
  | { kind: 'pause-reading'; ms: number }
  /** Stop and start again on the same ports: every client is dropped. */
  | { kind: 'restart' };

/** Ports `fleetsim target` uses when none are given (chosen to stay clear of a local broker on 1883). */
export const DEFAULT_TARGET_PORTS: TargetPorts = { mqtt: 18830, mqttWs: 18083, rooms: 18080 };

/** TLS ports `fleetsim target --tls` uses when none are given. */
export const DEFAULT_TARGET_TLS_PORTS = { mqtts: 18883, mqttWss: 18084, roomsWss: 18443 } as const;

export interface TargetStats {
  mqttClients: number;
  wsClients: number;
  rooms: number;
  /** Connections refused by the accept-rate limit since start. */
  refusedByRate?: number;
  /** Messages the broker routed / the room server delivered since start. */
  mqttPublishesIn: number;
  roomFramesIn: number;
  roomFramesOut: number;
  /**
   * Backpressure, sampled when the stats are taken: bytes queued towards clients
   * and not yet handed to the kernel, i.e. user space plus socket write buffers. Room clients:
   * ws.bufferedAmount (the socket's writableLength included); MQTT clients: the writableLength of
   * aedes' client.conn (the TCP socket; for MQTT over WebSocket the stream over the WebSocket, or
   * the WebSocket's bufferedAmount if larger). Bytes already in the kernel's send queue are not counted.
   */
  bufferedBytes: number;
  /** The most any one client has buffered towards it at the sample. */
  maxClientBufferedBytes: number;
  /** Clients with more than slowClientBytes (default 64 KiB) buffered towards them at the sample. */
  slowClients: number;
  /** Clients disconnected for exceeding maxClientBuffer, since start (restarts included). */
  droppedSlowClients: number;
  /** Clients closed by the overload model (TargetOptions.overload) since start; 0 without one. */
  shedByOverload?: number;
  /** Seconds at whose end at least one listener was overloaded, since start; 0 without a model. */
  overloadedSeconds?: number;
  /**
   * When the embedded target runs as several processes (shards): each one's own stats, shard 0
   * first (null until it has reported). The fields above are then over all shards: counts and
   * bytes summed, maxClientBufferedBytes and overloadedSeconds the most of any shard.
   */
  shards?: (TargetStats | null)[];
}

export type TargetCommand =
  | { type: 'start'; options: TargetOptions }
  | { type: 'fault'; reqId: number; fault: TargetFault }
  | { type: 'set-accept-rate'; acceptRate: number }
  /** Changes TargetOptions.maxClientBuffer at run time (bytes, 0 = no cap). */
  | { type: 'set-max-client-buffer'; bytes: number }
  | { type: 'stop' };

export type TargetEvent =
  | { type: 'ready'; pid: number; ports: TargetPorts }
  /** `drops`: clients dropped (cap, overload) since the last stats, by device id; absent when none. */
  | { type: 'stats'; stats: TargetStats; drops?: TargetDrop[] }
  | { type: 'fault-done'; reqId: number; affected: number; error?: string }
  | { type: 'stopped' }
  | { type: 'fatal'; message: string };

/**
 * Room protocol (text frames, JSON):
 *   client → {"type":"join","room":"room-3"}          server → {"type":"joined","room":"room-3","members":N}
 *   client → {"type":"echo",…}                          server → the same frame, to the sender only
 *   client → {"type":"broadcast",…}                     server → the same frame, to every member of the
 *                                                        sender's rooms (sender included)
 *   anything else (not JSON, other types)               server → the same frame back (plain echo)
 * Devices put {"id","seq","ts"} in their frames so echo and delivery latency can be measured.
 */
export type RoomClientFrame =
  | { type: 'join'; room: string }
  | { type: 'echo' | 'broadcast'; id: string; k: string; seq: number; ts: number; p?: string };
