// `fleetsim plan` as a user runs it (the built bin): the plan as text and as JSON, bad input exits 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FleetPlan } from '../../src/fleet/fleet-plan.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const fleetsim = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

test('plan --json: the fleet over shards, each sized for its devices; the text says the same', () => {
  const r = fleetsim(['plan', '--devices', '700000', '--protocol', 'mqtt-mtls', '--pod-memory', '8Gi', '--pod-cores', '4', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout) as FleetPlan;
  assert.equal(p.mix.devices, 700_000);
  assert.deepEqual(p.mix.byKind, { 'mqtt-mtls': 700_000 });
  assert.equal(p.pod.memoryBytes, 8 * 1024 ** 3);
  assert.equal(p.pod.cores, 4);
  assert.ok(p.shards * p.shard.devices >= 700_000);
  assert.ok(p.shard.memoryLimitBytes <= p.pod.memoryBytes);
  const text = fleetsim(['plan', '--devices', '700000', '--protocol', 'mqtt-mtls', '--pod-memory', '8Gi', '--pod-cores', '4']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^shards \\(pods\\): ${p.shards} — at most ${p.maxDevicesPerPod.toLocaleString('en-US')} devices per pod`, 'm'));
  assert.match(text.stdout, /^target side: 700,000 connections/m);
});

test('plan <scenario> --devices: the scenario\'s mix scaled to the count', () => {
  const r = fleetsim(['plan', 'demo', '--devices', '120000', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout) as FleetPlan;
  assert.equal(p.mix.devices, 120_000);
  assert.equal(Object.values(p.mix.byKind).reduce((a, b) => a + (b ?? 0), 0), 120_000);
  assert.ok(p.mix.embeddedConnections > 0, 'the demo runs against the embedded target');
});

test('plan: bad input exits 2 and names the flag', () => {
  const bad: Array<[string[], RegExp]> = [
    [['plan', '--protocol', 'ws'], /--devices: required/],
    [['plan', '--devices', '1000'], /--protocol: expected one of mqtt, mqtt-tls, mqtt-mtls, ws/],
    [['plan', '--devices', '1000', '--protocol', 'coap'], /--protocol: expected one of/],
    [['plan', '--devices', '0', '--protocol', 'ws'], /--devices: expected a whole number/],
    [['plan', '--devices', '1000', '--protocol', 'ws', '--msg-rate', 'fast'], /--msg-rate/],
    [['plan', '--devices', '1000', '--protocol', 'ws', '--pod-memory', '3 parsecs'], /--pod-memory: expected a size/],
    [['plan', '--devices', '1000', '--protocol', 'ws', '--target-ports', '-1'], /--target-ports|Unknown|ambiguous/],
    [['plan', 'demo', '--protocol', 'ws'], /give either a scenario or --protocol/],
    [['plan', 'no-such-scenario.yaml'], /not a valid scenario/],
  ];
  for (const [args, message] of bad) {
    const r = fleetsim(args);
    assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
