// One device's recent history, kept in its host's ring and fetched on demand.

export type DeviceEventKind =
  | 'connecting'
  | 'connected' // transport open (TCP/TLS/WebSocket)
  | 'online' // CONNACK accepted / WebSocket open
  | 'subscribed'
  | 'joined'
  | 'disconnected'
  | 'connect-failed'
  | 'backoff'
  | 'gave-up'
  | 'stopped'
  | 'error';

export interface DeviceEvent {
  /** ms since epoch */
  t: number;
  kind: DeviceEventKind;
  detail?: string;
}

export interface DeviceSummary {
  id: string;
  group: string;
  index: number;
  hostId: number;
  state: string;
  connects: number;
  disconnects: number;
  lastReason?: string;
  sent: number;
  received: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface DeviceLog {
  device: DeviceSummary;
  events: DeviceEvent[];
}
