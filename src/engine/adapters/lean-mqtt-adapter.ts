// MQTT devices on Fleetsim's own lean client (MQTT 3.1.1 and 5 over TCP, TLS, WS and WSS):
// CONNECT / CONNACK, keepalive PINGs on the device's ping timer, PUBLISH QoS 0 and 1 with
// PUBACK tracking (resent with DUP after a reconnect that resumes the session), SUBSCRIBE, and
// the broker's PUBLISHes (acknowledged, QoS 2 included) and DISCONNECT. A session keeps little
// more than its socket: packets go through one shared mqtt-packet parser (mqtt-frames.ts), so a
// device costs a few KB where an MqttClient costs ~14 KB.
import type net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { IConnackPacket, IConnectPacket, IDisconnectPacket, IPublishPacket, ISubackPacket, Packet } from 'mqtt-packet';
import type { DeviceGroup } from '../../contract/scenario.ts';
import { nowMs } from '../clock.ts';
import { FRAME_TOO_LARGE, reasonOf, serverDisconnectReason } from '../disconnect-reason.ts';
import { render } from '../../shared/templates.ts';
import { WheelTimer, type TimingWheel } from '../timing-wheel.ts';
import { FaultableSession, GroupAdapter, type DeviceLink, type MessageKind, type Session } from './adapter.ts';
import {
  ackId,
  ackReason,
  decodePacket,
  DISCONNECT,
  encodeAck,
  encodePacket,
  encodePublish,
  markDuplicate,
  publishId,
  PacketType,
  PINGREQ,
  splitFrames,
  type FrameSink,
  type MqttVersion,
} from './mqtt-frames.ts';
import type { PendingBytes } from './pending-bytes.ts';
import { openTransport } from './tls-connect.ts';
import { listenOnSocket, type SocketListener } from './socket-listener.ts';
import { WsWire, type WsSink } from './ws-wire.ts';

/** How long an MQTT 5 broker keeps a clean: false session after its connection drops. */
const SESSION_EXPIRY_S = 3600;

export class LeanMqttAdapter extends GroupAdapter {
  readonly selfPinging = false;
  /** QoS 1 PUBLISHes a closed session left unacknowledged, by device index: resent if the broker kept the session. */
  readonly unackedByDevice = new Map<number, Buffer[]>();

  constructor(
    group: DeviceGroup,
    readonly wheel: TimingWheel,
  ) {
    super(group);
  }

  open(device: DeviceLink): Session {
    return new LeanMqttSession(this, device);
  }
}

/** Fails an attempt whose CONNACK does not come in time. */
class ConnectTimeout extends WheelTimer {
  constructor(private readonly session: LeanMqttSession) {
    super();
  }
  fire(): void {
    this.session.abandon('connect-timeout');
  }
}

class LeanMqttSession extends FaultableSession implements Session, FrameSink, WsSink, SocketListener {
  private socket!: net.Socket;
  /** MQTT over WebSocket: the WebSocket on the socket. */
  private ws: WsWire | null = null;
  private readonly version: MqttVersion;
  /** An unfinished packet. */
  private pending: PendingBytes | null = null;
  private connectTimer: ConnectTimeout | null;
  private online = false;
  private closingByUs = false;
  private finished = false;
  private reason: string | undefined;
  private pingSentAt = 0;
  private seq = 0;
  private nextId = 0;
  /** QoS 1 PUBLISHes awaiting PUBACK: packet ids, when each was meant to go, and (with a kept session) the packet. */
  private unackedIds: number[] | null = null;
  private unackedAt: number[] | null = null;
  private unackedPackets: Buffer[] | null = null;

  constructor(
    private readonly adapter: LeanMqttAdapter,
    private readonly device: DeviceLink,
  ) {
    super();
    this.version = adapter.group.mqtt.version;
    // Read first: an unreadable certificate fails open() before anything starts.
    const tlsOptions = adapter.tls?.connectOptions(device);
    this.connectTimer = new ConnectTimeout(this);
    adapter.wheel.schedule(this.connectTimer, adapter.group.mqtt.connectTimeout);
    this.openTransport(tlsOptions);
  }

  private openTransport(tlsOptions: ConnectionOptions | undefined): void {
    const url = new URL(this.device.url);
    const { socket, readyEvent } = openTransport(url, this.device, this.adapter.tls, tlsOptions);
    this.socket = socket;
    this.attachSocket(socket);
    if (url.protocol === 'ws:' || url.protocol === 'wss:') {
      const g = this.adapter.group;
      const options = { protocols: ['mqtt'], headers: {}, handshakeTimeout: g.mqtt.connectTimeout, maxMessageBytes: g.maxMessageBytes };
      this.ws = new WsWire(socket, readyEvent, url, options, this);
      return;
    }
    listenOnSocket(socket, readyEvent, this);
  }

  // ---- transport events (also the WsSink of MQTT over WebSocket) ----

  onOpen(): void {
    this.device.transportOpen();
    const g = this.adapter.group;
    const connect: IConnectPacket = {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: this.version,
      clean: g.mqtt.clean,
      clientId: this.device.id,
      keepalive: g.timers.ping ? Math.max(1, Math.round(g.timers.ping.every / 1000)) : 0,
    };
    // MQTT 5 ends a session when its connection ends unless it is given an expiry: clean: false
    // asks for a session that outlives a drop, so keep it an hour.
    if (this.version === 5 && !g.mqtt.clean) connect.properties = { sessionExpiryInterval: SESSION_EXPIRY_S };
    if (g.mqtt.username !== undefined) connect.username = g.mqtt.username;
    if (g.mqtt.password !== undefined) connect.password = Buffer.from(g.mqtt.password);
    this.write(encodePacket(connect, this.version));
  }

  onMessage(data: Buffer): void {
    // Bytes of an unfinished frame wait in `pending` until the frame is whole.
    const buf = this.pending ? this.pending.add(data) : data;
    if (!buf) return;
    this.pending = null;
    try {
      this.pending = splitFrames(buf, this, this.adapter.group.maxMessageBytes);
    } catch (err) {
      const e = err as Error & { code?: unknown };
      this.fail(e.code === FRAME_TOO_LARGE ? FRAME_TOO_LARGE : `protocol-error:${e.message.slice(0, 60)}`);
    }
  }

  onPong(): void {}

  onError(err: Error): void {
    this.reason ??= reasonOf(err);
  }

  onClose(): void {
    this.finish();
  }

  /** One whole packet from the broker. */
  onFrame(frame: Buffer): boolean {
    if (this.finished) return false;
    const type = frame[0] >> 4;
    if (type === PacketType.Puback) this.onPuback(ackId(frame), ackReason(frame));
    else if (type === PacketType.Pingresp) this.onPingresp();
    else this.onPacket(decodePacket(frame, this.version));
    return !this.finished;
  }

  private onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack':
        return this.onConnack(packet as IConnackPacket);
      case 'publish': {
        const p = packet as IPublishPacket;
        this.device.received(typeof p.payload === 'string' ? Buffer.byteLength(p.payload) : p.payload.length);
        if (p.qos === 1) this.write(encodeAck('puback', p.messageId!));
        else if (p.qos === 2) this.write(encodeAck('pubrec', p.messageId!));
        return;
      }
      case 'pubrel':
        return this.write(encodeAck('pubcomp', packet.messageId!));
      case 'suback':
        return this.onSuback(packet as ISubackPacket);
      case 'disconnect':
        this.reason ??= serverDisconnectReason((packet as IDisconnectPacket).reasonCode);
        return this.teardown();
      // PUBREC / PUBCOMP (we never publish QoS 2), UNSUBACK, AUTH: nothing to do.
    }
  }

  private onConnack(packet: IConnackPacket): void {
    if (this.connectTimer) this.adapter.wheel.cancel(this.connectTimer);
    this.connectTimer = null;
    const code = this.version === 5 ? (packet.reasonCode ?? 0) : (packet.returnCode ?? 0);
    if (code !== 0) return this.fail(reasonOf({ code }));
    this.online = true;
    this.device.online();
    this.resendKept(packet.sessionPresent);
    const subs = this.adapter.group.mqtt.subscribe;
    if (subs.length > 0) {
      const vars = { id: this.device.id, index: this.device.index, group: this.adapter.group.name };
      const qos = this.adapter.group.mqtt.qos;
      const subscriptions = subs.map((s) => ({ topic: render(s, vars), qos }));
      this.write(encodePacket({ cmd: 'subscribe', messageId: this.takeId(), subscriptions }, this.version));
    }
  }

  private onSuback(packet: ISubackPacket): void {
    const refused = (packet.granted as number[]).filter((code) => code >= 0x80);
    const topics = this.adapter.group.mqtt.subscribe.map((s) => render(s, { id: this.device.id, index: this.device.index, group: this.adapter.group.name }));
    if (refused.length) this.device.log('error', `subscribe: refused (${refused.join(', ')}) for ${topics.join(', ')}`);
    else this.device.log('subscribed', topics.join(', '));
  }

  /** A resumed session gets its unacknowledged PUBLISHes again (DUP); a new one has lost them. */
  private resendKept(sessionPresent: boolean): void {
    const kept = this.adapter.unackedByDevice.get(this.device.index);
    if (!kept) return;
    this.adapter.unackedByDevice.delete(this.device.index);
    if (!sessionPresent) {
      this.device.log('error', `${kept.length} unacknowledged QoS 1 message(s) lost: the broker kept no session`);
      return;
    }
    for (const publish of kept) {
      markDuplicate(publish);
      this.track(publishId(publish), nowMs(), publish);
      this.write(publish);
    }
  }

  private onPuback(id: number, reasonCode: number): void {
    const ids = this.unackedIds;
    const i = ids ? ids.indexOf(id) : -1;
    if (i < 0) return;
    const at = this.unackedAt![i];
    ids!.splice(i, 1);
    this.unackedAt!.splice(i, 1);
    this.unackedPackets?.splice(i, 1);
    // MQTT 5: a reason code from 0x80 up is the broker refusing the message.
    if (reasonCode >= 0x80) this.device.log('error', `PUBACK refused the message: reason ${reasonCode}`);
    else this.device.latency('puback', nowMs() - at);
  }

  private onPingresp(): void {
    if (this.pingSentAt === 0) return;
    this.device.latency('ping', nowMs() - this.pingSentAt);
    this.pingSentAt = 0;
  }

  publish(kind: MessageKind, intendedAt: number): void {
    const source = this.adapter.payloads[kind];
    const spec = this.adapter.group.timers[kind];
    if (!source || !spec || !this.online) return;
    const seq = ++this.seq;
    const vars = { id: this.device.id, index: this.device.index, group: this.adapter.group.name };
    const body = source.body(source.perMessage ? { ...vars, seq, ts: Math.round(intendedAt) } : vars);
    const topic = render(spec.topic, vars);
    const qos = this.adapter.group.mqtt.qos;
    const keep = qos === 1 && !this.adapter.group.mqtt.clean;
    const id = qos === 1 ? this.takeId() : 0;
    const packet = encodePublish(topic, body, qos, id, this.version, keep);
    if (qos === 1) this.track(id, intendedAt, keep ? packet : null);
    this.write(packet);
    this.device.sent(kind, typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  }

  private track(id: number, at: number, packet: Buffer | null): void {
    (this.unackedIds ??= []).push(id);
    (this.unackedAt ??= []).push(at);
    if (packet) (this.unackedPackets ??= []).push(packet);
  }

  /** The next packet id not awaiting an acknowledgement. */
  private takeId(): number {
    do this.nextId = (this.nextId % 65_535) + 1;
    while (this.unackedIds?.includes(this.nextId));
    return this.nextId;
  }

  ping(): void {
    if (!this.online) return;
    if (this.pingSentAt !== 0) {
      // No PINGRESP within a whole keepalive interval: the broker (or the link) is gone.
      return this.fail('keepalive-timeout');
    }
    this.pingSentAt = nowMs();
    this.write(PINGREQ);
    this.device.sent('ping', 2);
  }

  private write(packet: Buffer): void {
    if (this.ws) this.ws.send(packet, true);
    else if (!this.socket.destroyed) this.socket.write(packet);
  }

  close(): void {
    this.closingByUs = true;
    if (this.online) {
      this.write(DISCONNECT);
      this.online = false;
      if (this.ws) this.ws.close(1000);
      else this.socket.end();
    } else this.destroy();
  }

  destroy(): void {
    this.closingByUs = true;
    // Still waiting for the CONNACK: the attempt is given up (a stop while connecting).
    if (!this.connectTimer || !this.abandonSocket()) this.teardown();
  }

  /** Ends the attempt or the connection with `reason`. */
  fail(reason: string): void {
    this.reason ??= reason;
    this.teardown();
  }

  /** Gives the attempt up before its CONNACK: with a RST, so the broker cannot still take the CONNECT. */
  abandon(reason: string): void {
    this.reason ??= reason;
    if (!this.abandonSocket()) this.teardown();
  }

  private teardown(): void {
    this.online = false;
    this.socket.destroy();
  }

  writeQueueBytes(): number {
    return this.socket.writableLength;
  }

  inflight(): number {
    return this.unackedIds?.length ?? 0;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.online = false;
    if (this.connectTimer) this.adapter.wheel.cancel(this.connectTimer);
    this.connectTimer = null;
    // A kept session (clean: false) gets its unacknowledged PUBLISHes again after reconnecting.
    if (this.unackedPackets?.length) this.adapter.unackedByDevice.set(this.device.index, this.unackedPackets);
    this.unackedIds = this.unackedAt = this.unackedPackets = null;
    this.pending = null;
    this.device.closed(this.reason ?? (this.closingByUs ? 'client-close' : 'server-close'));
  }
}
