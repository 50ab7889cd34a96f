// The embedded MQTT broker: one aedes instance served over TCP and over WebSocket (path /mqtt),
// and over TLS and WSS when the target has TLS listeners (tls-listeners.ts hands their
// connections in), so devices using any transport share topics.
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { WebSocket } from 'ws';
import { TARGET_MAX_MESSAGE_BYTES } from '../contract/target.ts';
import { admit } from './admission.ts';
import type { Gate } from './admission.ts';
import type { BufferCap } from './backpressure.ts';
import { refuseUpgrade } from './connections.ts';
import type { ClientConnection } from './connections.ts';
import { closeServer, listen, trackSockets } from './listen.ts';
import type { BusyPortRetry } from './listen.ts';
import { certificateIdentityCheck } from './tls-config.ts';

/** The listener a client came through. */
export type MqttTransport = 'tcp' | 'ws' | 'tls' | 'wss';

export interface MqttBrokerOptions {
  host: string;
  /** MQTT over TCP; 0 picks a free port. */
  tcpPort: number;
  /** MQTT over WebSocket; 0 picks a free port. */
  wsPort: number;
  /** Admission (accept rate, attempts counted for the overload model) of the broker's own listeners; none admits all. */
  gates?: { tcp?: Gate; ws?: Gate };
  /** Retrying busy ports (a restart taking its ports back); none by default. */
  busyPortRetry?: BusyPortRetry;
  /** Backpressure cap, checked whenever a client's stream stops taking writes; none means no cap. */
  bufferCap?: BufferCap;
  /** Mutual TLS: a client over TLS or WSS is refused at CONNECT when its certificate is untrusted, expired or names another client (tls-config.ts). */
  checkClientCertificates?: boolean;
}

export interface MqttBroker {
  readonly tcpPort: number;
  readonly wsPort: number;
  stats(): { mqttClients: number; mqttPublishesIn: number };
  /**
   * Every accepted connection still open (CONNECT received or not): over every transport, or
   * over the one given (the overload model sheds per listener).
   */
  connections(transport?: MqttTransport): Iterable<ClientConnection>;
  /** Serves MQTT over a TLS socket whose handshake is done (its listener admitted it before). */
  serveTls(socket: TLSSocket): void;
  /** Takes a WebSocket upgrade from an HTTPS server: admission at `gate`, path /mqtt, then MQTT over WSS. */
  upgradeWss(req: IncomingMessage, socket: Duplex, head: Buffer, gate?: Gate): void;
  stop(): Promise<void>;
}

export async function startMqttBroker(options: MqttBrokerOptions): Promise<MqttBroker> {
  // Loaded lazily so processes that never host the target do not pay for aedes.
  const { Aedes } = await import('aedes');
  // The TLS socket of each client that came over TLS or WSS, for the certificate check.
  const tlsSockets = new WeakMap<Client, TLSSocket>();
  const aedes = await Aedes.createBroker(options.checkClientCertificates ? { authenticate: certificateIdentityCheck((c) => tlsSockets.get(c)) } : {});

  // Counted when aedes authorizes a client's publish, i.e. before routing: the 'publish' event
  // fires only after delivery, so a subscriber could see a message the count did not include yet.
  // The broker's own $SYS publishes never pass here.
  let publishesIn = 0;
  const authorize = aedes.authorizePublish;
  aedes.authorizePublish = (client, packet, callback) =>
    authorize.call(aedes, client, packet, (err) => {
      if (!err) publishesIn++;
      callback(err);
    });
  // Device misbehaviour (bad packets, resets) is normal under load; aedes already drops the client.
  aedes.on('clientError', () => {});
  aedes.on('connectionError', () => {});

  const byTransport: Record<MqttTransport, Set<ClientConnection>> = { tcp: new Set(), ws: new Set(), tls: new Set(), wss: new Set() };
  /**
   * Serves one connection. `stream` is what aedes reads and writes (client.conn): the TCP or TLS
   * socket itself, or for MQTT over WebSocket a stream over `ws`.
   */
  const serve = (transport: MqttTransport, stream: Duplex, socket: Socket, req?: IncomingMessage, ws?: WebSocket): void => {
    const client = aedes.handle(stream, req);
    if (options.checkClientCertificates && (transport === 'tls' || transport === 'wss')) tlsSockets.set(client, socket as TLSSocket);
    const connection: ClientConnection = {
      socket,
      isClient: () => client.connected && !client.closed,
      kick: () => client.close(),
      // aedes writes every packet straight into client.conn (waiting for 'drain' only to call
      // back), so its writableLength is what a slow subscriber makes the broker hold. Over
      // WebSocket the stream hands one chunk at a time to ws, whose bufferedAmount (the socket's
      // writableLength) holds that chunk again: the larger of the two, not their sum.
      bufferedBytes: () => (ws ? Math.max(stream.writableLength, ws.bufferedAmount) : stream.writableLength),
      // aedes sees the stream close and cleans up (unsubscribes, sends the will).
      drop: () => stream.destroy(),
      deviceId: () => client.id || undefined,
      // aedes keeps its keepalive deadline in this timer and refreshes it on every packet.
      holdKeepalive: () => (client as unknown as { _keepaliveTimer?: NodeJS.Timeout | null })._keepaliveTimer?.refresh(),
    };
    const connections = byTransport[transport];
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
    const cap = options.bufferCap;
    // aedes calls client.waitForDrain after every write its stream did not take at once, i.e. each
    // time a slow reader's buffer grows past the stream's high-water mark: the cap is checked
    // there, as the room server checks it before each send (the sampler covers the rest).
    const drainable = client as unknown as { waitForDrain?: (done: unknown) => void };
    const waitForDrain = drainable.waitForDrain;
    if (cap && typeof waitForDrain === 'function') {
      drainable.waitForDrain = function (this: unknown, done: unknown): void {
        waitForDrain.call(this, done);
        if (!socket.destroyed) cap.enforce(connection, connection.bufferedBytes());
      };
    }
  };

  const tcp = createNetServer((socket) => {
    // Over the accept rate: dropped before aedes sees it, as a server shedding load at accept.
    if (!admit(options.gates?.tcp)) return void socket.destroy();
    serve('tcp', socket, socket);
  });
  const tcpSockets = trackSockets(tcp);

  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt\n');
  });
  const httpSockets = trackSockets(http);
  // noServer: upgrades come through the handler below, which applies the accept rate first;
  // handleUpgrade still answers 400 to paths other than /mqtt.
  // noServer also lets the WSS listener's upgrades in (as 'wss').
  // maxPayload: a larger message closes its client (1009) instead of being buffered (ws allows 100 MiB).
  const wss = new WebSocketServer({ noServer: true, path: '/mqtt', perMessageDeflate: false, maxPayload: TARGET_MAX_MESSAGE_BYTES });
  const upgrade = (transport: 'ws' | 'wss', req: IncomingMessage, socket: Duplex, head: Buffer, gate?: Gate): void => {
    // Only upgrades to /mqtt are attempts; others get ws' 400 below.
    if (wss.shouldHandle(req) === true && !admit(gate)) return refuseUpgrade(socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => {});
      serve(transport, stream, req.socket, req, ws);
    });
  };
  http.on('upgrade', (req, socket, head) => upgrade('ws', req, socket, head, options.gates?.ws));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const closed = Promise.all([closeServer(tcp), closeServer(http)]);
      // aedes closes its registered clients (unsubscribing them and sending wills) and its emitter.
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      // Sockets that never completed CONNECT are unknown to aedes.
      tcpSockets.destroyAll();
      httpSockets.destroyAll();
      wss.close();
      for (const set of Object.values(byTransport)) set.clear();
      await closed;
    })());

  try {
    const tcpPort = await listen(tcp, options.tcpPort, options.host, 'MQTT/TCP listener', options.busyPortRetry);
    const wsPort = await listen(http, options.wsPort, options.host, 'MQTT/WebSocket listener', options.busyPortRetry);
    return {
      tcpPort,
      wsPort,
      stats: () => ({ mqttClients: aedes.connectedClients, mqttPublishesIn: publishesIn }),
      connections: (transport) => (transport ? byTransport[transport] : Object.values(byTransport).flatMap((set) => [...set])),
      serveTls: (socket) => serve('tls', socket, socket),
      upgradeWss: (req, socket, head, gate) => upgrade('wss', req, socket, head, gate),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
