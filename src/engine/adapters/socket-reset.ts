// Ending a connection with a TCP reset (RST) rather than a FIN. A broker that has not read what
// we sent yet (a CONNECT waiting in its accept backlog or socket buffer, behind a busy or stalled
// event loop) reads it even after our FIN and acts on it: it registers the client id and answers
// with a CONNACK, and that abandoned session is what a retry with the same id then takes over.
// After a RST the connection is dead in the broker's kernel: mosquitto drops it when it accepts
// it, unread (test/engine/abandoned-attempts.test.ts). Linux still hands the queued bytes to a
// broker that reads them before asking anything else of the socket: such a broker registers the
// id for a moment, until its CONNACK write fails, so a reset narrows the window, not closes it.
import net from 'node:net';
import tls from 'node:tls';

/** The TCP socket a TLS socket of ours runs on (Node resets TCP handles only, not TLS ones). */
const TCP_UNDER = Symbol('tcp-under-tls');
type WithTcp = tls.TLSSocket & { [TCP_UNDER]?: net.Socket };

/**
 * tls.connect over a TCP socket opened here (from `localAddress`), so that resetSocket() can
 * reset it: `resetAndDestroy()` refuses a TLS socket's own handle.
 */
export function connectTlsOverTcp(options: tls.ConnectionOptions & { host: string; port: number | string; localAddress?: string }): tls.TLSSocket {
  const tcp = net.createConnection({ host: options.host, port: options.port, localAddress: options.localAddress, noDelay: true });
  const socket = tls.connect({ ...options, socket: tcp }) as WithTcp;
  socket[TCP_UNDER] = tcp;
  return socket;
}

/**
 * Tears `socket` down with a RST; false when it is already gone. A socket still connecting is
 * just closed: nothing was sent on it yet, and the kernel answers a late SYN-ACK with a RST
 * (`resetAndDestroy()` would instead wait for the connect, which may never come).
 */
export function resetSocket(socket: net.Socket): boolean {
  if (socket.destroyed) return false;
  const tcp = (socket as WithTcp)[TCP_UNDER] ?? (socket instanceof tls.TLSSocket ? null : socket);
  if (!tcp || tcp.destroyed || tcp.connecting) {
    socket.destroy();
    return true;
  }
  // A TLS socket closes by itself when its TCP socket does (destroying it too would close at once,
  // inside this call, where every other teardown closes a turn later).
  tcp.resetAndDestroy();
  return true;
}
