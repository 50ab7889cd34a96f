// Real middleboxes that cut idle connections, and the cause Fleetsim names for the drops:
// devices pinging less often than the cut are dropped and the cause says "idle timeout" at the
// cut; devices pinging more often stay online.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import type { RunSummary } from '../../src/contract/snapshot.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { FleetController } from '../../src/fleet/controller.ts';
import { startRoomServer } from '../../src/targets/room-server.ts';
import { HAPROXY_BIN, NGINX_BIN, startHaproxyTcp, startNginxWsProxy } from '../helpers/middleboxes.ts';
import { MOSQUITTO_BIN, startMosquitto } from '../helpers/mosquitto.ts';
import { waitFor } from '../helpers/ports.ts';

const CUT_S = 2;
const QUIET = 20;
const CHATTY = 20;

function scenario(input: ScenarioInput) {
  const v = validateScenario(input);
  if (!v.ok) throw new Error(v.problems.join('; '));
  return v.scenario;
}

/** Runs the fleet until `drops` quiet devices dropped; every chatty device must have stayed connected. */
async function runAgainstCut(input: ScenarioInput, drops: number): Promise<RunSummary> {
  const c = new FleetController(scenario(input));
  await c.start();
  let summary: RunSummary | undefined;
  try {
    await waitFor(`${QUIET + CHATTY} online`, () => c.snapshot().gauges.online === QUIET + CHATTY, 10_000, () => JSON.stringify(c.snapshot().gauges));
    await waitFor(`${drops} drops`, () => c.snapshot().totals.disconnects >= drops, 12_000, () => JSON.stringify(c.snapshot().disconnectReasons));
    const chatty = await Promise.all(Array.from({ length: CHATTY }, (_, i) => c.deviceLog(`chatty-${i}`)));
    for (const log of chatty) {
      assert.ok(log, 'chatty device found');
      assert.equal(log.device.disconnects, 0, `${log.device.id} pinging under the cut stayed connected (last reason ${log.device.lastReason})`);
      assert.equal(log.device.state, 'online');
    }
  } finally {
    summary = await c.stop();
  }
  return summary;
}

function assertIdleCause(summary: RunSummary, diagnostic: (msg: string) => void): void {
  const causes = summary.disconnectCauses ?? [];
  const idle = causes.find((k) => k.kind === 'idle-timeout');
  assert.ok(idle, `an idle timeout was named: ${JSON.stringify({ causes, reasons: summary.disconnectReasons })}`);
  assert.equal(idle.stat?.measure, 'sinceRx');
  assert.ok(Math.abs(idle.stat!.meanMs - CUT_S * 1000) < 400, `cluster at the cut: ${JSON.stringify(idle.stat)}`);
  assert.ok(idle.stat!.spreadMs < 250, `a tight cluster: ${JSON.stringify(idle.stat)}`);
  assert.ok(idle.count >= QUIET && idle.count <= summary.disconnects, `count ${idle.count} of ${summary.disconnects} drops`);
  diagnostic(`${idle.text} [${idle.reason}; ${summary.disconnects} drops; mean ${idle.stat!.meanMs} ms, sd ${idle.stat!.spreadMs} ms]`);
  assert.match(idle.text, /without traffic from the server: an idle timeout between you and the target; a ping interval under [12]\.\d s keeps them open/);
  assert.match(idle.text, /^\d+ connections closed by the peer after [12]\.\d+ ± 0\.\d+ s /);
}

test('nginx proxy_read_timeout 2s in front of the room server: quiet WebSocket devices cut, named an idle timeout', { skip: !NGINX_BIN && 'nginx not installed', timeout: 30_000 }, async (t) => {
  const rooms = await startRoomServer({ host: '127.0.0.1', port: 0 });
  const nginx = await startNginxWsProxy(rooms.port, CUT_S);
  try {
    const url = `ws://127.0.0.1:${nginx.port}/`;
    const group = (name: string, count: number, ping: string) => ({ name, protocol: 'ws' as const, url, count, clientId: `${name}-{index}`, timers: { heartbeat: 'off' as const, status: 'off' as const, ping: { every: ping } } });
    const summary = await runAgainstCut({ name: 'nginx-idle', duration: '60s', ramp: 0, hosts: 1, groups: [group('quiet', QUIET, '5s'), group('chatty', CHATTY, '1s')] }, 2 * QUIET);
    assertIdleCause(summary, (m) => t.diagnostic(m));
  } finally {
    await nginx.stop();
    await rooms.stop();
  }
});

test('haproxy timeout client/server 2s in front of mosquitto: quiet MQTT devices cut, named an idle timeout', { skip: (!HAPROXY_BIN || !MOSQUITTO_BIN) && 'haproxy or mosquitto not installed', timeout: 30_000 }, async (t) => {
  const broker = await startMosquitto();
  const haproxy = await startHaproxyTcp(broker.port, CUT_S);
  try {
    const url = `mqtt://127.0.0.1:${haproxy.port}`;
    const group = (name: string, count: number, ping: string) => ({ name, protocol: 'mqtt' as const, url, count, clientId: `${name}-{index}`, timers: { heartbeat: 'off' as const, status: 'off' as const, ping: { every: ping } } });
    const summary = await runAgainstCut({ name: 'haproxy-idle', duration: '60s', ramp: 0, hosts: 1, groups: [group('quiet', QUIET, '10s'), group('chatty', CHATTY, '1s')] }, 2 * QUIET);
    assertIdleCause(summary, (m) => t.diagnostic(m));
  } finally {
    await haproxy.stop();
    await broker.stop();
  }
});
