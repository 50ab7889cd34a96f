// The embedded WebSocket room server (protocol in src/contract/target.ts). Frames are relayed
// as received, never re-serialized, and the two hot types are recognised by a byte-prefix check
// so a broadcast to many members costs no JSON parsing. The WSS listener (tls-listeners.ts)
// hands its upgrades in, so plain and TLS clients share one room registry.
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { MAX_ROOMS_PER_CLIENT, MAX_ROOM_NAME_CHARS, TARGET_MAX_MESSAGE_BYTES } from '../contract/target.ts';
import type { RawData } from 'ws';
import { admit } from './admission.ts';
import type { Gate } from './admission.ts';
import type { BufferCap } from './backpressure.ts';
import { refuseUpgrade } from './connections.ts';
import type { ClientConnection } from './connections.ts';
import { closeServer, listen, trackSockets } from './listen.ts';
import type { BusyPortRetry } from './listen.ts';

export interface RoomServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Admission of the plain listener (accept rate, attempts counted for the overload model); none admits all. */
  gate?: Gate;
  /** Retrying a busy port (a restart taking its port back); none by default. */
  busyPortRetry?: BusyPortRetry;
  /** Backpressure cap, checked before every send; none means clients buffer without bound. */
  bufferCap?: BufferCap;
}

export interface RoomServer {
  readonly port: number;
  stats(): { wsClients: number; rooms: number; roomFramesIn: number; roomFramesOut: number };
  /** Every open room WebSocket (what the backpressure sampler walks), or those of one listener. */
  connections(listener?: RoomListener): Iterable<ClientConnection>;
  /** Takes a WebSocket upgrade from the WSS listener's HTTPS server, admitted at `gate`. */
  upgradeWss(req: IncomingMessage, socket: Duplex, head: Buffer, gate?: Gate): void;
  stop(): Promise<void>;
}

/** The listener a room client came through: plain WebSocket or WSS. */
export type RoomListener = 'ws' | 'wss';

const ECHO_PREFIX = Buffer.from('{"type":"echo"');
const BROADCAST_PREFIX = Buffer.from('{"type":"broadcast"');
const NOT_IN_ROOM = JSON.stringify({ type: 'error', message: 'join a room first' });
const BAD_JOIN = JSON.stringify({ type: 'error', message: `join needs a "room" string of 1 to ${MAX_ROOM_NAME_CHARS} characters` });
const TOO_MANY_ROOMS = JSON.stringify({ type: 'error', message: `a client may be in at most ${MAX_ROOMS_PER_CLIENT} rooms` });
const AS_TEXT = { binary: false };
const AS_BINARY = { binary: true };

/** The `device` parameter of a room client's URL (embedded:ws URLs carry it), so drops can name the device. */
function roomClientId(url: string | undefined): string | undefined {
  const q = url?.indexOf('?') ?? -1;
  if (!url || q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('device') || undefined;
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** The `type` of a JSON object frame, or undefined for anything else. */
function parseType(data: Buffer): { type: unknown; room: unknown } | undefined {
  try {
    const msg: unknown = JSON.parse(data.toString('utf8'));
    if (typeof msg !== 'object' || msg === null) return undefined;
    const { type, room } = msg as { type?: unknown; room?: unknown };
    return { type, room };
  } catch {
    return undefined;
  }
}

export async function startRoomServer(options: RoomServerOptions): Promise<RoomServer> {
  const rooms = new Map<string, Set<WebSocket>>();
  // Each client's rooms, holding the member sets themselves so a broadcast needs no lookup.
  const memberships = new Map<WebSocket, Map<string, Set<WebSocket>>>();
  // Every open room WebSocket, as the fault knobs and the backpressure sampler see it.
  const connections = new Map<WebSocket, ClientConnection>();
  const byListener: Record<RoomListener, Set<ClientConnection>> = { ws: new Set(), wss: new Set() };
  let framesIn = 0;
  let framesOut = 0;
  const cap = options.bufferCap;

  const send = (ws: WebSocket, data: Buffer | string, isBinary: boolean): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    // A client already over the cap is dropped instead of being given more to hold: with a cap,
    // no client ever has more than the cap plus one frame queued.
    if (cap?.exceeded(ws.bufferedAmount)) {
      const connection = connections.get(ws);
      if (connection) return cap.drop(connection);
    }
    ws.send(data, isBinary ? AS_BINARY : AS_TEXT);
    framesOut++;
  };

  const join = (ws: WebSocket, room: string): void => {
    const mine = memberships.get(ws);
    if (mine && mine.size >= MAX_ROOMS_PER_CLIENT && !mine.has(room)) return send(ws, TOO_MANY_ROOMS, false);
    let members = rooms.get(room);
    if (!members) rooms.set(room, (members = new Set()));
    members.add(ws);
    mine?.set(room, members);
    send(ws, JSON.stringify({ type: 'joined', room, members: members.size }), false);
  };

  const broadcast = (sender: WebSocket, data: Buffer, isBinary: boolean): void => {
    const mine = memberships.get(sender);
    if (!mine || mine.size === 0) return send(sender, NOT_IN_ROOM, false);
    if (mine.size === 1) {
      for (const members of mine.values()) for (const m of members) send(m, data, isBinary);
      return;
    }
    // In several rooms: a client sharing more than one of them still gets the frame once.
    const seen = new Set<WebSocket>();
    for (const members of mine.values()) {
      for (const m of members) {
        if (seen.has(m)) continue;
        seen.add(m);
        send(m, data, isBinary);
      }
    }
  };

  const leaveAll = (ws: WebSocket): void => {
    for (const [room, members] of memberships.get(ws) ?? []) {
      members.delete(ws);
      if (members.size === 0) rooms.delete(room);
    }
    memberships.delete(ws);
  };

  const onFrame = (ws: WebSocket, raw: RawData, isBinary: boolean): void => {
    framesIn++;
    // binaryType is 'nodebuffer', so ws always hands over one Buffer.
    const data = raw as Buffer;
    if (startsWith(data, ECHO_PREFIX)) return send(ws, data, isBinary);
    if (startsWith(data, BROADCAST_PREFIX)) return broadcast(ws, data, isBinary);
    const msg = parseType(data);
    if (msg?.type === 'join') {
      if (typeof msg.room === 'string' && msg.room !== '' && msg.room.length <= MAX_ROOM_NAME_CHARS) return join(ws, msg.room);
      return send(ws, BAD_JOIN, false);
    }
    if (msg?.type === 'broadcast') return broadcast(ws, data, isBinary);
    // echo frames that skipped the prefix, other types and non-JSON: plain echo.
    send(ws, data, isBinary);
  };

  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket room server: open a WebSocket\n');
  });
  const sockets = trackSockets(http);
  // Any path is accepted: devices are told ws://host:port/, and rejecting others would only confuse.
  // noServer: upgrades come through the handler below, which applies the accept rate first.
  // maxPayload: a larger message closes its client (1009) instead of being buffered (ws allows 100 MiB).
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: TARGET_MAX_MESSAGE_BYTES });
  const upgrade = (listener: RoomListener, req: IncomingMessage, socket: Duplex, head: Buffer, gate?: Gate): void => {
    if (!admit(gate)) return refuseUpgrade(socket);
    const deviceId = roomClientId(req.url);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: ClientConnection = {
        socket: req.socket,
        isClient: () => true,
        kick: () => ws.terminate(),
        // The socket's writableLength plus anything ws itself still holds.
        bufferedBytes: () => ws.bufferedAmount,
        drop: () => ws.terminate(),
        deviceId: () => deviceId,
      };
      connections.set(ws, connection);
      byListener[listener].add(connection);
      memberships.set(ws, new Map());
      ws.on('message', (raw, isBinary) => onFrame(ws, raw, isBinary));
      ws.on('error', () => {}); // a reset device; 'close' follows and cleans up
      ws.on('close', () => {
        connections.delete(ws);
        byListener[listener].delete(connection);
        leaveAll(ws);
      });
    });
  };
  http.on('upgrade', (req, socket, head) => upgrade('ws', req, socket, head, options.gate));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      const closed = closeServer(http);
      sockets.destroyAll();
      wss.close();
      connections.clear();
      for (const set of Object.values(byListener)) set.clear();
      await closed;
    })());

  try {
    const port = await listen(http, options.port, options.host, 'WebSocket room listener', options.busyPortRetry);
    return {
      port,
      stats: () => ({ wsClients: memberships.size, rooms: rooms.size, roomFramesIn: framesIn, roomFramesOut: framesOut }),
      connections: (listener) => (listener ? byListener[listener] : connections.values()),
      upgradeWss: (req, socket, head, gate) => upgrade('wss', req, socket, head, gate),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
