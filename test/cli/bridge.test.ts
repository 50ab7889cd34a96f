// Browser-mode bridge: it refuses strangers, and drives a real fleet for the page that has the token.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { BridgeMessage, FleetUpdate } from '../../src/contract/fleet-api.ts';
import { startBridge, type BridgeServer } from '../../src/cli/bridge/bridge-server.ts';
import { FleetService } from '../../src/fleet/fleet-service.ts';
import { serviceRunFiles } from '../../src/cli/bridge/run-files.ts';
import { REPORT_HEADER_CSP, runRoute } from '../../src/cli/bridge/run-routes.ts';
import { SettingsStore } from '../../src/runs/settings-store.ts';
import { statSync } from 'node:fs';
import { waitFor } from '../helpers/ports.ts';

let bridge: BridgeServer;
const service = new FleetService();
const root = mkdtempSync(join(tmpdir(), 'fleetsim-renderer-'));
// Never the real ~/.fleetsim: the default PKI directory follows FLEETSIM_HOME. Inside it, since
// browser mode creates a test PKI only there.
const home = mkdtempSync(join(process.env.FLEETSIM_HOME!, 'bridge-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>Fleetsim</title>');

function get(path: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the API socket; resolves with the socket, or with the HTTP status that refused it. */
function openApi(token: string, origin: string | undefined): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api?token=${encodeURIComponent(token)}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

class Client {
  private id = 0;
  private readonly waiting = new Map<number, (m: BridgeMessage) => void>();
  readonly pushes: FleetUpdate[] = [];
  constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as BridgeMessage;
      if ('push' in m) this.pushes.push(m.push);
      else this.waiting.get(m.id)?.(m);
    });
  }
  call(method: string, ...params: unknown[]): Promise<BridgeMessage> {
    const id = ++this.id;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
}

const result = (m: BridgeMessage) => {
  assert.ok('ok' in m && m.ok, JSON.stringify(m));
  return (m as { result: unknown }).result;
};

describe('browser-mode bridge', () => {
  before(async () => {
    bridge = await startBridge({ api: service, rendererRoot: root, port: 0 });
  });
  after(async () => {
    await service.shutdown();
    await bridge.close();
  });

  test('listens on 127.0.0.1 with a long random token in the URL', () => {
    assert.match(bridge.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  test('serves the page with security headers, nothing outside the renderer, only for loopback hosts', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal((await get('/../../package.json')).status, 404);
    assert.equal((await get('/%2e%2e/%2e%2e/package.json')).status, 404);
    assert.equal((await get('/', 'evil.example:80')).status, 421, 'DNS-rebinding host refused');
  });

  test('refuses a wrong token, a missing or foreign Origin', async () => {
    const origin = `http://127.0.0.1:${bridge.port}`;
    assert.equal(await openApi('wrong-token', origin), 401);
    assert.equal(await openApi('', origin), 401);
    assert.equal(await openApi(bridge.token, undefined), 403);
    assert.equal(await openApi(bridge.token, 'http://evil.example'), 403);
    assert.equal(await openApi(bridge.token, `http://127.0.0.1:${bridge.port + 1}`), 403);
  });

  test('the page with the token drives a real fleet: presets, start, pushes, devices, logs, stop', async () => {
    const ws = await openApi(bridge.token, `http://127.0.0.1:${bridge.port}`);
    assert.ok(ws instanceof WebSocket);
    const api = new Client(ws);
    const presets = result(await api.call('listPresets')) as Array<{ name: string }>;
    assert.deepEqual(presets.map((p) => p.name).sort(), ['avalanche', 'demo', 'mtls', 'seed-mqtt', 'seed-ws-rooms', 'slow-readers', 'slow-readers-capped']);
    const unknown = await api.call('exec', 'rm -rf /');
    assert.ok('ok' in unknown && !unknown.ok);

    const bad = result(await api.call('start', { groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 0 }] })) as { ok: boolean; problems: string[] };
    assert.equal(bad.ok, false);
    assert.match(bad.problems[0], /^groups\[0\]\.count: /);

    const scenario = { name: 'bridge', ramp: 0, hosts: 2, groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 40, timers: { heartbeat: { every: '300ms' } } }] };
    assert.deepEqual(result(await api.call('start', scenario)), { ok: true });
    const again = result(await api.call('start', scenario)) as { ok: boolean; problems: string[] };
    assert.deepEqual(again, { ok: false, problems: ['a run is already in progress: stop it first'] });

    await waitFor('a snapshot push with 40 online', () => api.pushes.some((p) => p.type === 'snapshot' && p.snapshot.gauges.online === 40));
    await waitFor('a timeline push', () => api.pushes.some((p) => p.type === 'timeline'));
    const page = result(await api.call('devices', { offset: 10, limit: 25 })) as { total: number; rows: Array<{ id: string; state: string; hostId: number }> };
    assert.equal(page.total, 40);
    assert.equal(page.rows.length, 25);
    assert.equal(page.rows[0].id, 'dev-10');
    assert.ok(page.rows.every((r) => r.state === 'online'));
    assert.deepEqual([...new Set(page.rows.map((r) => r.hostId))], [0, 1], 'the page spans both hosts');
    const found = result(await api.call('devices', { offset: 0, limit: 10, search: 'dev-3' })) as { total: number };
    assert.equal(found.total, 11, 'dev-3 and dev-30..39');
    const log = result(await api.call('deviceLog', 'dev-33')) as { device: { id: string }; events: Array<{ kind: string }> };
    assert.equal(log.device.id, 'dev-33');
    assert.ok(log.events.some((e) => e.kind === 'online'));

    const retimed = result(await api.call('setTimers', 'group-0', { heartbeat: { every: 'soon' } })) as { ok: boolean; problems: string[] };
    assert.deepEqual(retimed, { ok: false, problems: ['group-0.timers.heartbeat.every: expected a duration like "15s" (units: ms, s, m, h)'] });
    assert.deepEqual(result(await api.call('setTimers', 'group-0', { heartbeat: { every: '1s' } })), { ok: true });
    const forced = result(await api.call('certsInit', { dir: join(home, 'run-pki'), force: true })) as { ok: boolean; problems: string[] };
    assert.deepEqual(forced, { ok: false, problems: ['force: not while a run is in progress (it replaces the CA the run uses)'] });

    const summary = result(await api.call('stop')) as { online: number; endReason: string };
    assert.equal(summary.online, 40);
    assert.equal(summary.endReason, 'stopped');
    await waitFor('the ended push', () => api.pushes.some((p) => p.type === 'ended'));
    const status = result(await api.call('status')) as { state: string; timeline: unknown[]; summary: unknown };
    assert.equal(status.state, 'stopped');
    assert.ok(status.timeline.length > 0 && status.summary);
    ws.close();
  });

  test('certsInit creates a test PKI once, then describes it; bad input names the field', async () => {
    const ws = await openApi(bridge.token, `http://127.0.0.1:${bridge.port}`);
    assert.ok(ws instanceof WebSocket);
    const api = new Client(ws);
    type Made = { ok: true; dir: string; created: boolean; createdAt: string; serverNames: string[]; caFile: string };
    const dir = join(home, 'explicit-pki');
    const first = result(await api.call('certsInit', { dir, serverNames: ['broker.test'] })) as Made;
    assert.equal(first.ok, true);
    assert.equal(first.dir, dir);
    assert.equal(first.created, true);
    assert.deepEqual(first.serverNames, ['localhost', '127.0.0.1', '::1', 'broker.test']);
    assert.equal(first.caFile, join(dir, 'ca.pem'));
    assert.match(readFileSync(first.caFile, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    const second = result(await api.call('certsInit', { dir })) as Made;
    assert.deepEqual(second, { ...first, created: false }, 'the same PKI, described');

    const saved = process.env.FLEETSIM_HOME;
    process.env.FLEETSIM_HOME = home;
    try {
      const byDefault = result(await api.call('certsInit')) as Made;
      assert.equal(byDefault.dir, join(home, 'pki'));
      assert.equal(byDefault.created, true);
      assert.equal((result(await api.call('certsInit')) as Made).created, false);
    } finally {
      if (saved === undefined) delete process.env.FLEETSIM_HOME;
      else process.env.FLEETSIM_HOME = saved;
    }

    const file = join(home, 'a-file');
    writeFileSync(file, 'not a directory');
    const bad: Array<[unknown, RegExp]> = [
      [{ dir: '' }, /^dir: expected a directory path/],
      [{ dir: 42 }, /^dir: expected a directory path/],
      [{ serverNames: 'broker.test' }, /^serverNames: expected a list/],
      [{ serverNames: ['ok.test', ''] }, /^serverNames\[1\]: expected a host name/],
      [{ force: 'yes' }, /^force: expected true or false/],
      [{ dri: '/tmp/x' }, /^dri: unknown field/],
      ['/tmp/x', /^request: expected an object/],
      [{ dir: join(file, 'pki') }, new RegExp(`^dir: cannot create a test PKI in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/pki: ENOTDIR`)],
    ];
    for (const [request, problem] of bad) {
      const answer = result(await api.call('certsInit', request)) as { ok: boolean; problems: string[] };
      assert.equal(answer.ok, false, JSON.stringify(request));
      assert.equal(answer.problems.length, 1, answer.problems.join('\n'));
      assert.match(answer.problems[0], problem);
    }
    assert.equal(existsSync(join(home, 'a-file', 'pki')), false);
    ws.close();
  });
});

/** One HTTP request with the headers given (fetch cannot set Host); the body as bytes. */
function httpGet(port: number, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe("browser-mode bridge: a recorded run's zip and report", () => {
  const runsHome = mkdtempSync(join(tmpdir(), 'fleetsim-bridge-runs-'));
  const recorder = new FleetService({ settings: new SettingsStore(join(runsHome, 'settings.json')) });
  let server: BridgeServer;
  let bare: BridgeServer;
  let id = '';
  const withToken = (path: string, token = server.token) => `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;

  before(async () => {
    assert.ok((await recorder.updateSettings({ runsDir: join(runsHome, 'runs'), record: true })).ok);
    server = await startBridge({ api: recorder, rendererRoot: root, port: 0, runFiles: serviceRunFiles(recorder) });
    bare = await startBridge({ api: recorder, rendererRoot: root, port: 0 });
    const ended = new Promise<void>((resolve) => recorder.onUpdate((u) => u.type === 'ended' && resolve()));
    const started = await recorder.start({ name: 'downloads', duration: '1s', ramp: 0, hosts: 1, groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 5 }] });
    assert.deepEqual(started, { ok: true });
    await ended;
    await recorder.recordFinished;
    const runs = await recorder.listRuns();
    assert.equal(runs.length, 1);
    id = runs[0].id;
  });
  after(async () => {
    await recorder.shutdown();
    await server.close();
    await bare.close();
  });

  test('route paths: only the two files of a run id', () => {
    assert.deepEqual(runRoute('/runs/2026-01-02T10-00-00-000Z-demo/export.zip'), { id: '2026-01-02T10-00-00-000Z-demo', file: 'export.zip' });
    assert.deepEqual(runRoute('/runs/abc/report.html'), { id: 'abc', file: 'report.html' });
    for (const bad of ['/runs/abc/run.json', '/runs/abc/', '/runs/..%2F..%2Fx/export.zip', '/runs/.hidden/export.zip', '/runs/a%2Fb/report.html', '/runs/%E0%A4%A/export.zip', '/runs/a/b/export.zip']) {
      assert.equal(runRoute(bad), null, bad);
    }
  });

  test('the token is required: 401 without it or with a wrong one; 403 for a cross-site request', async () => {
    for (const file of ['export.zip', 'report.html']) {
      assert.equal((await httpGet(server.port, `/runs/${id}/${file}`)).status, 401, `${file} without a token`);
      assert.equal((await httpGet(server.port, withToken(`/runs/${id}/${file}`, 'wrong'))).status, 401, `${file} with a wrong token`);
      assert.equal((await httpGet(server.port, withToken(`/runs/${id}/${file}`), { headers: { 'sec-fetch-site': 'cross-site' } })).status, 403, `${file} from another site`);
      assert.equal((await httpGet(server.port, withToken(`/runs/${id}/${file}`), { method: 'POST' })).status, 405);
      assert.equal((await httpGet(server.port, withToken(`/runs/${id}/${file}`), { headers: { host: `evil.example:${server.port}` } })).status, 421);
    }
  });

  test('bad or unknown ids are 404, as is every run without a resolver', async () => {
    for (const path of ['/runs/..%2F..%2Fsettings.json/export.zip', '/runs/.hidden/report.html', '/runs/%2e%2e/export.zip', '/runs/a%2Fb/export.zip', '/runs/no-such-run/export.zip', '/runs/no-such-run/report.html', `/runs/${id}/run.json`, `/runs/${id}/summary.json`]) {
      const r = await httpGet(server.port, withToken(path));
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body.toString(), /"status"|PK/, `${path}: nothing of the run`);
    }
    assert.equal((await httpGet(bare.port, withToken(`/runs/${id}/export.zip`, bare.token))).status, 404);
  });

  test('export.zip: written on demand to FLEETSIM_HOME/exports, streamed as an attachment, reused while up to date', async () => {
    const r = await httpGet(server.port, withToken(`/runs/${id}/export.zip`));
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers['content-type'], 'application/zip');
    assert.equal(r.headers['content-disposition'], `attachment; filename="${id}.zip"`);
    assert.equal(r.body.subarray(0, 2).toString(), 'PK');
    const file = join(process.env.FLEETSIM_HOME!, 'exports', `${id}.zip`);
    assert.equal(Number(r.headers['content-length']), statSync(file).size);
    const written = statSync(file).mtimeMs;
    const again = await httpGet(server.port, withToken(`/runs/${id}/export.zip`));
    assert.deepEqual(again.body, r.body);
    assert.equal(statSync(file).mtimeMs, written, 'not written again');
  });

  test("report.html: the run's report, under the fixed report CSP (no script, no framing)", async () => {
    const r = await httpGet(server.port, withToken(`/runs/${id}/report.html`));
    assert.equal(r.status, 200, r.body.toString());
    assert.match(String(r.headers['content-type']), /^text\/html/);
    const html = r.body.toString('utf8');
    assert.match(html, /<html[\s>]/i);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(csp, REPORT_HEADER_CSP);
    assert.doesNotMatch(csp, /script-src/);
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
  });

  test('a report.html that declares its own policy is still served under the fixed one', async () => {
    const dir = join(runsHome, 'runs', id);
    const evil = `<!doctype html><meta http-equiv="Content-Security-Policy" content="script-src 'unsafe-inline'"><script>alert(1)</script>`;
    writeFileSync(join(dir, 'report.html'), evil);
    const r = await httpGet(server.port, withToken(`/runs/${id}/report.html`));
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-security-policy'], REPORT_HEADER_CSP);
  });
});
