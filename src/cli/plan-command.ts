// `fleetsim plan --devices N --protocol mqtt|mqtt-tls|mqtt-mtls|ws [--msg-rate R] [scenario]`: how a
// fleet splits over generator pods (or machines like this one), what each needs, and what the
// target side must hold. Exit 0 with the plan, 2 for bad input.
import { PRESETS } from '../contract/presets.ts';
import { validateScenario } from '../contract/validate.ts';
import { KB_PER_DEVICE, PLAN_PROTOCOLS, TARGET_KB_PER_CONNECTION, msgsPerDevice, type PlanProtocol } from '../fleet/cost-model.ts';
import { DEFAULT_PORT_RANGE, mixOfScenario, planFleet, POD_FILL, type FleetMix, type FleetPlan, type PodShape } from '../fleet/fleet-plan.ts';
import { readMachineFacts } from '../fleet/machine-facts.ts';
import { loadScenario, ScenarioError } from '../fleet/scenario-loader.ts';
import { humanBytes, parseMemorySize } from '../k8s/quantities.ts';
import { fmtInt } from './format.ts';
import { parseCommandArgs } from './command-args.ts';

export const PLAN_USAGE = `usage: fleetsim plan --devices N --protocol mqtt|mqtt-tls|mqtt-mtls|ws [--msg-rate R] [--json]
       fleetsim plan <scenario|preset> [--devices N] [--json]
  options: --pod-cores N --pod-memory SIZE (default: this machine's cores and available memory)
           --target-ports N (target ip:port pairs the devices spread over; default 1, or the scenario's urls)
           --source-addresses N (addresses each pod connects from; default 1, a pod's own IP)
  How many shards (pods) the fleet needs, the memory and CPU of each, connections per host process
  against the open-file limit, ephemeral ports per target, and what the target side must hold.`;

/** Messages/s per device of the seed models (MQTT: 15 s / 60 s / PING 120 s; WebSocket rooms: 15 s / 60 s / ping 30 s). */
function seedRate(protocol: PlanProtocol): number {
  const preset = protocol === 'ws' ? PRESETS['seed-ws-rooms'] : PRESETS['seed-mqtt'];
  const parsed = validateScenario(structuredClone(preset));
  if (!parsed.ok) throw new Error(`preset does not validate: ${parsed.problems.join('; ')}`);
  return msgsPerDevice(parsed.scenario.groups[0]);
}

function positiveInt(flag: string, text: string | undefined, max = 100_000_000): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : `--${flag}: expected a whole number from 1 to ${fmtInt(max)}, got ${JSON.stringify(text)}`;
}

export async function planCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'plan', usage: PLAN_USAGE }, args, {
    devices: { type: 'string' },
    protocol: { type: 'string' },
    'msg-rate': { type: 'string' },
    'pod-cores': { type: 'string' },
    'pod-memory': { type: 'string' },
    'target-ports': { type: 'string' },
    'source-addresses': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (typeof parsed === 'number') return parsed;
  const { values: v, positionals } = parsed;
  const fail = (message: string) => {
    console.error(`fleetsim plan: ${message}\n${PLAN_USAGE}`);
    return 2;
  };
  const devices = positiveInt('devices', v.devices);
  const cores = positiveInt('pod-cores', v['pod-cores'], 1024);
  const targetPorts = positiveInt('target-ports', v['target-ports'], 65_535);
  const sources = positiveInt('source-addresses', v['source-addresses'], 65_535);
  for (const x of [devices, cores, targetPorts, sources]) if (typeof x === 'string') return fail(x);
  const memory = v['pod-memory'] === undefined ? undefined : parseMemorySize(v['pod-memory']);
  if (typeof memory === 'string') return fail(`--pod-memory: ${memory}`);
  if (positionals.length > 1) return fail('one scenario at a time');

  let mix: FleetMix;
  if (positionals.length === 1) {
    if (v.protocol !== undefined || v['msg-rate'] !== undefined) return fail('--protocol and --msg-rate come from the scenario: give either a scenario or --protocol');
    try {
      mix = scaleMix(mixOfScenario(await loadScenario(positionals[0])), devices as number | undefined);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      return fail(`${err.source} is not a valid scenario: ${err.problems.join('; ')}`);
    }
  } else {
    if (devices === undefined) return fail('--devices: required without a scenario');
    if (v.protocol === undefined || !Object.hasOwn(PLAN_PROTOCOLS, v.protocol)) return fail(`--protocol: expected one of ${Object.keys(PLAN_PROTOCOLS).join(', ')}, got ${JSON.stringify(v.protocol ?? '')}`);
    const protocol = v.protocol as PlanProtocol;
    const rate = v['msg-rate'] === undefined ? seedRate(protocol) : Number(v['msg-rate']);
    if (!Number.isFinite(rate) || rate < 0 || rate > 10_000) return fail(`--msg-rate: expected messages per second per device from 0 to 10000, got ${JSON.stringify(v['msg-rate'])}`);
    mix = { devices: devices as number, byKind: { [PLAN_PROTOCOLS[protocol]]: devices }, msgsPerSec: (devices as number) * rate, embeddedConnections: 0, targetPorts: 1 };
  }
  if (targetPorts !== undefined) mix.targetPorts = targetPorts as number;

  const facts = readMachineFacts();
  const pod: PodShape = {
    cores: (cores as number | undefined) ?? facts.cores,
    memoryBytes: (memory as number | undefined) ?? facts.memAvailableBytes,
    fdLimit: facts.fdLimit?.soft ?? null,
    portRange: facts.portRange ?? DEFAULT_PORT_RANGE,
    sourceAddresses: (sources as number | undefined) ?? 1,
  };
  const plan = planFleet(mix, pod);
  console.log(v.json ? JSON.stringify(plan) : planText(plan));
  return 0;
}

/** The scenario's mix at another device count, in the same proportions. */
function scaleMix(mix: FleetMix, devices: number | undefined): FleetMix {
  if (devices === undefined || mix.devices === 0) return mix;
  const f = devices / mix.devices;
  const byKind = Object.fromEntries(Object.entries(mix.byKind).map(([k, n]) => [k, Math.round((n ?? 0) * f)]));
  return { ...mix, devices, byKind, msgsPerSec: mix.msgsPerSec * f, embeddedConnections: Math.round(mix.embeddedConnections * f) };
}

const LIMITS: Record<FleetPlan['limitedBy'], string> = {
  memory: `memory (${Math.round(POD_FILL * 100)}% of the pod's, limit included)`,
  cpu: `CPU (${Math.round(POD_FILL * 100)}% of the pod's cores at the message rate)`,
  ports: 'ephemeral ports (one pool per source address and target ip:port, 90% used; more target ip:port pairs, --target-ports, lift it)',
  devices: 'nothing: the whole fleet fits in one',
};

export function planText(p: FleetPlan): string {
  const s = p.shard;
  const kinds = Object.entries(p.mix.byKind).map(([k, n]) => `${fmtInt(n ?? 0)} ${k} (${KB_PER_DEVICE[k as keyof typeof KB_PER_DEVICE]} KB each)`).join(', ');
  const fd = p.files.perHostCapacity;
  const lines = [
    `fleet: ${fmtInt(p.mix.devices)} devices: ${kinds}; ${fmtInt(p.mix.msgsPerSec)} msg/s`,
    `pod (one generator machine): ${p.pod.cores} cores, ${humanBytes(p.pod.memoryBytes)}, open files ${fd === null ? 'unknown' : fmtInt(fd + 64)} per process, ports ${p.pod.portRange.join('–')}, ${p.pod.sourceAddresses} source address(es)`,
    '',
    `shards (pods): ${fmtInt(p.shards)} — at most ${fmtInt(p.maxDevicesPerPod)} devices per pod, bounded by ${LIMITS[p.limitedBy]}`,
    `each pod: ${fmtInt(s.devices)} devices over ${s.hosts} host process(es) (${fmtInt(s.devicesPerHost)} each)`,
    `  memory: ~${humanBytes(s.memoryBytes)} (request), limit ${humanBytes(s.memoryLimitBytes)}`,
    `  cpu: ${s.cpu} core(s) for ${fmtInt(s.msgsPerSec)} msg/s (request), limit ${s.cpuLimit} (connect bursts and TLS handshakes cost more)`,
    `  open files: ${fmtInt(s.devicesPerHost)} connections per host process${fd === null ? '' : ` of ${fmtInt(fd)} it may hold (limit less 64)`}${fd !== null && s.devicesPerHost > fd ? ' — TOO MANY: raise the limit' : ''}`,
    `  ports: ${fmtInt(s.connectionsPerTuple)} connections per (source address, target ip:port) of ${fmtInt(p.ports.perTuple)} ephemeral ports; ${p.target.portsNeededPerSourceAddress} target ip:port pair(s) per source address${p.pod.sourceAddresses > 1 ? '' : ' (a pod connects from its own IP)'} needed`,
    '',
    `target side: ${fmtInt(p.target.connections)} connections (one file each), ${fmtInt(p.target.msgsPerSec)} msg/s from the devices (room broadcasts and replies come on top)`,
    `  memory: ~${humanBytes(p.target.memoryBytes)} at the embedded target's ${TARGET_KB_PER_CONNECTION} KB per connection`,
    `  processes: ${p.target.processesAtFdLimit === null ? 'open-file limit unknown' : `${fmtInt(p.target.processesAtFdLimit)} at this open-file limit (or raise nofile to ${fmtInt(p.target.connections + 1024)})`}`,
    `  listeners: each pod holds ${fmtInt(s.connectionsPerTuple)} connections per target ip:port; behind a proxy, each proxy → upstream ip:port pair is again ≤ ${fmtInt(p.ports.perTuple)}`,
  ];
  return lines.join('\n');
}
