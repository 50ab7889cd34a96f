// The generator's own health: CPU, memory and event-loop lag. A saturated generator looks
// exactly like a broken server, so every batch says how the host itself is doing.
import type { RecordableHistogram } from 'node:perf_hooks';
import type { HostHandles, HostHealth } from '../contract/metrics.ts';
import { LiveHeapWatch } from './live-heap.ts';

export class HostHealthSampler {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private handles: HostHandles | undefined;
  private readonly liveHeap = process.env.FLEETSIM_HOST_LIVE_HEAP === '1' ? new LiveHeapWatch() : null;

  /**
   * `lag`: how late the host's timing wheel woke up, in µs (reset on every sample).
   * `handlesEveryMs`: count open sockets and timers this often (0: never). Listing ~10k handles
   * takes a few ms of the loop, so it is off unless asked for (the soak asks).
   */
  constructor(
    private readonly lag: RecordableHistogram,
    private readonly handlesEveryMs = Number(process.env.FLEETSIM_HOST_HANDLES_EVERY_MS) || 0,
  ) {}

  sample(devices: number, wheelTimers = 0): HostHealth {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const wallUs = Math.max(1, (now - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const mem = process.memoryUsage();
    // setTimeout has millisecond granularity: a healthy loop wakes up to ~1 ms late.
    const lagMs = (us: number) => Math.max(0, Math.round((us / 1000 - 1) * 10) / 10);
    const health: HostHealth = {
      pid: process.pid,
      devices,
      cpuPct: Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      loopLagP99Ms: this.lag.count > 0 ? lagMs(this.lag.percentile(99)) : 0,
      loopLagMaxMs: this.lag.count > 0 ? lagMs(this.lag.max) : 0,
    };
    this.lag.reset();
    if (this.handlesEveryMs > 0) health.handles = this.countHandles(wheelTimers);
    if (this.liveHeap?.bytes !== undefined) health.heapLiveBytes = this.liveHeap.bytes;
    return health;
  }

  private countHandles(wheelTimers: number): HostHandles {
    const now = Date.now();
    if (this.handles && now - this.handles.at < this.handlesEveryMs) return this.handles;
    let sockets = 0;
    let timers = 0;
    for (const kind of process.getActiveResourcesInfo()) {
      if (kind === 'TCPSocketWrap') sockets++;
      else if (kind === 'Timeout') timers++;
    }
    this.handles = { at: now, sockets, timers, wheelTimers };
    return this.handles;
  }
}
