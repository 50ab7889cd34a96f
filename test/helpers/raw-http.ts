// HTTP as raw bytes over TCP: request lines and headers no HTTP client would send.
import net from 'node:net';

/** One raw HTTP/1.1 exchange (any bytes in the request line); the status, or 0 when the server just closed. */
export function rawRequest(port: number, head: string | Buffer, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host: '127.0.0.1', port });
    let got = '';
    const done = (status: number) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => done(-1), timeoutMs);
    sock.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) done(Number(m[1]));
    });
    sock.on('error', () => done(0));
    sock.on('close', () => done(0));
    sock.write(head);
  });
}
