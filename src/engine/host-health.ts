// The generator's own health: CPU, memory and event-loop lag. A saturated generator looks
// exactly like a broken server, so every batch says how the host itself is doing.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { HostHealth } from '../contract/metrics.ts';

export class HostHealthSampler {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor() {
    this.loop.enable();
  }

  sample(devices: number): HostHealth {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const wallUs = Math.max(1, (now - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const mem = process.memoryUsage();
    // The histogram's floor is the sampling resolution (10 ms); report lag beyond it.
    const lagMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - 10) * 10) / 10);
    const health: HostHealth = {
      pid: process.pid,
      devices,
      cpuPct: Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      loopLagP99Ms: this.loop.count > 0 ? lagMs(this.loop.percentile(99)) : 0,
      loopLagMaxMs: this.loop.count > 0 ? lagMs(this.loop.max) : 0,
    };
    this.loop.reset();
    return health;
  }

  stop(): void {
    this.loop.disable();
  }
}
