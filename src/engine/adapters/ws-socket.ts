import type net from 'node:net';
import type WebSocket from 'ws';

/** The TCP socket under a `ws` WebSocket: ws keeps it in `_socket` and offers no public accessor. */
export function rawSocketOf(ws: WebSocket): net.Socket {
  return (ws as unknown as { _socket: net.Socket })._socket;
}
