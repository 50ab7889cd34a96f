// Debian's Prometheus, started by the tests on a free loopback port with its own config and
// storage in a temporary directory, scraping the given /metrics targets every second.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export const PROMETHEUS_BIN = ['/usr/bin/prometheus'].find((p) => existsSync(p));

export interface Prometheus {
  url: string;
  port: number;
  /** Instant query through the HTTP API; the vector's samples as labels + number. */
  query(promql: string): Promise<Array<{ labels: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `targets` ("127.0.0.1:port"), resolves once /-/ready answers 200 (bounded). */
export async function startPrometheus(targets: string[], readyTimeoutMs = 30_000): Promise<Prometheus> {
  if (!PROMETHEUS_BIN) throw new Error('prometheus is not installed (apt-get install prometheus; .ci/run does it)');
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-prometheus-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: fleetsim', '    static_configs:', `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`, ''].join('\n'),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited on start (port ${port})`);
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`prometheus on ${url} not ready after ${readyTimeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`${promql}: ${body.error ?? JSON.stringify(body).slice(0, 200)}`);
      return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
    },
    stop,
  };
}
