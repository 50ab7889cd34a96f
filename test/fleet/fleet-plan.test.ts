// Fleet plans follow from the cost model: every device has a shard, pods fit their memory and
// ports, host processes fit their open files, and a bigger fleet never needs fewer pods.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS } from '../../src/contract/presets.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { HOST_BASE_MB, KB_PER_DEVICE, TARGET_BASE_MB, TARGET_KB_PER_CONNECTION, type CostKind } from '../../src/fleet/cost-model.ts';
import { mixOfScenario, planFleet, POD_FILL, portsOf, type FleetMix, type PodShape } from '../../src/fleet/fleet-plan.ts';
import { FD_RESERVE } from '../../src/fleet/sharding.ts';

const MB = 1048576;
const GB = 1024 * MB;
const box: PodShape = { cores: 2, memoryBytes: 22 * GB, fdLimit: 20_000, portRange: [32768, 60999], sourceAddresses: 1 };
const mix = (devices: number, kind: CostKind, rate = 0.1, targetPorts = 1): FleetMix => ({ devices, byKind: { [kind]: devices }, msgsPerSec: devices * rate, embeddedConnections: 0, targetPorts });

function checkPlan(m: FleetMix, pod: PodShape) {
  const p = planFleet(m, pod);
  const s = p.shard;
  assert.ok(p.shards * s.devices >= m.devices, `shards × devices per shard covers the fleet: ${p.shards} × ${s.devices}`);
  assert.ok((p.shards - 1) * s.devices < m.devices, 'no idle shard');
  assert.ok(s.devices <= p.maxDevicesPerPod);
  assert.ok(s.memoryBytes <= s.memoryLimitBytes && s.memoryLimitBytes <= pod.memoryBytes * POD_FILL, `memory ${s.memoryBytes} ≤ limit ${s.memoryLimitBytes} ≤ pod share`);
  const kind = Object.keys(m.byKind)[0] as CostKind;
  assert.equal(s.memoryBytes, s.hosts * HOST_BASE_MB * MB + s.devices * KB_PER_DEVICE[kind] * 1024, 'memory is the cost model for the shard');
  if (pod.fdLimit !== null) assert.ok(s.devicesPerHost <= pod.fdLimit - FD_RESERVE, `${s.devicesPerHost} per host within the open-file limit`);
  assert.ok(s.connectionsPerTuple <= portsOf(pod.portRange), `${s.connectionsPerTuple} connections per (source, target) within the port range`);
  assert.ok(s.cpu <= s.cpuLimit && s.cpuLimit <= pod.cores);
  assert.equal(p.target.connections, m.devices);
  assert.equal(p.target.memoryBytes, (p.target.processesAtFdLimit ?? 1) * TARGET_BASE_MB * MB + m.devices * TARGET_KB_PER_CONNECTION * 1024);
  return p;
}

test('plans cover the fleet within memory, open files, ports and cores', () => {
  for (const kind of ['mqtt', 'mqtt-tls', 'mqtt-mtls', 'ws'] as const) {
    for (const devices of [1, 500, 20_000, 100_000, 700_000, 1_000_000]) checkPlan(mix(devices, kind), box);
  }
  checkPlan(mix(300_000, 'mqtt-mtls'), { ...box, memoryBytes: 4 * GB, cores: 8 });
  checkPlan(mix(300_000, 'mqtt', 0.1, 4), { ...box, fdLimit: null });
});

test('more devices never need fewer shards; past one pod, more shards', () => {
  for (const kind of ['mqtt', 'mqtt-mtls', 'ws'] as const) {
    let last = 0;
    for (const devices of [1_000, 10_000, 50_000, 200_000, 700_000, 1_000_000, 2_000_000]) {
      const shards = planFleet(mix(devices, kind), box).shards;
      assert.ok(shards >= last, `${kind} ${devices}: ${shards} after ${last}`);
      last = shards;
    }
    assert.ok(planFleet(mix(2_000_000, kind), box).shards > planFleet(mix(200_000, kind), box).shards);
  }
});

test('the tightest bound decides: ports for one target ip:port, memory for mutual TLS in small pods, CPU for chatty devices', () => {
  const ports = planFleet(mix(1_000_000, 'ws'), box);
  assert.equal(ports.limitedBy, 'ports');
  assert.ok(ports.maxDevicesPerPod < portsOf(box.portRange));
  // More target ip:port pairs lift the port bound: fewer pods.
  assert.ok(planFleet(mix(1_000_000, 'ws', 0.1, 4), box).shards < ports.shards);
  const memory = planFleet(mix(700_000, 'mqtt-mtls'), { ...box, memoryBytes: 2 * GB });
  assert.equal(memory.limitedBy, 'memory');
  // 110 KB per device in 70% of 2 GB, less the limit's headroom: about 10k devices per pod.
  assert.ok(memory.maxDevicesPerPod > 8_000 && memory.maxDevicesPerPod < 13_000, String(memory.maxDevicesPerPod));
  const cpu = planFleet(mix(200_000, 'mqtt', 10), box);
  assert.equal(cpu.limitedBy, 'cpu');
  assert.ok(cpu.shard.cpu <= box.cores);
});

test('a scenario\'s mix: devices by cost kind, its message rate, its embedded connections', () => {
  const parsed = validateScenario(structuredClone(PRESETS.demo));
  assert.ok(parsed.ok);
  const m = mixOfScenario(parsed.scenario);
  assert.equal(m.devices, 1200);
  assert.equal(Object.values(m.byKind).reduce((a, b) => a + (b ?? 0), 0), 1200);
  assert.equal(m.embeddedConnections, 1200);
  assert.ok(m.msgsPerSec > 0);
  const p = planFleet(m, box);
  assert.equal(p.shards, 1);
  // The embedded target runs in the pod: its memory is in the pod's.
  assert.ok(p.shard.memoryBytes > p.shard.hosts * HOST_BASE_MB * MB + TARGET_BASE_MB * MB);
});
