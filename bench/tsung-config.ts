// The Tsung side of the peer comparison (bench/peer.ts): the tsung.xml that holds N devices at the
// seed rates, where Tsung's Erlang VMs are, what they cost and hold, and what its log says.
// Written against Tsung 1.7.0's DTD (/usr/share/tsung/tsung-1.0.dtd) and plugin sources
// (ts_mqtt.erl, ts_websocket.erl, ts_config_server.erl).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type PeerProtocol = 'mqtt' | 'ws';

export interface TsungConfigOptions {
  devices: number;
  protocol: PeerProtocol;
  /** One target process each (mosquitto or room server shard), all on 127.0.0.1. */
  ports: number[];
  /** Source addresses, round robin: Tsung binds each socket, so one address has ~28k ports. */
  sourceIps: string[];
  /** New connections per second (arrival rate). */
  ramp: number;
  /** Seconds Tsung may run in all; a backstop, peer.ts stops it sooner. */
  loadSeconds: number;
  /** Tsung client VMs started from the outset (<client cpu>); Tsung's docs advise one per core. */
  cpus: number;
  /** Users per client VM before Tsung starts another (<client maxusers>): its open-file budget. */
  maxUsersPerVm: number;
}

/** The seed device model, as bench/hold.ts runs it: 20 B every 15 s, 500 B every 60 s, ping 120 s. */
export const SEED = { heartbeatBytes: 20, heartbeatSeconds: 15, statusBytes: 500, statusSeconds: 60, keepaliveSeconds: 120 } as const;

/** Messages per second N devices send at the seed rates. */
export function scheduledRate(devices: number): number {
  return devices * (1 / SEED.heartbeatSeconds + 1 / SEED.statusSeconds);
}

/**
 * The room server echoes a {"type":"echo",…} frame without parsing it (a prefix check), so the
 * Tsung frames are those, padded to the seed size (a 20 B one cannot hold the envelope: 22 B).
 */
export function wsFrame(bytes: number): string {
  const head = '{"type":"echo","p":"';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - 2)) + '"}';
}

function serversXml(o: TsungConfigOptions): string {
  // Sessions pick a server at random by weight: equal weights spread devices over the shards.
  return o.ports.map((port) => `    <server host="127.0.0.1" port="${port}" type="tcp" weight="1"/>`).join('\n');
}

/** One send of `bytes`; QoS 1 publishes wait for the PUBACK, WebSocket messages for the echo. */
function sendXml(o: TsungConfigOptions, kind: 'hb' | 'st', bytes: number): string {
  if (o.protocol === 'ws') return `<request><websocket type="message" frame="text">${wsFrame(bytes)}</websocket></request>`;
  // subst: the topic names the device (%%_tsung_userid%% is Tsung's per-user id), as Fleetsim's do.
  return `<request subst="true"><mqtt type="publish" topic="bench/%%_tsung_userid%%/${kind}" qos="1">${'x'.repeat(bytes)}</mqtt></request>`;
}

/** Session variants: variant k sends its status with heartbeat k of each minute. */
export const SESSION_VARIANTS = SEED.statusSeconds / SEED.heartbeatSeconds;

/**
 * One device: connect, wait a random 1-15 s, then minutes of 4 heartbeats 15 s apart, heartbeat
 * k (the variant) with the status. Fleetsim jitters each timer's phase independently; a random
 * start plus an even spread of k gives Tsung's statuses a uniform phase in the minute too, so
 * neither comes in waves. MQTT pings are Tsung's own: ts_mqtt sends PINGREQ every `keepalive` s
 * after the CONNACK. Tsung's WebSocket plugin has no ping, so WebSocket devices send none.
 */
function sessionXml(o: TsungConfigOptions, k: number): string {
  const connect =
    o.protocol === 'ws'
      ? '<request><websocket type="connect" path="/"/></request>'
      : `<request><mqtt type="connect" clean_start="true" keepalive="${SEED.keepaliveSeconds}"/></request>`;
  const wait = `<thinktime value="${SEED.heartbeatSeconds}" random="false"/>`;
  const minute = Array.from({ length: SESSION_VARIANTS }, (_, i) =>
    [sendXml(o, 'hb', SEED.heartbeatBytes), ...(i === k ? [sendXml(o, 'st', SEED.statusBytes)] : []), wait].join('\n        '),
  ).join('\n        ');
  const minutes = Math.ceil(o.loadSeconds / SEED.statusSeconds) + 1;
  // Probabilities are percentages summing to 100 (4 variants: 25 each).
  const probability = 100 / SESSION_VARIANTS;
  return `    <session name="device-${k}" probability="${probability}" type="${o.protocol === 'ws' ? 'ts_websocket' : 'ts_mqtt'}">
      ${connect}
      <thinktime min="1" max="${SEED.heartbeatSeconds}"/>
      <for from="1" to="${minutes}" incr="1" var="minute">
        ${minute}
      </for>
    </session>`;
}

export function tsungConfigXml(o: TsungConfigOptions): string {
  if (!Number.isInteger(o.devices) || o.devices < 1) throw new RangeError(`devices: expected a positive integer, got ${o.devices}`);
  if (o.ports.length === 0 || o.sourceIps.length === 0) throw new RangeError('at least one port and one source address');
  // Client VMs on host 127.0.0.1, not use_controller_vm: one VM cannot hold 20k sockets under a
  // 20k open-file cap. With `tsung -I 127.0.0.1` the controller is tsung_controller@127.0.0.1, and
  // Erlang's slave module starts VMs on its own host without ssh.
  const ips = o.sourceIps.map((ip) => `      <ip value="${ip}"/>`).join('\n');
  // maxnumber ends the arrivals; the phase is given 3x the time they need plus 30 s, since Tsung
  // stops launching when a phase's time is up, and its launcher falls behind under load.
  // load@duration bounds the whole run.
  const rampSeconds = Math.ceil(o.devices / o.ramp) * 3 + 30;
  return `<?xml version="1.0"?>
<!DOCTYPE tsung SYSTEM "/usr/share/tsung/tsung-1.0.dtd">
<tsung loglevel="notice" version="1.0">
  <clients>
    <client host="127.0.0.1" cpu="${o.cpus}" maxusers="${o.maxUsersPerVm}">
${ips}
    </client>
  </clients>
  <servers>
${serversXml(o)}
  </servers>
  <load duration="${Math.ceil(o.loadSeconds)}" unit="second">
    <arrivalphase phase="1" duration="${rampSeconds}" unit="second">
      <users maxnumber="${o.devices}" arrivalrate="${o.ramp}" unit="second"/>
    </arrivalphase>
  </load>
  <sessions>
${Array.from({ length: SESSION_VARIANTS }, (_, k) => sessionXml(o, k)).join('\n')}
  </sessions>
</tsung>
`;
}

/**
 * Tsung's Erlang VMs for controller id `id` (tsung -i): the controller (-name
 * tsung_controller_<id>@127.0.0.1) and its client VMs (-master <that name>). Client VMs are
 * started -detached, so they are not the tsung process's children: /proc is searched instead.
 */
export function findTsungVms(id: string): { controller: number | undefined; clients: number[] } {
  const name = `tsung_controller_${id}@127.0.0.1`;
  let controller: number | undefined;
  const clients: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(join('/proc', entry, 'cmdline'), 'latin1').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (!args[0]?.endsWith('beam.smp')) continue;
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    if (args.includes('-name') && after('-name') === name) controller = Number(entry);
    else if (args.includes('-master') && after('-master') === name) clients.push(Number(entry));
  }
  return { controller, clients };
}

/**
 * The last value Tsung's text log (tsung.log, one dump every 10 s) gives a counter: for
 * `stats: connected 0 200` that is 200 (the running total; for `connected` the sockets open).
 */
export function tsungStat(log: string, name: string): number | undefined {
  const re = new RegExp(`^stats: ${name} (\\S+) (\\S+)$`, 'gm');
  let last: number | undefined;
  for (const m of log.matchAll(re)) last = Number(m[2]);
  return last;
}

/** RSS and CPU time so far of a process; zeros once it is gone (a VM that died holds nothing). */
export function procStatus(pid: number): { rssKB: number; cpuTicks: number } {
  if (!existsSync(`/proc/${pid}/stat`)) return { rssKB: 0, cpuTicks: 0 };
  const rssKB = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces, so split after ')'.
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(' ');
  return { rssKB, cpuTicks: Number(f[11]) + Number(f[12]) };
}

/**
 * Established client sockets towards the targets (Tsung's side of each connection). By full
 * address: a target's own socket to a client at 127.0.0.2:<same port number> matches a bare port.
 */
export function establishedTo(ports: number[]): number {
  const filter = `( ${ports.map((p) => `dst 127.0.0.1:${p}`).join(' or ')} )`;
  const out = execFileSync('ss', ['-Htn', 'state', 'established', filter], { encoding: 'utf8', maxBuffer: 256 << 20 });
  // Unique address pairs: a netlink dump is not atomic and may list a socket twice under churn.
  return new Set(out.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/).slice(2, 4).join(' '))).size;
}
