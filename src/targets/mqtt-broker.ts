// The embedded MQTT broker: one aedes instance served over TCP and over WebSocket (path /mqtt),
// so devices using either transport share topics.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { WebSocket } from 'ws';
import type { AcceptRate } from './admission.ts';
import type { AttemptCounter } from './overload.ts';
import type { BufferCap } from './backpressure.ts';
import { refuseUpgrade } from './connections.ts';
import type { ClientConnection } from './connections.ts';
import { closeServer, listen, trackSockets } from './listen.ts';
import type { BusyPortRetry } from './listen.ts';

export interface MqttBrokerOptions {
  host: string;
  /** MQTT over TCP; 0 picks a free port. */
  tcpPort: number;
  /** MQTT over WebSocket; 0 picks a free port. */
  wsPort: number;
  /** Admission control per listener; none means every connection is accepted. */
  acceptRate?: { tcp: AcceptRate; ws: AcceptRate };
  /** Connection attempts per listener (accepted and refused), for the overload model. */
  attempts?: { tcp: AttemptCounter; ws: AttemptCounter };
  /** Retrying busy ports (a restart taking its ports back); none by default. */
  busyPortRetry?: BusyPortRetry;
  /** Backpressure cap, checked whenever a client's stream stops taking writes; none means no cap. */
  bufferCap?: BufferCap;
}

export interface MqttBroker {
  readonly tcpPort: number;
  readonly wsPort: number;
  stats(): { mqttClients: number; mqttPublishesIn: number };
  /**
   * Every accepted connection still open (CONNECT received or not): over both transports, or
   * over the one given (the overload model sheds per listener).
   */
  connections(transport?: 'tcp' | 'ws'): Iterable<ClientConnection>;
  stop(): Promise<void>;
}

export async function startMqttBroker(options: MqttBrokerOptions): Promise<MqttBroker> {
  // Loaded lazily so processes that never host the target do not pay for aedes.
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();

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

  const byTransport = { tcp: new Set<ClientConnection>(), ws: new Set<ClientConnection>() };
  /**
   * Serves one connection. `stream` is what aedes reads and writes (client.conn): the TCP socket
   * itself, or for MQTT over WebSocket a stream over `ws`.
   */
  const serve = (stream: Duplex, socket: Socket, req?: Parameters<typeof aedes.handle>[1], ws?: WebSocket): void => {
    const client = aedes.handle(stream, req);
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
      // aedes keeps its keepalive deadline in this timer and refreshes it on every packet.
      holdKeepalive: () => (client as unknown as { _keepaliveTimer?: NodeJS.Timeout | null })._keepaliveTimer?.refresh(),
    };
    const connections = byTransport[ws ? 'ws' : 'tcp'];
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
    options.attempts?.tcp.attempt();
    // Over the accept rate: dropped before aedes sees it, as a server shedding load at accept.
    if (options.acceptRate && !options.acceptRate.tcp.admit()) return void socket.destroy();
    serve(socket, socket);
  });
  const tcpSockets = trackSockets(tcp);

  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt\n');
  });
  const httpSockets = trackSockets(http);
  // noServer: upgrades come through the handler below, which applies the accept rate first;
  // handleUpgrade still answers 400 to paths other than /mqtt.
  const wss = new WebSocketServer({ noServer: true, path: '/mqtt', perMessageDeflate: false });
  http.on('upgrade', (req, socket, head) => {
    if (options.attempts && wss.shouldHandle(req) === true) options.attempts.ws.attempt();
    if (options.acceptRate && wss.shouldHandle(req) === true && !options.acceptRate.ws.admit()) return refuseUpgrade(socket);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => {});
      serve(stream, req.socket, req, ws);
    });
  });

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
      byTransport.tcp.clear();
      byTransport.ws.clear();
      await closed;
    })());

  try {
    const tcpPort = await listen(tcp, options.tcpPort, options.host, 'MQTT/TCP listener', options.busyPortRetry);
    const wsPort = await listen(http, options.wsPort, options.host, 'MQTT/WebSocket listener', options.busyPortRetry);
    return {
      tcpPort,
      wsPort,
      stats: () => ({ mqttClients: aedes.connectedClients, mqttPublishesIn: publishesIn }),
      connections: (transport) => (transport ? byTransport[transport] : [...byTransport.tcp, ...byTransport.ws]),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
