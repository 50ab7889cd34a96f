// Debian's nginx as a WebSocket reverse proxy for the tests: unprivileged, in the foreground,
// on a free loopback port, with its files in a temporary directory. `proxy_read_timeout` is what
// cuts a connection quiet for that long, which the disconnect-cause tests rely on.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { spawnListening, type ListeningProcess } from './processes.ts';

export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

/** Proxies `location` (with WebSocket upgrades) to http://127.0.0.1:upstreamPort/, closing a connection after `readTimeout` without bytes from the upstream. */
export async function startWsProxy(upstreamPort: number, location = '/', readTimeout = '60s'): Promise<ListeningProcess> {
  if (!NGINX_BIN) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-nginx-'));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `pid ${dir}/nginx.pid;
error_log stderr error;
worker_processes 1;
worker_rlimit_nofile 4096;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location ${location} {
      proxy_pass http://127.0.0.1:${upstreamPort}/;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout ${readTimeout};
    }
  }
}
`,
  );
  return spawnListening(NGINX_BIN, ['-e', 'stderr', '-p', dir, '-c', conf, '-g', 'daemon off;'], port);
}
