// What a fleet run is started with, and the defaults it runs with when not told.
import { availableParallelism } from 'node:os';
import type { DistributedRun } from '../contract/fleet-shard.ts';
import type { HostInit } from '../contract/host-protocol.ts';
import { ChildProcessLauncher, type Launcher } from './launcher.ts';

export interface ControllerOptions {
  launcher?: Launcher;
  /** Cores to size `hosts: auto` by; defaults to this machine's. */
  cores?: number;
  batchIntervalMs?: number;
  snapshotIntervalMs?: number;
  /** The run is recorded: hosts keep their event logs and device rows in this run directory. */
  record?: HostInit['record'];
  /** One shard of a fleet run over many machines: this process runs only its slice of every group. */
  distributed?: DistributedRun;
  /** Capacity search: devices let make their first connect at the start (default: all); see setAdmitLimit. */
  admitLimit?: number;
}

/** The run could not start; the message says why. */
export class StartError extends Error {}

export type RunSettings = Required<Pick<ControllerOptions, 'launcher' | 'cores' | 'batchIntervalMs' | 'snapshotIntervalMs'>> & Pick<ControllerOptions, 'record'>;

/** Child processes, this machine's cores, a batch and a snapshot every 250 ms. */
export function runSettings(options: ControllerOptions): RunSettings {
  return {
    launcher: options.launcher ?? new ChildProcessLauncher(),
    cores: options.cores ?? availableParallelism(),
    batchIntervalMs: options.batchIntervalMs ?? 250,
    snapshotIntervalMs: options.snapshotIntervalMs ?? 250,
    record: options.record,
  };
}
