// Supervision of a run's device host processes: launches them through a Launcher, routes their
// events, notices a host that is lost, asks them questions with typed answers, kills one on
// purpose (a storm), and stops them all. What a run does with their batches is the caller's.
import type { HostCommand, HostEvent, HostInit, RequestKind, RequestOf, ResponseOf, Shard } from '../contract/host-protocol.ts';
import type { MetricsBatch } from '../contract/metrics.ts';
import { HostRequestError, HostRequests, HostTimeoutError } from './host-requests.ts';
import type { HostSlot } from './host-slot.ts';
import type { ChildHandle, Launcher } from './launcher.ts';

export { HostRequestError, HostTimeoutError } from './host-requests.ts';

/** How long a launched host has to say it is ready. */
export const HOST_READY_TIMEOUT_MS = 15_000;
/** How long a host has to answer a question (a device log, a page, a storm). */
export const HOST_ANSWER_TIMEOUT_MS = 5_000;
/** How long a host told to stop has to close its devices and exit before it is killed. */
export const HOST_STOP_GRACE_MS = 8_000;

export interface HostTimeouts {
  readyMs: number;
  answerMs: number;
  stopGraceMs: number;
}

export interface HostPoolHooks {
  /** The init message for a host being launched (or launched again after a kill). */
  init(hostId: number, shards: Shard[]): HostInit;
  /** A metrics batch from a host that is not lost. */
  batch(batch: MetricsBatch): void;
  /** A host died without being told to stop (`reason`: how, and why if it said); `everyHostLost`: none is left and none is being restarted. */
  lost(host: HostSlot, reason: string, everyHostLost: boolean): void;
}

/** What asks hosts questions (the pool; a page of devices needs only this). */
export interface HostAsker {
  ask<K extends RequestKind>(hostId: number, request: RequestOf<K> & { type: K }): Promise<ResponseOf<K>>;
}

interface PooledHost extends HostSlot {
  handle: ChildHandle<HostCommand, HostEvent>;
  exited: Promise<void>;
  /** Killed on purpose by a storm that starts it again: its loss alone does not end the run. */
  restarting: boolean;
}

export class HostPool implements HostAsker {
  private readonly hosts: PooledHost[] = [];
  private readonly timeouts: HostTimeouts;
  private readonly requests: HostRequests;

  constructor(
    private readonly launcher: Launcher,
    private readonly hooks: HostPoolHooks,
    timeouts: Partial<HostTimeouts> = {},
  ) {
    this.timeouts = { readyMs: HOST_READY_TIMEOUT_MS, answerMs: HOST_ANSWER_TIMEOUT_MS, stopGraceMs: HOST_STOP_GRACE_MS, ...timeouts };
    this.requests = new HostRequests(this.timeouts.answerMs);
  }

  /** Every host launched, by host id (a restarted host's slot is its successor's). */
  get slots(): readonly Readonly<HostSlot>[] {
    return this.hosts;
  }

  /** Questions sent and not yet settled. */
  get openRequests(): number {
    return this.requests.open;
  }

  /** Launches one host per entry of `shards`; resolves once every one is ready, rejects with the first that is not. */
  async launch(shards: Shard[][]): Promise<void> {
    await Promise.all(shards.map((hostShards, hostId) => this.launchOne(hostId, hostShards)));
  }

  /** Tells every host to start its devices. */
  startAll(): void {
    for (const h of this.hosts) this.start(h);
  }

  send(hostId: number, command: HostCommand): void {
    this.hosts[hostId]?.handle.send(command);
  }

  /** Sends a command (or one built for each host) to every host that is still there. */
  broadcast(command: HostCommand | ((host: HostSlot) => HostCommand)): void {
    for (const h of this.hosts) {
      if (h.state !== 'lost' && h.state !== 'stopped') h.handle.send(typeof command === 'function' ? command(h) : command);
    }
  }

  /** Asks one host a question; rejects (HostTimeoutError, HostRequestError) when no fitting answer comes. */
  ask<K extends RequestKind>(hostId: number, request: RequestOf<K> & { type: K }): Promise<ResponseOf<K>> {
    const host = this.hosts[hostId];
    if (!host) return Promise.reject(new HostRequestError(`no host ${hostId}`));
    if (host.state === 'lost' || host.state === 'stopped') return Promise.reject(new HostRequestError(`host ${hostId} is ${host.state}`));
    return this.requests.ask<K>(hostId, request, (command) => host.handle.send(command));
  }

  /** Kills a running host (SIGKILL, like a crash) and resolves once it is gone; `restarting`: relaunch() follows. */
  async kill(hostId: number, restarting: boolean): Promise<void> {
    const host = this.hosts[hostId];
    if (!host) throw new Error(`no host ${hostId} (hosts: 0-${this.hosts.length - 1})`);
    if (host.state !== 'running') throw new Error(`host ${hostId} is ${host.state}`);
    host.restarting = restarting;
    host.handle.kill('SIGKILL');
    await host.exited;
  }

  /** A new host for a killed one's shard, started as soon as it is ready. */
  async relaunch(hostId: number): Promise<void> {
    await this.launchOne(hostId, this.hosts[hostId].shards);
    this.start(this.hosts[hostId]);
  }

  /** Asks every live host to stop, kills those still there after the grace time, and fails open questions. */
  async teardown(): Promise<void> {
    for (const h of this.hosts) {
      if (h.state === 'lost' || h.state === 'stopped') continue;
      h.state = 'stopping';
      h.handle.send({ type: 'stop', reason: 'run ended' });
    }
    await Promise.all(
      this.hosts.map(async (h) => {
        const timer = setTimeout(() => h.handle.kill('SIGKILL'), this.timeouts.stopGraceMs);
        await h.exited;
        clearTimeout(timer);
      }),
    );
    this.requests.cancelAll('the run ended');
  }

  private start(host: PooledHost): void {
    host.state = 'running';
    host.handle.send({ type: 'start' });
  }

  private launchOne(hostId: number, shards: Shard[]): Promise<void> {
    const handle = this.launcher.launch<HostCommand, HostEvent>('host', `host-${hostId}`);
    let markExited!: () => void;
    const exited = new Promise<void>((r) => (markExited = r));
    const host: PooledHost = { hostId, handle, shards, devices: shards.reduce((n, s) => n + s.count, 0), state: 'starting', pid: handle.pid ?? null, exited, restarting: false };
    this.hosts[hostId] = host;
    return new Promise<void>((resolve, reject) => {
      const { readyMs } = this.timeouts;
      const timer = setTimeout(() => reject(new HostTimeoutError('readyMs', readyMs, `host ${hostId} did not start`)), readyMs);
      handle.onMessage((event) => {
        if (event.type === 'ready') {
          clearTimeout(timer);
          host.pid = event.pid;
          resolve();
        } else if (event.type === 'fatal' && host.state === 'starting') {
          clearTimeout(timer);
          reject(new Error(`host ${hostId}: ${event.message}`));
        }
        this.route(host, event);
      });
      handle.onExit((code, signal) => {
        clearTimeout(timer);
        markExited();
        if (host.state === 'starting') reject(new Error(`host ${hostId} exited during start (${signal ?? `code ${code}`})`));
        else if (host.state !== 'stopped' && host.state !== 'stopping') this.lose(host, signal ? `killed by ${signal}` : `exited with code ${code}`);
        else host.state = 'stopped';
      });
      handle.send({ type: 'init', init: this.hooks.init(hostId, shards) });
    });
  }

  private route(host: PooledHost, event: HostEvent): void {
    switch (event.type) {
      case 'batch':
        if (host.state !== 'lost') this.hooks.batch(event.batch);
        break;
      case 'device-log':
      case 'device-counts':
      case 'device-rows':
      case 'storm-done':
        this.requests.answer(host.hostId, event.reqId, event);
        break;
      case 'stopped':
        host.state = 'stopped';
        break;
      case 'fatal':
        // Kept for the loss report: the exit that follows says how, this says why.
        host.lostReason = event.message.split('\n')[0];
        break;
      case 'ready':
        break;
    }
  }

  private lose(host: PooledHost, how: string): void {
    host.lostReason = host.lostReason ? `${how}: ${host.lostReason}` : how;
    host.state = 'lost';
    this.requests.failHost(host.hostId, `it was lost (${host.lostReason})`);
    this.hooks.lost(host, host.lostReason, !host.restarting && this.hosts.every((h) => h.state === 'lost'));
  }
}
