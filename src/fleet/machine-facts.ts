// What this machine allows a run: open files per process, the ephemeral port range, listen
// backlogs, memory available, cores. Read where Linux shows them; null where it does not (the
// preflight then says it could not check rather than guessing).
import { readFileSync } from 'node:fs';
import { availableParallelism, freemem, networkInterfaces } from 'node:os';
import { readFdLimit, type FdLimit } from '../shared/fd-limit.ts';

export interface MachineFacts {
  fdLimit: FdLimit | null;
  /** net.ipv4.ip_local_port_range */
  portRange: [number, number] | null;
  /** net.core.somaxconn: the cap on any listen backlog. */
  somaxconn: number | null;
  /** net.ipv4.tcp_max_syn_backlog */
  synBacklog: number | null;
  memAvailableBytes: number;
  cores: number;
  /** The addresses of this machine's interfaces (IPv6 in canonical form); absent: not checked. */
  localAddresses?: string[] | null;
  /** Linux answers on all of 127.0.0.0/8, not only on the addresses its lo interface lists. */
  wholeLoopbackNet?: boolean;
}

/** One spelling per address: IPv6 canonical ("0:0::1" is "::1"), IPv4 as is. */
export function canonicalAddress(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

function interfaceAddresses(): string[] | null {
  try {
    return Object.values(networkInterfaces()).flatMap((list) => list ?? []).map((i) => canonicalAddress(i.address));
  } catch {
    return null;
  }
}

function readNumbers(file: string): number[] | null {
  try {
    const nums = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return nums.every(Number.isFinite) ? nums : null;
  } catch {
    return null;
  }
}

function memAvailable(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

export function readMachineFacts(): MachineFacts {
  const range = readNumbers('/proc/sys/net/ipv4/ip_local_port_range');
  return {
    fdLimit: readFdLimit(),
    portRange: range && range.length === 2 ? [range[0], range[1]] : null,
    somaxconn: readNumbers('/proc/sys/net/core/somaxconn')?.[0] ?? null,
    synBacklog: readNumbers('/proc/sys/net/ipv4/tcp_max_syn_backlog')?.[0] ?? null,
    memAvailableBytes: memAvailable(),
    cores: availableParallelism(),
    localAddresses: interfaceAddresses(),
    wholeLoopbackNet: process.platform === 'linux',
  };
}
