// Before a run: ports per (source address, target) against the ephemeral range, devices per host
// against the open-file limit, the embedded target's processes (each holds one open-file limit),
// memory against what is available, the kernel's listen backlogs, hosts against cores. Errors
// refuse the run with the reason and the fix; warnings are shown and the run goes on.
import type { PreflightCheck, PreflightReport } from '../contract/preflight.ts';
import type { DeviceGroup, Scenario } from '../contract/scenario.ts';
import { canonicalAddress, readMachineFacts, type MachineFacts } from './machine-facts.ts';
import { FD_RESERVE, planHosts } from './sharding.ts';
import { describeShards, planForScenario, spreadOver, type EmbeddedShardPlan } from './embedded-shard-plan.ts';
import { costKind, generatorBytes, targetBytes, type CostKind } from './cost-model.ts';

/** Ports of the kernel's default range (32768–60999) when the range cannot be read. */
const DEFAULT_PORT_RANGE: [number, number] = [32768, 60999];
/** Binding a source address gets slow past about a quarter of its ports in use (measured: 1.1k connects/s at 15k on one address). */
const BOUND_PORTS_COMFORT = 0.25;

const fmt = (n: number) => n.toLocaleString('en-US');

/** "host:port" a URL connects to ("embedded:mqtt" for the embedded target: one port per kind). */
function targetOf(url: string): string {
  if (url.startsWith('embedded:')) return url;
  try {
    const u = new URL(url);
    const port = u.port || { 'mqtt:': '1883', 'tcp:': '1883', 'mqtts:': '8883', 'ssl:': '8883', 'ws:': '80', 'wss:': '443' }[u.protocol] || '?';
    return `${u.hostname}:${port}`;
  } catch {
    return url;
  }
}

/** The targets a group's devices spread over: url and urls, or each shard of the embedded target. */
function targetsOf(g: DeviceGroup, embeddedShards: number): string[] {
  if (!g.url.startsWith('embedded:')) return [g.url, ...(g.urls ?? [])].map(targetOf);
  return embeddedShards === 1 ? [g.url] : Array.from({ length: embeddedShards }, (_, j) => `${g.url} (process ${j})`);
}

/** Devices per (source address, target) of a group, as device.ts picks both: source by index, target by index or room. */
function devicesPerTuple(g: DeviceGroup, sources: number, targets: number): number[][] {
  if (sources === 1) return [spreadOver(g, targets)];
  if (targets === 1) return spreadOver({ protocol: 'mqtt', count: g.count, ws: g.ws }, sources).map((n) => [n]);
  // Both spread: the two choices interleave (e.g. even indexes on one source and one target), so count them.
  const out = Array.from({ length: sources }, () => new Array<number>(targets).fill(0));
  const unit = g.protocol === 'ws' ? g.ws.roomSize : 1;
  for (let i = 0; i < g.count; i++) out[i % sources][Math.floor(i / unit) % targets]++;
  return out;
}

const isLoopbackTarget = (target: string) => target.startsWith('embedded:') || /^(127\.|localhost|\[::1\])/.test(target);

function portChecks(scenario: Scenario, facts: MachineFacts, embeddedShards: number): PreflightCheck[] {
  const [lo, hi] = facts.portRange ?? DEFAULT_PORT_RANGE;
  const ports = hi - lo + 1;
  // Devices per (source address, target): a group's devices take its source addresses round-robin
  // and its targets (url + urls, or the embedded target's processes) by index or room.
  const tuples = new Map<string, { devices: number; bound: boolean; groups: Set<string> }>();
  for (const g of scenario.groups) {
    const sources = g.sourceAddresses?.length ? g.sourceAddresses : [null];
    const targets = targetsOf(g, embeddedShards);
    devicesPerTuple(g, sources.length, targets.length).forEach((row, s) =>
      row.forEach((devices, j) => {
        // A bound source address (localAddress) takes its port at bind(), before the target is
        // known: its ports are shared by every target. Only unbound connects get a pool per target.
        const key = sources[s] === null ? `any source → ${targets[j]}` : `${sources[s]} (bound, to any target)`;
        const t = tuples.get(key) ?? { devices: 0, bound: sources[s] !== null, groups: new Set<string>() };
        t.devices += devices;
        t.groups.add(g.name);
        tuples.set(key, t);
      }),
    );
  }
  const checks: PreflightCheck[] = [];
  const rangeText = facts.portRange ? `ip_local_port_range ${lo}–${hi}` : `the usual range ${lo}–${hi} (could not read ip_local_port_range)`;
  for (const [key, t] of tuples) {
    const groups = [...t.groups].join(', ');
    if (t.devices > ports) {
      checks.push({
        level: 'error',
        topic: 'ports',
        message: `${fmt(t.devices)} connections from ${key} (group ${groups}) but only ${fmt(ports)} ephemeral ports exist per source address and target (${rangeText})`,
        fix: `spread the group over ≥ ${Math.ceil(t.devices / (ports * BOUND_PORTS_COMFORT))} source addresses (sourceAddresses: 127.0.0.1-127.0.0.${Math.ceil(t.devices / (ports * BOUND_PORTS_COMFORT))}) or over several target ports (urls)`,
      });
    } else if (t.bound && t.devices > ports * BOUND_PORTS_COMFORT) {
      checks.push({
        level: 'warn',
        topic: 'ports',
        message: `${fmt(t.devices)} connections from ${key} use ${Math.round((t.devices / ports) * 100)}% of its ${fmt(ports)} ports: binding a source address gets slow (and stalls the host) past about ${BOUND_PORTS_COMFORT * 100}%`,
        fix: `use ≥ ${Math.ceil(t.devices / (ports * BOUND_PORTS_COMFORT))} source addresses for group ${groups}`,
      });
    }
  }
  if (checks.length === 0) checks.push({ level: 'ok', topic: 'ports', message: `at most ${fmt(Math.max(0, ...[...tuples.values()].map((t) => t.devices)))} connections per source address and target, of ${fmt(ports)} ports (${rangeText})` });
  return checks;
}

/** Source addresses must be this machine's: binding any other fails every connect (EADDRNOTAVAIL). */
function addressChecks(scenario: Scenario, facts: MachineFacts): PreflightCheck[] {
  const groups = scenario.groups.map((g, i) => ({ i, addresses: g.sourceAddresses ?? [] })).filter((g) => g.addresses.length > 0);
  if (groups.length === 0) return [];
  if (!facts.localAddresses) return [{ level: 'warn', topic: 'addresses', message: 'could not list this machine\'s addresses: source addresses are not checked' }];
  const local = new Set(facts.localAddresses);
  const isLocal = (a: string) => local.has(canonicalAddress(a)) || (facts.wholeLoopbackNet === true && a.startsWith('127.'));
  const checks: PreflightCheck[] = [];
  for (const { i, addresses } of groups) {
    const missing = addresses.filter((a) => !isLocal(a));
    if (missing.length === 0) continue;
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    checks.push({
      level: 'error',
      topic: 'addresses',
      message: `groups[${i}].sourceAddresses: ${missing[0]}${more} is not an address of this machine: binding it fails every connect`,
      fix: `use addresses this machine has (${facts.localAddresses.filter((a) => a !== '::1').slice(0, 4).join(', ')}${facts.wholeLoopbackNet ? ', or any of 127.0.0.0/8' : ''}), or add the address to an interface first`,
    });
  }
  const total = groups.reduce((n, g) => n + g.addresses.length, 0);
  return checks.length ? checks : [{ level: 'ok', topic: 'addresses', message: `all ${fmt(total)} source addresses are this machine's` }];
}

/**
 * The embedded target: one process holds at most its open-file limit of connections, so beyond
 * that it runs as several (embedded-shard-plan.ts); refused only when embedded.shards forces too few.
 */
function targetChecks(plan: EmbeddedShardPlan, facts: MachineFacts): PreflightCheck[] {
  if (plan.connections === 0) return [];
  const room = facts.fdLimit ? ` of ${fmt(plan.capacity)} it may open` : '';
  if (plan.maxLoad > plan.capacity) {
    return [{
      level: 'error',
      topic: 'target',
      message: `embedded.shards is ${plan.shards}: one embedded target process would hold ${fmt(plan.maxLoad)} connections, but a process may open only ${fmt(facts.fdLimit?.soft ?? 0)} files`,
      fix: `embedded.shards: auto (${plan.autoShards} processes here), or ${plan.autoShards} or more`,
    }];
  }
  const message = plan.shards === 1 ? `the embedded target holds ${fmt(plan.connections)} connections${room}` : `${describeShards(plan)}${room}`;
  return [{ level: 'ok', topic: 'target', message }];
}

export function preflight(scenario: Scenario, facts: MachineFacts): PreflightReport {
  const devices = scenario.groups.reduce((n, g) => n + g.count, 0);
  const plan = planHosts({ totalDevices: devices, requested: scenario.hosts, cores: facts.cores, fdLimit: facts.fdLimit?.soft ?? null });
  const shardPlan = planForScenario(scenario, facts.fdLimit?.soft ?? null);
  const checks: PreflightCheck[] = [...addressChecks(scenario, facts), ...portChecks(scenario, facts, shardPlan.shards), ...targetChecks(shardPlan, facts)];
  const perHost = Math.ceil(devices / plan.hosts);

  // Open files: every device is a socket in its host.
  if (!facts.fdLimit) checks.push({ level: 'warn', topic: 'files', message: 'could not read the open-file limit: hosts are not sized by it' });
  else if (perHost > plan.perHostCapacity) {
    checks.push({
      level: 'error',
      topic: 'files',
      message: `${plan.hosts} host(s) would hold ${fmt(perHost)} devices each, but a process may open only ${fmt(facts.fdLimit.soft)} files (${fmt(plan.perHostCapacity)} after ${FD_RESERVE} for itself)`,
      fix: `hosts: auto (sizes by this limit), or hosts: ${Math.ceil(devices / plan.perHostCapacity)} or more${facts.fdLimit.hard > facts.fdLimit.soft ? `, or raise the soft limit to the hard one before starting (ulimit -n ${facts.fdLimit.hard})` : ''}`,
    });
  } else {
    const raise = facts.fdLimit.hard > facts.fdLimit.soft && devices > plan.perHostCapacity;
    checks.push({
      level: raise ? 'warn' : 'ok',
      topic: 'files',
      message: `${plan.hosts} host(s), ≤ ${fmt(perHost)} devices each; open-file limit ${fmt(facts.fdLimit.soft)} (hard ${facts.fdLimit.hard >= Number.MAX_SAFE_INTEGER ? 'unlimited' : fmt(facts.fdLimit.hard)})`,
      fix: raise ? `fewer, fuller hosts: raise the soft limit before starting (ulimit -n ${facts.fdLimit.hard})` : undefined,
    });
  }

  // Memory: measured cost per device by protocol, per host, and the embedded target's.
  const byKind: Partial<Record<CostKind, number>> = {};
  for (const g of scenario.groups) byKind[costKind(g)] = (byKind[costKind(g)] ?? 0) + g.count;
  const embeddedBytes = targetBytes(shardPlan.connections, shardPlan.shards);
  const memoryEstimateBytes = generatorBytes(byKind, plan.hosts) + embeddedBytes;
  const share = memoryEstimateBytes / facts.memAvailableBytes;
  const gb = (b: number) => `${(b / 1073741824).toFixed(1)} GB`;
  checks.push({
    level: share > 1 ? 'error' : share > 0.7 ? 'warn' : 'ok',
    topic: 'memory',
    message: `about ${gb(memoryEstimateBytes)} for the fleet${embeddedBytes ? ' and the embedded target' : ''}, of ${gb(facts.memAvailableBytes)} available (${Math.round(share * 100)}%)`,
    fix: share > 0.7 ? 'fewer devices, or free memory first (estimates per device: MQTT 8 KB (MQTT.js 20 KB), MQTT/TLS 60 KB, mutual TLS 110 KB, WebSocket 8 KB)' : undefined,
  });

  // Listen backlogs on this machine matter for loopback targets during fast ramps and reconnect storms.
  const loopback = scenario.groups.some((g) => isLoopbackTarget(targetOf(g.url)));
  const burst = scenario.ramp === 0 ? devices : scenario.ramp;
  for (const [name, value, sysctl] of [
    ['somaxconn', facts.somaxconn, 'net.core.somaxconn'],
    ['tcp_max_syn_backlog', facts.synBacklog, 'net.ipv4.tcp_max_syn_backlog'],
  ] as const) {
    if (!loopback || value === null) continue;
    if (value < 1024 && burst > value) {
      checks.push({
        level: 'warn',
        topic: 'kernel',
        message: `${name} is ${value}: connection bursts above that (this run connects up to ${fmt(burst)}/s) overflow the target's listen queue; dropped SYNs retry after 1 s and look like a slow broker`,
        fix: `sysctl -w ${sysctl}=4096 (as root), or a lower ramp`,
      });
    }
  }
  if (!checks.some((c) => c.topic === 'kernel')) checks.push({ level: 'ok', topic: 'kernel', message: `listen backlogs: somaxconn ${facts.somaxconn ?? '?'}, tcp_max_syn_backlog ${facts.synBacklog ?? '?'}` });

  if (plan.hosts > facts.cores) {
    checks.push({ level: 'warn', topic: 'cpu', message: `${plan.hosts} host processes on ${facts.cores} cores: they share CPU; watch the generator saturation warnings`, fix: plan.hosts > Math.ceil(devices / plan.perHostCapacity) ? 'fewer hosts' : undefined });
  } else checks.push({ level: 'ok', topic: 'cpu', message: `${plan.hosts} host process(es) on ${facts.cores} cores` });

  return { ok: !checks.some((c) => c.level === 'error'), checks, hosts: plan.hosts, devices, memoryEstimateBytes };
}

/** One line per check, for the CLI and for start errors. */
export function describeCheck(c: PreflightCheck): string {
  return `${c.topic}: ${c.message}${c.fix ? ` — fix: ${c.fix}` : ''}`;
}

/** The preflight of this machine for a run about to start: throws with every error (and its fix); returns the warnings. */
export function preflightOrThrow(scenario: Scenario, cores: number): string[] {
  const report = preflight(scenario, { ...readMachineFacts(), cores });
  const errors = report.checks.filter((c) => c.level === 'error');
  if (errors.length > 0) throw new Error(`preflight: ${errors.map(describeCheck).join('; ')}`);
  return report.checks.filter((c) => c.level === 'warn').map((c) => `preflight: ${describeCheck(c)}`);
}
