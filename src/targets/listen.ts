// Listening and closing helpers shared by the target's servers. Node's server.close() only
// stops accepting and waits for open connections, so every accepted socket is tracked and
// destroyed on stop; otherwise a long-lived device connection would make stop() hang.
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Listens and resolves the bound port; errors name the listener and the port. */
export function listen(server: Server, port: number, host: string, listener: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE') {
        reject(new Error(`${listener}: port ${port} is already in use on ${host} (is another target or broker running? choose another port)`));
      } else if (err.code === 'EACCES') {
        reject(new Error(`${listener}: not allowed to listen on ${where} (ports below 1024 need privileges)`));
      } else {
        reject(new Error(`${listener}: cannot listen on ${where}: ${err.message}`));
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Tracks accepted sockets so stop can destroy them (covers clients that never finished a handshake). */
export function trackSockets(server: Server): { destroyAll(): void } {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    destroyAll: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}

/** Stops accepting; resolves once the server is closed (also when it never listened). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
