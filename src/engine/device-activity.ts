// What one device did: its per-device counters (for the device drawer and devices.csv) and when
// it last received and last sent anything, which is what a drop is timed by. A base class, so
// these stay plain fields of the device object.
export class DeviceActivity {
  connects = 0;
  disconnects = 0;
  sentMessages = 0;
  receivedMessages = 0;
  bytesSent = 0;
  bytesReceived = 0;
  lastReason: string | undefined;
  /** performance.now() of the last byte in and out while online (PUBACKs and pongs count as in). */
  protected lastRxAt = 0;
  protected lastTxAt = 0;
}
