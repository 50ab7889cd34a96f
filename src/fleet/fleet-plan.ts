// How a fleet splits over generator machines (pods): how many shards, what each needs (memory, CPU,
// open files, ephemeral ports) and what the target side must hold. Figures come from cost-model.ts
// and the machine's facts; `fleetsim plan` prints this and `fleetsim k8s` sizes its pods from it.
import type { Scenario } from '../contract/scenario.ts';
import { BYTES_PER_KB, BYTES_PER_MB, costKind, generatorCores, HOST_BASE_MB, KB_PER_DEVICE, msgsPerDevice, targetBytes, type CostKind } from './cost-model.ts';
import { planForScenario } from './embedded-shard-plan.ts';
import { FD_RESERVE, planHosts } from './sharding.ts';

/** Ports of the kernel's default range (32768–60999) when the range cannot be read. */
export const DEFAULT_PORT_RANGE: [number, number] = [32768, 60999];
/** Share of a pod's memory and cores the plan fills: the rest absorbs connect bursts, GC and TLS buffers. */
export const POD_FILL = 0.7;
/** Memory limit over the estimate, so a pod at the estimate is not killed by a burst. */
const LIMIT_HEADROOM = 1.25;
/** Binding a source address gets slow past a quarter of its ports (see preflight.ts). */
const BOUND_PORTS_COMFORT = 0.25;
/** Share of an unbound pool (source address → target ip:port) a pod fills: reconnects need free ports while old sockets linger in TIME_WAIT. */
const UNBOUND_PORTS_COMFORT = 0.9;

/** The fleet to plan: devices of one cost kind at a message rate, or a scenario's mix. */
export interface FleetMix {
  devices: number;
  /** Devices by cost kind (sums to devices). */
  byKind: Partial<Record<CostKind, number>>;
  /** Messages/s of the whole fleet (sent, plus PINGs). */
  msgsPerSec: number;
  /** Devices that connect to a target started inside each pod (target: embedded). */
  embeddedConnections: number;
  /** Target ip:port pairs the devices spread over (url + urls); 1 when all use one. */
  targetPorts: number;
}

/** One generator pod (or machine): what it may use. */
export interface PodShape {
  cores: number;
  memoryBytes: number;
  /** Open-file limit of each process in it (null: unknown, not sized by it). */
  fdLimit: number | null;
  portRange: [number, number];
  /** Source addresses each pod connects from (a pod has one IP; on one machine, more may be bound). */
  sourceAddresses: number;
}

export interface ShardNeeds {
  devices: number;
  hosts: number;
  devicesPerHost: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  /** Cores to hold the devices at their message rate. */
  cpu: number;
  cpuLimit: number;
  msgsPerSec: number;
  /** Connections per (source address, target ip:port), against portsPerTuple. */
  connectionsPerTuple: number;
}

export interface FleetPlan {
  mix: FleetMix;
  pod: PodShape;
  shards: number;
  /** The fullest shard. */
  shard: ShardNeeds;
  /** What bounds the devices per pod: memory, cpu, ports or devices (all fit in one). */
  limitedBy: 'memory' | 'cpu' | 'ports' | 'devices';
  maxDevicesPerPod: number;
  ports: { perTuple: number; perPod: number };
  files: { perHostCapacity: number | null; connectionsPerHost: number };
  target: {
    connections: number;
    msgsPerSec: number;
    /** At the embedded target's cost per connection (a broker of your own differs: use it as a scale). */
    memoryBytes: number;
    /** Processes of the target needed at this machine's open-file limit (one socket is one file). */
    processesAtFdLimit: number | null;
    /** Target ip:port pairs so that no (pod IP, target ip:port) holds more than its ports. */
    portsNeededPerSourceAddress: number;
  };
}

export function mixOfScenario(scenario: Scenario): FleetMix {
  const byKind: Partial<Record<CostKind, number>> = {};
  let msgs = 0;
  for (const g of scenario.groups) {
    byKind[costKind(g)] = (byKind[costKind(g)] ?? 0) + g.count;
    msgs += g.count * msgsPerDevice(g);
  }
  const embedded = planForScenario(scenario, null).connections;
  return {
    devices: scenario.groups.reduce((n, g) => n + g.count, 0),
    byKind,
    msgsPerSec: msgs,
    embeddedConnections: embedded,
    targetPorts: Math.max(1, Math.min(...scenario.groups.map((g) => 1 + (g.urls?.length ?? 0)))),
  };
}

export const portsOf = (range: [number, number]) => range[1] - range[0] + 1;

/** A shard's slice of the mix: `devices` of the fleet's, in the fleet's proportions. */
function shardNeeds(mix: FleetMix, pod: PodShape, devices: number): ShardNeeds {
  const share = mix.devices > 0 ? devices / mix.devices : 0;
  const msgsPerSec = mix.msgsPerSec * share;
  const cpu = Math.max(0.1, Math.ceil(generatorCores(msgsPerSec) * 10) / 10);
  // Connects (TLS handshakes above all) and reconnect storms cost more than the steady rate.
  const cpuLimit = Math.min(Math.max(1, Math.ceil(cpu * 2)), Math.max(1, pod.cores));
  // Host processes as `hosts: auto` would pick on a machine with cpuLimit cores (a pod sees its node's cores: k8s passes --hosts).
  const hostPlan = planHosts({ totalDevices: devices, requested: 'auto', cores: cpuLimit, fdLimit: pod.fdLimit });
  let memory = hostPlan.hosts * HOST_BASE_MB * BYTES_PER_MB;
  for (const [kind, n] of Object.entries(mix.byKind)) memory += (n ?? 0) * share * KB_PER_DEVICE[kind as CostKind] * BYTES_PER_KB;
  const embedded = Math.ceil(mix.embeddedConnections * share);
  if (embedded > 0) memory += targetBytes(embedded, pod.fdLimit ? Math.ceil(embedded / (pod.fdLimit - FD_RESERVE)) : 1);
  const tuples = pod.sourceAddresses > 1 ? pod.sourceAddresses : mix.targetPorts;
  return {
    devices,
    hosts: hostPlan.hosts,
    devicesPerHost: Math.ceil(devices / hostPlan.hosts),
    memoryBytes: Math.ceil(memory),
    memoryLimitBytes: Math.ceil((memory * LIMIT_HEADROOM) / (64 * BYTES_PER_MB)) * 64 * BYTES_PER_MB,
    cpu,
    cpuLimit,
    msgsPerSec,
    connectionsPerTuple: Math.ceil(devices / tuples),
  };
}

/** Most devices one pod of this shape holds: by memory, CPU and ports, whichever is tightest. */
function podCapacity(mix: FleetMix, pod: PodShape): { devices: number; limitedBy: FleetPlan['limitedBy']; portsPerPod: number } {
  const perTuple = portsOf(pod.portRange);
  const portsPerPod = pod.sourceAddresses > 1 ? pod.sourceAddresses * Math.floor(perTuple * BOUND_PORTS_COMFORT) : Math.floor(perTuple * UNBOUND_PORTS_COMFORT) * mix.targetPorts;
  const fitsMemory = (d: number) => shardNeeds(mix, pod, d).memoryLimitBytes <= pod.memoryBytes * POD_FILL;
  let lo = 0;
  let hi = mix.devices;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fitsMemory(mid)) lo = mid;
    else hi = mid - 1;
  }
  const perDeviceCores = mix.devices > 0 ? generatorCores(mix.msgsPerSec / mix.devices) : 0;
  const byCpu = perDeviceCores > 0 ? Math.floor((pod.cores * POD_FILL) / perDeviceCores) : Number.MAX_SAFE_INTEGER;
  const bounds: Array<[number, FleetPlan['limitedBy']]> = [[mix.devices, 'devices'], [lo, 'memory'], [byCpu, 'cpu'], [portsPerPod, 'ports']];
  const [devices, limitedBy] = bounds.reduce((a, b) => (b[0] < a[0] ? b : a));
  return { devices: Math.max(1, devices), limitedBy, portsPerPod };
}

export function planFleet(mix: FleetMix, pod: PodShape): FleetPlan {
  const cap = podCapacity(mix, pod);
  const shards = Math.max(1, Math.ceil(mix.devices / cap.devices));
  return planShards(mix, pod, shards, cap);
}

/** The plan for a given number of shards (`fleetsim k8s --shards N`): what each pod then needs. */
export function planShards(mix: FleetMix, pod: PodShape, shards: number, cap = podCapacity(mix, pod)): FleetPlan {
  const shard = shardNeeds(mix, pod, Math.ceil(mix.devices / shards));
  const perTuple = portsOf(pod.portRange);
  const targetProcesses = pod.fdLimit === null ? null : Math.ceil(mix.devices / (pod.fdLimit - FD_RESERVE));
  return {
    mix,
    pod,
    shards,
    shard,
    limitedBy: cap.limitedBy,
    maxDevicesPerPod: cap.devices,
    ports: { perTuple, perPod: cap.portsPerPod },
    files: { perHostCapacity: pod.fdLimit === null ? null : pod.fdLimit - FD_RESERVE, connectionsPerHost: shard.devicesPerHost },
    target: {
      connections: mix.devices,
      msgsPerSec: mix.msgsPerSec,
      memoryBytes: targetBytes(mix.devices, targetProcesses ?? 1),
      processesAtFdLimit: targetProcesses,
      portsNeededPerSourceAddress: Math.ceil(shard.devices / Math.floor(perTuple * UNBOUND_PORTS_COMFORT)),
    },
  };
}
