// Real middleboxes that cut idle connections, for the disconnect-cause tests: Debian's nginx
// proxying WebSocket (proxy_read_timeout) and haproxy in TCP mode (timeout client/server).
// Each runs in the foreground as a child process with a temp config on a free loopback port.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NGINX_BIN, startWsProxy } from './nginx.ts';
import { freePort } from './ports.ts';
import { spawnListening, type ListeningProcess } from './processes.ts';

export { NGINX_BIN };
export const HAPROXY_BIN = ['/usr/sbin/haproxy'].find(existsSync);

export type Middlebox = ListeningProcess;

/** nginx proxying WebSocket to 127.0.0.1:`upstreamPort`, closing a connection after `idleSeconds` without bytes from the upstream. */
export function startNginxWsProxy(upstreamPort: number, idleSeconds: number): Promise<Middlebox> {
  return startWsProxy(upstreamPort, '/', `${idleSeconds}s`);
}

/** haproxy in TCP mode in front of 127.0.0.1:`upstreamPort`, closing a connection idle for `idleSeconds` (timeout client/server). */
export async function startHaproxyTcp(upstreamPort: number, idleSeconds: number): Promise<Middlebox> {
  if (!HAPROXY_BIN) throw new Error('haproxy is not installed (apt-get install haproxy)');
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-haproxy-'));
  const port = await freePort();
  const conf = `global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client ${idleSeconds}s
  timeout server ${idleSeconds}s
frontend mqtt
  bind 127.0.0.1:${port}
  default_backend broker
backend broker
  server b1 127.0.0.1:${upstreamPort}
`;
  writeFileSync(join(dir, 'haproxy.cfg'), conf);
  return spawnListening(HAPROXY_BIN, ['-db', '-f', join(dir, 'haproxy.cfg')], port);
}
