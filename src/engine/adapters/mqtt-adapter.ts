// MQTT devices on mqtt.js (3.1.1 and 5) over TCP, TLS, WS and WSS. We build the transport
// stream ourselves: it times the transport connect, honours a source address, and lets us
// see socket and TLS errors that mqtt.js swallows. Keepalive PINGs run on the host's timing
// wheel through mqtt.js's pluggable timer, at a fixed cadence (reschedulePings off).
import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { IClientOptions, MqttClient, Packet } from 'mqtt';
import { commonJsExports } from '../../contract/commonjs-exports.ts';
import type { DeviceGroup } from '../../contract/scenario.ts';
import { nowMs } from '../clock.ts';
import { reasonOf, serverDisconnectReason } from '../disconnect-reason.ts';
import { render } from '../../shared/templates.ts';
import { WheelTimer, type TimingWheel } from '../timing-wheel.ts';
import { FaultableSession, GroupAdapter, type DeviceLink, type MessageKind, type Session } from './adapter.ts';
import { connectTls, wsTlsOptions } from './tls-connect.ts';
import { rawSocketOf } from './ws-socket.ts';

let MqttClientClass: typeof MqttClient | null = null;
let wsLib: typeof import('ws') | null = null;
/**
 * Loads MQTT.js (and `ws`, its WebSocket transport here); a host calls it before creating
 * devices that use it (mqtt.client: mqtt.js), so hosts running only the lean client never do.
 */
export async function loadMqttJs(): Promise<void> {
  MqttClientClass ??= commonJsExports<typeof import('mqtt')>(await import('mqtt')).MqttClient;
  wsLib ??= await import('ws');
}

/** mqtt.js's keepalive interval, driven by the wheel. */
class KeepaliveTimer extends WheelTimer {
  constructor(
    private readonly wheel: TimingWheel,
    private readonly callback: () => void,
    private readonly everyMs: number,
  ) {
    super();
  }
  fire(): void {
    this.wheel.schedule(this, this.everyMs);
    this.callback();
  }
}

export class MqttAdapter extends GroupAdapter {
  readonly selfPinging = true;
  readonly keepaliveTimer: { set: (fn: () => void, ms: number) => number; clear: (id: number) => void };

  constructor(group: DeviceGroup, wheel: TimingWheel) {
    super(group);
    this.keepaliveTimer = {
      set: (fn, ms) => {
        const t = new KeepaliveTimer(wheel, fn, ms);
        wheel.schedule(t, ms);
        return t as unknown as number;
      },
      clear: (id) => wheel.cancel(id as unknown as WheelTimer),
    };
  }

  open(device: DeviceLink): Session {
    return new MqttSession(this, device);
  }
}

class MqttSession extends FaultableSession implements Session {
  private readonly client: MqttClient;
  private readonly topics: Partial<Record<MessageKind, string>> = {};
  private reason: string | undefined;
  private closingByUs = false;
  private finished = false;
  private connacked = false;
  private pingSentAt = 0;
  private seq = 0;
  /** QoS 1 PUBLISHes sent and not yet acknowledged (their callback has not run). */
  private unacked = 0;
  /** Bytes mqtt.js wrote to the transport that the kernel has not taken yet. */
  private queued: () => number = () => 0;
  /** This attempt's TLS options, read first: an unreadable certificate fails open() before anything starts. */
  private readonly tlsOptions: ConnectionOptions | undefined;

  constructor(
    private readonly adapter: MqttAdapter,
    private readonly device: DeviceLink,
  ) {
    super();
    this.tlsOptions = adapter.tls?.connectOptions(device);
    const g = adapter.group;
    const vars = { id: device.id, index: device.index, group: g.name };
    if (g.timers.heartbeat) this.topics.heartbeat = render(g.timers.heartbeat.topic, vars);
    if (g.timers.status) this.topics.status = render(g.timers.status.topic, vars);
    const options: IClientOptions = {
      clientId: device.id,
      protocolVersion: g.mqtt.version,
      clean: g.mqtt.clean,
      keepalive: g.timers.ping ? Math.max(1, Math.round(g.timers.ping.every / 1000)) : 0,
      username: g.mqtt.username,
      password: g.mqtt.password,
      reconnectPeriod: 0, // the device's own policy decides
      connectTimeout: g.mqtt.connectTimeout,
      reschedulePings: false,
      resubscribe: false,
      queueQoSZero: false,
      timerVariant: adapter.keepaliveTimer,
    };
    if (!MqttClientClass) throw new Error('MQTT.js is not loaded (loadMqttJs() first)');
    this.client = new MqttClientClass(() => this.buildStream(), options);
    this.resetOnConnackTimeout();
    this.client.on('connect', () => this.onConnack());
    this.client.on('message', (_topic, payload) => device.received(payload.length));
    this.client.on('error', (err) => (this.reason ??= reasonOf(err)));
    this.client.on('disconnect', (packet) => (this.reason ??= serverDisconnectReason(packet.reasonCode)));
    this.client.on('packetsend', (p: Packet) => this.onPacketSent(p));
    this.client.on('packetreceive', (p: Packet) => this.onPacketReceived(p));
    // mqtt.js emits 'close' inside its cleanup, before the error that explains it (e.g.
    // "Keepalive timeout"): finish one turn later so the reason is known.
    this.client.on('close', () => setImmediate(() => this.finish()));
    this.client.on('end', () => setImmediate(() => this.finish()));
  }

  /**
   * mqtt.js gives up on a missing CONNACK by destroying its stream: a FIN, after which the broker
   * may still take the CONNECT it has not read yet. Reset the socket first (socket-reset.ts).
   * `_onConnackTimeout` is mqtt.js's own (unexported) handler; without it, mqtt.js's FIN stays.
   */
  private resetOnConnackTimeout(): void {
    const client = this.client as unknown as { _onConnackTimeout?: () => void };
    const giveUp = client._onConnackTimeout;
    if (typeof giveUp !== 'function') return;
    client._onConnackTimeout = () => {
      this.abandonSocket();
      giveUp.call(this.client);
    };
  }

  private buildStream(): Duplex {
    const { tls: material, group } = this.adapter;
    const url = new URL(this.device.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const scheme = url.protocol.slice(0, -1);
    const onError = (err: Error) => (this.reason ??= reasonOf(err));
    if (scheme === 'mqtt' || scheme === 'tcp') {
      // Our own connector: mqtt.js's TCP connector ignores localAddress.
      const socket = net.createConnection({ host, port: Number(url.port || 1883), localAddress: this.device.localAddress });
      socket.setNoDelay(true);
      this.attachSocket(socket);
      this.queued = () => socket.writableLength;
      socket.once('connect', () => this.device.transportOpen());
      socket.on('error', onError);
      return socket;
    }
    if ((scheme === 'mqtts' || scheme === 'ssl') && material && this.tlsOptions) {
      const socket = connectTls(material, this.tlsOptions, this.device, host, Number(url.port || 8883));
      this.attachSocket(socket);
      this.queued = () => socket.writableLength;
      socket.once('secureConnect', () => this.device.transportOpen());
      socket.on('error', onError);
      return socket;
    }
    const { default: WebSocket, createWebSocketStream } = wsLib!;
    const ws = new WebSocket(url, ['mqtt'], {
      perMessageDeflate: false,
      handshakeTimeout: group.mqtt.connectTimeout,
      localAddress: this.device.localAddress,
      ...(material && scheme === 'wss' ? wsTlsOptions(material, this.device, this.tlsOptions) : {}),
    });
    ws.once('open', () => {
      this.attachSocket(rawSocketOf(ws));
      this.device.transportOpen();
    });
    ws.on('error', onError);
    const stream = createWebSocketStream(ws);
    stream.on('error', onError);
    // The stream holds what mqtt.js wrote until ws has handed it to the socket; ws's
    // bufferedAmount is the socket's buffer plus its own queue. They overlap by the frame in
    // flight, so the larger of the two is the better estimate.
    this.queued = () => Math.max(stream.writableLength, ws.bufferedAmount);
    return stream;
  }

  private onConnack(): void {
    this.connacked = true;
    this.device.online();
    const subs = this.adapter.group.mqtt.subscribe;
    if (subs.length === 0) return;
    const vars = { id: this.device.id, index: this.device.index, group: this.adapter.group.name };
    const topics = subs.map((s) => render(s, vars));
    this.client.subscribe(topics, { qos: this.adapter.group.mqtt.qos }, (err) => {
      this.device.log(err ? 'error' : 'subscribed', err ? `subscribe: ${err.message}` : topics.join(', '));
    });
  }

  private onPacketSent(p: Packet): void {
    if (p.cmd === 'pingreq') {
      this.pingSentAt = nowMs();
      this.device.sent('ping', 2);
    }
  }

  private onPacketReceived(p: Packet): void {
    if (p.cmd === 'pingresp' && this.pingSentAt > 0) {
      this.device.latency('ping', nowMs() - this.pingSentAt);
      this.pingSentAt = 0;
    }
  }

  publish(kind: MessageKind, intendedAt: number): void {
    const source = this.adapter.payloads[kind];
    const topic = this.topics[kind];
    // Between mqtt.js closing (its store is gone: a QoS 1 publish would throw) and our finish()
    // one turn later, the device is still online: nothing to send on.
    if (!source || !topic || !this.client.connected || this.client.disconnecting) return;
    const seq = ++this.seq;
    const body = source.body(source.perMessage ? { id: this.device.id, index: this.device.index, group: this.adapter.group.name, seq, ts: Math.round(intendedAt) } : {});
    const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    if (this.adapter.group.mqtt.qos === 1) {
      // Counted before publish(): mqtt.js may call back at once (while disconnecting).
      this.unacked++;
      this.client.publish(topic, body, { qos: 1 }, (err) => {
        // PUBACK, or given up (a forced close flushes with an error): no longer outstanding.
        if (this.unacked > 0) this.unacked--;
        if (!err) this.device.latency('puback', nowMs() - intendedAt);
      });
    } else {
      this.client.publish(topic, body, { qos: 0 });
    }
    this.device.sent(kind, bytes);
  }

  ping(): void {
    // mqtt.js sends PINGREQ on the keepalive cadence by itself.
  }

  close(): void {
    this.closingByUs = true;
    this.client.end(false);
  }

  destroy(): void {
    this.closingByUs = true;
    // Still waiting for the CONNACK: the attempt is given up (a stop while connecting).
    if (!this.connacked) this.abandonSocket();
    // A graceful end() still waiting for PUBACKs makes mqtt.js ignore end(true) (it is already
    // disconnecting): tear the transport down ourselves, mqtt.js then closes as on any drop.
    if (this.client.disconnecting) this.client.stream?.destroy();
    else this.client.end(true);
  }

  override reset(): void {
    super.reset();
    // Over WebSocket mqtt.js reads a stream wrapped around the ws, which learns of the reset
    // late (seconds); end it now so the drop is seen when it happens.
    this.client.stream?.destroy();
  }

  writeQueueBytes(): number {
    return this.queued();
  }

  inflight(): number {
    return this.unacked;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    // Whatever was never acknowledged is gone with the connection (a graceful close does not
    // call the publish callbacks back).
    this.unacked = 0;
    if (!this.client.disconnecting) this.client.end(true);
    this.client.removeAllListeners('packetsend').removeAllListeners('packetreceive');
    this.device.closed(this.reason ?? (this.closingByUs ? 'client-close' : 'server-close'));
  }
}
