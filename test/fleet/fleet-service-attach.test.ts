// FleetService.attach/detach: validated requests, pushes through onUpdate, and an attached view
// and a local run exclude each other with a clear message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FleetUpdate } from '../../src/contract/fleet-api.ts';
import { FleetService } from '../../src/fleet/fleet-service.ts';
import { waitFor } from '../helpers/ports.ts';
import { startPrometheus } from '../helpers/prometheus.ts';

test('attach refuses bad requests field by field', async () => {
  const service = new FleetService();
  assert.deepEqual(await service.attach(null), { ok: false, problems: ['request: expected an object like { prometheusUrl, runId }'] });
  const r = await service.attach({ prometheusUrl: 'file:///etc/passwd', runId: 'a b', windowSeconds: 1, extra: 1 });
  assert.equal(r.ok, false);
  const problems = r.ok ? [] : r.problems;
  assert.deepEqual(problems.map((p) => p.split(':')[0]), ['extra', 'prometheusUrl', 'runId', 'windowSeconds']);
  assert.match(problems[1], /expected http or https, got file/);
  assert.equal((await service.attach({ prometheusUrl: 'not a url', runId: 'r' })).ok, false);
  assert.equal((await service.attach({ prometheusUrl: 'http://u:p@127.0.0.1:9090', runId: 'r' })).ok, false);
  assert.equal(await service.detach(), false, 'nothing to detach');
});

test('attached: status and pushes carry the attach state; a local run is refused until detached', async () => {
  const prometheus = await startPrometheus([]);
  const service = new FleetService();
  const updates: FleetUpdate[] = [];
  service.onUpdate((u) => updates.push(u));
  try {
    assert.deepEqual(await service.attach({ prometheusUrl: `${prometheus.url}/`, runId: 'no-shards-yet', windowSeconds: 10 }), { ok: true });
    const attachUpdates = () => updates.flatMap((u) => (u.type === 'attach' && u.attach ? [u.attach] : []));
    await waitFor('a poll answered', () => attachUpdates().some((a) => a.health === 'waiting'), 15_000);
    const status = await service.status();
    assert.equal(status.state, 'running');
    assert.equal(status.attach?.prometheusUrl, prometheus.url, 'trailing slash dropped');
    assert.equal(status.attach?.runId, 'no-shards-yet');
    assert.match(status.attach?.message ?? '', /no series for run no-shards-yet yet/);
    const start = await service.start({ groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 1 }] });
    assert.deepEqual(start, { ok: false, problems: ['attached to distributed run no-shards-yet: detach first'] });
    const again = await service.attach({ prometheusUrl: prometheus.url, runId: 'other' });
    assert.equal(again.ok, false);
    assert.equal(await service.detach(), true);
    assert.deepEqual(updates.at(-1), { type: 'attach', attach: null });
    assert.equal((await service.status()).attach, null);
    // And the other way round: a local run refuses an attach.
    assert.deepEqual(await service.start({ duration: '30s', groups: [{ protocol: 'mqtt', url: 'embedded:mqtt', count: 2 }] }), { ok: true });
    const refused = await service.attach({ prometheusUrl: prometheus.url, runId: 'r' });
    assert.deepEqual(refused, { ok: false, problems: ['a local run is in progress: stop it before attaching to a distributed run'] });
  } finally {
    await service.shutdown();
    await prometheus.stop();
  }
});
