// The embedded MQTT broker: one aedes instance served over TCP and over WebSocket (path /mqtt),
// so devices using either transport share topics.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { closeServer, listen, trackSockets } from './listen.ts';

export interface MqttBrokerOptions {
  host: string;
  /** MQTT over TCP; 0 picks a free port. */
  tcpPort: number;
  /** MQTT over WebSocket; 0 picks a free port. */
  wsPort: number;
}

export interface MqttBroker {
  readonly tcpPort: number;
  readonly wsPort: number;
  stats(): { mqttClients: number; mqttPublishesIn: number };
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

  const tcp = createNetServer(aedes.handle);
  const tcpSockets = trackSockets(tcp);

  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt\n');
  });
  const httpSockets = trackSockets(http);
  const wss = new WebSocketServer({ server: http, path: '/mqtt', perMessageDeflate: false });
  // wss re-emits the http server's errors; listen() reports those, so this only prevents a crash.
  wss.on('error', () => {});
  wss.on('connection', (socket, req) => {
    const stream = createWebSocketStream(socket);
    stream.on('error', () => {});
    aedes.handle(stream, req);
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
      await closed;
    })());

  try {
    const tcpPort = await listen(tcp, options.tcpPort, options.host, 'MQTT/TCP listener');
    const wsPort = await listen(http, options.wsPort, options.host, 'MQTT/WebSocket listener');
    return {
      tcpPort,
      wsPort,
      stats: () => ({ mqttClients: aedes.connectedClients, mqttPublishesIn: publishesIn }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
