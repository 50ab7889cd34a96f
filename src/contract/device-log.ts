// One device's recent history, kept in its host's ring and fetched on demand.
import type { DeviceRow } from './fleet-api.ts';

export const DEVICE_EVENT_KINDS = [
  'connecting',
  'connected', // transport open (TCP/TLS/WebSocket)
  'online', // CONNACK accepted / WebSocket open
  'subscribed',
  'joined',
  'disconnected',
  'connect-failed',
  'backoff',
  'gave-up',
  'stopped',
  'error',
] as const;
export type DeviceEventKind = (typeof DEVICE_EVENT_KINDS)[number];

export interface DeviceEvent {
  /** ms since epoch */
  t: number;
  kind: DeviceEventKind;
  detail?: string;
}

/** A device's row (as in the devices table) plus its byte counts. */
export interface DeviceSummary extends DeviceRow {
  bytesSent: number;
  bytesReceived: number;
}

export interface DeviceLog {
  device: DeviceSummary;
  events: DeviceEvent[];
}
