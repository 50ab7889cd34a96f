// Listening and closing helpers shared by the target's servers. Node's server.close() only
// stops accepting and waits for open connections, so every accepted socket is tracked and
// destroyed on stop; otherwise a long-lived device connection would make stop() hang.
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Retrying a listen whose port is busy (used by restart, which must get its own ports back). */
export interface BusyPortRetry {
  attempts: number;
  delayMs: number;
}

const NO_RETRY: BusyPortRetry = { attempts: 1, delayMs: 0 };

/**
 * Listens and resolves the bound port; errors name the listener and the port and keep the
 * system error code. A busy port is tried again `retry.attempts` times in all.
 */
export async function listen(server: Server, port: number, host: string, listener: string, retry: BusyPortRetry = NO_RETRY): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listenOnce(server, port, host, listener);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0 || attempt >= retry.attempts) throw err;
      // A server whose listen failed may listen again (documented for exactly this case).
      await new Promise((resolve) => setTimeout(resolve, retry.delayMs));
    }
  }
}

function listenOnce(server: Server, port: number, host: string, listener: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const where = `${host}:${port}`;
      let message: string;
      if (err.code === 'EADDRINUSE') {
        message = `${listener}: port ${port} is already in use on ${host} (is another target or broker running? choose another port)`;
      } else if (err.code === 'EACCES') {
        message = `${listener}: not allowed to listen on ${where} (ports below 1024 need privileges)`;
      } else {
        message = `${listener}: cannot listen on ${where}: ${err.message}`;
      }
      reject(Object.assign(new Error(message), { code: err.code }));
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
