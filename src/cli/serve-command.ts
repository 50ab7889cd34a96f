// `fleetsim serve [--port N]`: the UI in a browser (headless boxes, and our end-to-end tests).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateAttachRequest, type AttachRequest } from '../contract/attach.ts';
import { FleetService } from '../fleet/fleet-service.ts';
import { startBridge } from './bridge/bridge-server.ts';
import { serviceRunFiles } from './bridge/run-files.ts';
import { parseCommandArgs } from './command-args.ts';

const USAGE =
  'usage: fleetsim serve [--port N] [--attach PROMETHEUS_URL --run-id R [--window SECONDS]]\n' +
  '  --port N         0 picks a free port; listens on 127.0.0.1 only\n' +
  '  --attach URL     open attached to the distributed run R, fed from this Prometheus (http://127.0.0.1:9090)\n' +
  '  --run-id R       the run id its shards were started with\n' +
  '  --window S       rate() and percentile window, seconds (default 30)';

/** The flags of an attach request, as FleetService.attach takes it; a line per bad flag. */
function attachFlags(values: { attach?: string; 'run-id'?: string; window?: string }): { request: AttachRequest | null } | { problems: string[] } {
  if (values.attach === undefined && values['run-id'] === undefined && values.window === undefined) return { request: null };
  if (values.attach === undefined) return { problems: ['--attach: required with --run-id/--window (the Prometheus URL, e.g. http://127.0.0.1:9090)'] };
  if (values['run-id'] === undefined) return { problems: ['--run-id: required with --attach (the run id the shards were started with)'] };
  const windowSeconds = values.window === undefined ? undefined : /^\d+$/.test(values.window) ? Number(values.window) : NaN;
  const v = validateAttachRequest({ prometheusUrl: values.attach, runId: values['run-id'], ...(windowSeconds === undefined ? {} : { windowSeconds }) });
  if (v.ok) return { request: v.request };
  const flag: Record<string, string> = { prometheusUrl: '--attach', runId: '--run-id', windowSeconds: '--window' };
  return { problems: v.problems.map((p) => p.replace(/^(\w+):/, (m, field: string) => `${flag[field] ?? field}:`)) };
}

/** dist/renderer next to the running bundle (dist/cli.mjs), or from the repo root when run from source. */
function rendererRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'renderer'), join(here, '../../dist/renderer')];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[0];
}

export async function serveCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'serve', usage: USAGE, positionals: false }, args, { port: { type: 'string', default: '7420' }, attach: { type: 'string' }, 'run-id': { type: 'string' }, window: { type: 'string' } });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`fleetsim serve: --port: expected a port number 0-65535, got "${values.port}"`);
    return 2;
  }
  const attach = attachFlags(values);
  if ('problems' in attach) {
    for (const p of attach.problems) console.error(`fleetsim serve: ${p}`);
    return 2;
  }
  const root = rendererRoot();
  if (!existsSync(join(root, 'index.html'))) {
    console.error(`fleetsim serve: the UI is not built (${root}/index.html missing); run npm run build`);
    return 1;
  }
  const service = new FleetService();
  let bridge;
  try {
    bridge = await startBridge({ api: service, rendererRoot: root, port, runFiles: serviceRunFiles(service) });
  } catch (err) {
    console.error(`fleetsim serve: ${(err as Error).message}`);
    return 1;
  }
  if (attach.request) {
    // Validated above: this cannot be refused (nothing runs yet); Prometheus' health shows in the UI.
    await service.attach(attach.request);
    console.log(`attached to run ${attach.request.runId} via ${attach.request.prometheusUrl}`);
  }
  console.log(`Fleetsim is running in browser mode: open ${bridge.url}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) process.exit(130);
      stopping = true;
      console.log('fleetsim serve: stopping (closing any running fleet)');
      void service.shutdown().then(() => bridge.close()).then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
