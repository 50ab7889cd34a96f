// Loopback ports for servers started on this machine (test brokers, benchmark targets): a port
// that is free to listen on, and a wait until something accepts connections on one.
import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1, below the ephemeral range (from
 * ip_local_port_range): a port the kernel hands out for listening can meanwhile become some
 * client's source port when many connections are open, and the server that wanted it fails.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = ephemeralRangeStart();
  for (let tries = 0; tries < 50; tries++) {
    const port = 10_000 + Math.floor(Math.random() * Math.max(1, ephemeralLow - 10_000));
    if (await canListen(port)) return port;
  }
  throw new Error('no free port below the ephemeral range after 50 tries');
}

function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Resolves once something accepts TCP connections on the port (bounded wait). */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.createConnection({ host: '127.0.0.1', port });
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}
