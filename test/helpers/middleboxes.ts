// Real middleboxes that cut idle connections, for the disconnect-cause tests: Debian's nginx
// proxying WebSocket (proxy_read_timeout) and haproxy in TCP mode (timeout client/server).
// Each runs in the foreground as a child process with a temp config on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.ts';

export const NGINX_BIN = ['/usr/sbin/nginx'].find(existsSync);
export const HAPROXY_BIN = ['/usr/sbin/haproxy'].find(existsSync);

export interface Middlebox {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function run(bin: string, args: string[], port: number): Promise<Middlebox> {
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitForPort(port);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** nginx proxying WebSocket to 127.0.0.1:`upstreamPort`, closing a connection after `idleSeconds` without bytes from the upstream. */
export async function startNginxWsProxy(upstreamPort: number, idleSeconds: number): Promise<Middlebox> {
  if (!NGINX_BIN) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-nginx-'));
  const port = await freePort();
  const conf = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_rlimit_nofile 4096;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout ${idleSeconds}s;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  return run(NGINX_BIN, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], port);
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
  return run(HAPROXY_BIN, ['-db', '-f', join(dir, 'haproxy.cfg')], port);
}
