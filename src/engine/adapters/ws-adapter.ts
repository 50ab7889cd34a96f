// Raw WebSocket devices on the lean WebSocket client (ws-wire.ts; permessage-deflate off). Timer messages carry the device id,
// a sequence number and the intended send time, so echoes and room broadcasts yield echo and
// delivery latency. Protocol pings are WebSocket ping frames from the host's timing wheel.
import type { DeviceGroup } from '../../contract/scenario.ts';
import { nowMs } from '../clock.ts';
import { reasonOf } from '../disconnect-reason.ts';
import { padTo, render } from '../../shared/templates.ts';
import { FaultableSession, GroupAdapter, type DeviceLink, type MessageKind, type Session } from './adapter.ts';
import { openTransport } from './tls-connect.ts';
import { WsWire, type WsSink } from './ws-wire.ts';

const ECHO_PREFIX = '{"type":"echo"';
const BROADCAST_PREFIX = '{"type":"broadcast"';
const JOINED_PREFIX = '{"type":"joined"';
const KIND_CODE: Record<MessageKind, string> = { heartbeat: 'hb', status: 'st' };

export class WsAdapter extends GroupAdapter {
  readonly selfPinging = false;
  /** Rooms need a join; without an explicit one, broadcast groups join the embedded room server's way. */
  readonly join: string | undefined;

  constructor(group: DeviceGroup) {
    super(group);
    this.join = group.ws.join ?? (group.ws.send === 'broadcast' ? '{"type":"join","room":"{room}"}' : undefined);
  }

  open(device: DeviceLink): Session {
    return new WsSession(this, device);
  }
}

class WsSession extends FaultableSession implements Session, WsSink {
  private readonly ws: WsWire;
  private reason: string | undefined;
  private closingByUs = false;
  private finished = false;
  private pingSentAt = 0;
  private seq = 0;

  constructor(
    private readonly adapter: WsAdapter,
    private readonly device: DeviceLink,
  ) {
    super();
    const g = adapter.group;
    // Values go into a URL (a path or a query such as the embedded target's ?device={id}): encoded, so an
    // id with '&', '#' or '%' stays one value.
    const url = new URL(render(device.url, { id: encodeURIComponent(device.id), index: device.index, group: encodeURIComponent(g.name), room: encodeURIComponent(device.room) }));
    // Read first: an unreadable certificate fails open() before anything starts.
    const tlsOptions = adapter.tls?.connectOptions(device);
    const { socket, readyEvent } = openTransport(url, device, adapter.tls, tlsOptions);
    this.attachSocket(socket);
    this.ws = new WsWire(socket, readyEvent, url, { protocols: g.ws.subprotocol ? [g.ws.subprotocol] : [], headers: g.ws.headers, handshakeTimeout: g.ws.handshakeTimeout, maxMessageBytes: g.maxMessageBytes }, this);
  }

  onOpen(): void {
    this.device.transportOpen();
    if (this.adapter.join) {
      this.ws.send(render(this.adapter.join, { id: this.device.id, index: this.device.index, group: this.adapter.group.name, room: this.device.room }));
    }
    this.device.online();
  }

  onError(err: Error): void {
    this.reason ??= reasonOf(err);
  }

  onClose(code: number): void {
    this.finish(code);
  }

  onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary && data.length > 15 && data[0] === 0x7b /* { */) {
      const head = data.toString('latin1', 0, 20);
      if (head.startsWith(JOINED_PREFIX)) {
        this.device.log('joined', data.toString());
        return;
      }
      if (head.startsWith(ECHO_PREFIX) || head.startsWith(BROADCAST_PREFIX)) this.measure(data);
    }
    this.device.received(data.length);
  }

  private measure(data: Buffer): void {
    let frame: { id?: unknown; ts?: unknown };
    try {
      frame = JSON.parse(data.toString()) as { id?: unknown; ts?: unknown };
    } catch {
      return;
    }
    if (typeof frame.ts !== 'number') return;
    this.device.latency(frame.id === this.device.id ? 'echo' : 'delivery', nowMs() - frame.ts);
  }

  onPong(): void {
    if (this.pingSentAt === 0) return;
    this.device.latency('ping', nowMs() - this.pingSentAt);
    this.pingSentAt = 0;
  }

  publish(kind: MessageKind, intendedAt: number): void {
    const source = this.adapter.payloads[kind];
    const timer = this.adapter.group.timers[kind];
    if (!source || !timer || !this.ws.isOpen) return;
    const seq = ++this.seq;
    let frame: string | Buffer;
    if (this.adapter.group.ws.send === 'raw') {
      frame = source.body({ id: this.device.id, index: this.device.index, group: this.adapter.group.name, room: this.device.room, seq, ts: Math.round(intendedAt) });
    } else {
      const head = `{"type":"${this.adapter.group.ws.send}","id":${JSON.stringify(this.device.id)},"k":"${KIND_CODE[kind]}","seq":${seq},"ts":${intendedAt.toFixed(3)},"p":"`;
      frame = padTo(head, timer.bytes - 2) + '"}';
    }
    this.ws.send(frame);
    this.device.sent(kind, typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length);
  }

  ping(): void {
    if (!this.ws.isOpen) return;
    if (this.pingSentAt !== 0) {
      // The previous ping got no pong within a whole interval: the peer is gone.
      this.reason ??= 'ping-timeout';
      this.ws.terminate();
      return;
    }
    this.pingSentAt = nowMs();
    this.ws.ping();
    this.device.sent('ping', 2);
  }

  close(): void {
    this.closingByUs = true;
    this.ws.close(1000);
  }

  destroy(): void {
    this.closingByUs = true;
    this.ws.terminate();
  }

  writeQueueBytes(): number {
    return this.ws.bufferedAmount;
  }

  inflight(): number {
    return 0;
  }

  private finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    const fallback = this.closingByUs ? 'client-close' : code === 1006 ? 'abnormal-close' : `server-close:${code}`;
    this.device.closed(this.reason ?? fallback);
  }
}
