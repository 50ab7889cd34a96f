// `fleetsim run --shard I/N` as a pod runs it: its slice of the fleet, the run id in the summary and
// the record, labels on /metrics; bad shard input refused with exit 2 before anything starts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startMosquitto } from '../helpers/mosquitto.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');

function fleetsim(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

test('a pod\'s command: shard from JOB_COMPLETION_INDEX, summary and record name the run and the shard', async () => {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-shard-run-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify({ name: 'pod', duration: '3s', ramp: 0, groups: [{ name: 'g', protocol: 'mqtt', url: `mqtt://127.0.0.1:${broker.port}`, count: 9, clientId: 'dev-{index}' }] }));
  try {
    const startAt = new Date(Date.now() + 1500).toISOString();
    const r = await fleetsim(['run', file, '--shards', '2', '--run-id', 'k8s-1', '--start-at', startAt, '--record', join(dir, 'runs'), '--json'], { JOB_COMPLETION_INDEX: '1' });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.runId, 'k8s-1');
    assert.deepEqual(summary.shard, { index: 1, count: 2 });
    assert.equal(summary.devices, 4, 'shard 1 of 2 holds devices 5-8');
    assert.equal(summary.connects, 4);
    assert.equal(summary.startedAt, startAt);
    const record = JSON.parse(readFileSync(join(dir, 'runs', 'k8s-1-shard1', 'run.json'), 'utf8'));
    assert.equal(record.status, 'complete');
    assert.equal(record.runId, 'k8s-1');
    const devices = readFileSync(join(dir, 'runs', 'k8s-1-shard1', 'devices.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    assert.deepEqual(devices.sort(), ['dev-5', 'dev-6', 'dev-7', 'dev-8']);
    // The same shard again into the same place would mix two records: refused.
    const again = await fleetsim(['run', file, '--shard', '1/2', '--run-id', 'k8s-1', '--record', join(dir, 'runs')]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds shard 1 of run k8s-1/);
  } finally {
    await broker.stop();
  }
});

test('bad shard, start, metrics and source-address input exits 2 naming the flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--shard', '2/2'], /--shard: shard index 2 is out of range 0-1/],
    [['--shard', '0/2'], /--run-id: shards of one fleet need a run id/],
    [['--shards', '3'], /JOB_COMPLETION_INDEX/],
    [['--start-at', 'tomorrow'], /--start-at: expected an ISO time/],
    [['--metrics-host', '0.0.0.0'], /--metrics-host needs --metrics-port/],
    [['--metrics-host', 'example.com', '--metrics-port', '0'], /--metrics-host: expected an IP address/],
    [['--source-addresses', '127.0.0.9-127.0.0.1'], /--source-addresses: .*ends before it starts/],
  ];
  for (const [args, message] of cases) {
    const r = await fleetsim(['run', 'demo', '--no-record', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
