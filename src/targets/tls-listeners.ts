// The embedded target's TLS listeners: MQTT over TLS, MQTT over WSS (path /mqtt) and the WSS
// room server. They terminate TLS and hand their clients to the same broker and room server as
// the plain listeners, so topics and rooms are shared across plain and TLS clients.
//
// Each listener is a plain TCP server that terminates TLS on the sockets it accepts: it sees
// every connection first, so the accept rate can refuse MQTT/TLS connections before any
// handshake work, and stop can destroy connections still in their handshake. Terminating TLS
// ourselves (not through tls.Server, which silently drops clients whose certificate fails
// verification) lets the target answer an expired or untrusted certificate distinctly.
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { admit } from './admission.ts';
import type { Gate } from './admission.ts';
import { closeServer, listen, trackSockets } from './listen.ts';
import type { BusyPortRetry } from './listen.ts';
import type { MqttBroker } from './mqtt-broker.ts';
import type { RoomServer } from './room-server.ts';
import { certProblemOf, certProblems, type TlsConfig } from './tls-config.ts';

export interface TlsPorts {
  mqtts: number;
  mqttWss: number;
  roomsWss: number;
}

export interface TlsListenersOptions {
  host: string;
  /** 0 picks a free port. */
  ports: TlsPorts;
  config: TlsConfig;
  broker: MqttBroker;
  rooms: RoomServer;
  /** Admission per listener: MQTT/TLS before the handshake (refused = closed), WSS at the upgrade (503). */
  gates?: Partial<Record<keyof TlsPorts, Gate>>;
  busyPortRetry?: BusyPortRetry;
}

export interface TlsListeners {
  readonly ports: TlsPorts;
  /** Stops accepting and destroys every connection that came through these listeners. */
  stop(): Promise<void>;
}

/**
 * A TCP server that admits connections (`accept`), does the TLS handshake on them and hands each
 * secured socket to `secured`, its certificate problem (if any) noted in certProblems. With
 * client certificates required, OpenSSL refuses a client without one in the handshake
 * (certificate_required alert).
 */
function frontOf(config: TlsConfig, secured: (socket: TLSSocket) => void, accept: () => boolean = () => true): NetServer {
  const required = config.requireClientCerts;
  return createNetServer((raw: Socket) => {
    if (!accept()) return void raw.destroy();
    const socket = new TLSSocket(raw, { isServer: true, secureContext: config.context, requestCert: required, rejectUnauthorized: required });
    // A failed handshake (no certificate, a client giving up) is the client's problem, not ours.
    socket.on('error', () => socket.destroy());
    socket.once('secure', () => {
      if (required) {
        const problem = certProblemOf(socket, config.ca);
        if (problem) certProblems.set(socket, problem);
      }
      secured(socket);
    });
  });
}

/** The answer to a plain HTTPS request, as the plain listeners give it. */
const notWebSocket = (text: string) => (_req: IncomingMessage, res: ServerResponse): void =>
  void res.writeHead(426, { 'content-type': 'text/plain' }).end(text);

export async function startTlsListeners(options: TlsListenersOptions): Promise<TlsListeners> {
  const { broker, rooms, config, gates = {} } = options;
  // HTTP over the secured sockets (what an https server is), for the WebSocket upgrades.
  const mqttWss = createHttpServer(notWebSocket('MQTT over WebSocket: connect to /mqtt\n'));
  mqttWss.on('upgrade', (req, socket, head) => broker.upgradeWss(req, socket, head, gates.mqttWss));
  const roomsWss = createHttpServer(notWebSocket('WebSocket room server: open a WebSocket\n'));
  roomsWss.on('upgrade', (req, socket, head) => {
    // Rooms have no client id to refuse at: a bad certificate is refused at the upgrade.
    const problem = certProblems.get(req.socket as TLSSocket);
    if (problem) return void socket.end(`HTTP/1.1 ${problem === 'unknown-ca' ? '401 Unauthorized' : '403 Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    rooms.upgradeWss(req, socket, head, gates.roomsWss);
  });
  const over = (http: HttpServer) => (socket: TLSSocket) => http.emit('connection', socket);

  // Over the accept rate, an MQTT/TLS connection is dropped at accept, like a plain TCP one.
  const fronts = {
    mqtts: frontOf(config, (socket) => broker.serveTls(socket), () => admit(gates.mqtts)),
    mqttWss: frontOf(config, over(mqttWss)),
    roomsWss: frontOf(config, over(roomsWss)),
  };
  // Destroying the TCP socket under a TLS socket closes the TLS socket too.
  const tracked = Object.values(fronts).map((front) => trackSockets(front));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const closed = Promise.all(Object.values(fronts).map((front) => closeServer(front)));
      for (const sockets of tracked) sockets.destroyAll();
      await closed;
    })());

  try {
    const { host, busyPortRetry } = options;
    const ports: TlsPorts = {
      mqtts: await listen(fronts.mqtts, options.ports.mqtts, host, 'MQTT/TLS listener', busyPortRetry),
      mqttWss: await listen(fronts.mqttWss, options.ports.mqttWss, host, 'MQTT/WSS listener', busyPortRetry),
      roomsWss: await listen(fronts.roomsWss, options.ports.roomsWss, host, 'WSS room listener', busyPortRetry),
    };
    return { ports, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
