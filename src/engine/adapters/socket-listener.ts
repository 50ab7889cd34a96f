// One set of socket listeners for every connection of a host: each finds its owner on the socket.
// Four closures (and their context) per connection cost ~350 B of heap, at tens of thousands of
// connections per host.
import type net from 'node:net';

export interface SocketListener {
  /** The socket's open event ('connect', or 'secureConnect' over TLS) fired. */
  onOpen(): void;
  onMessage(data: Buffer): void;
  onError(err: Error): void;
  onClose(): void;
}

const OWNER = Symbol('socket-listener');
type OwnedSocket = net.Socket & { [OWNER]: SocketListener };

function onSocketOpen(this: OwnedSocket): void {
  this[OWNER].onOpen();
}
function onSocketData(this: OwnedSocket, data: Buffer): void {
  this[OWNER].onMessage(data);
}
function onSocketError(this: OwnedSocket, err: Error): void {
  this[OWNER].onError(err);
}
function onSocketClose(this: OwnedSocket): void {
  this[OWNER].onClose();
}

export function listenOnSocket(socket: net.Socket, openEvent: 'connect' | 'secureConnect', listener: SocketListener): void {
  (socket as OwnedSocket)[OWNER] = listener;
  socket.once(openEvent, onSocketOpen);
  socket.on('data', onSocketData);
  socket.on('error', onSocketError);
  socket.on('close', onSocketClose);
}
