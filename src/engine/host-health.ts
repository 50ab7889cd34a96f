// The generator's own health: CPU, memory and event-loop lag. A saturated generator looks
// exactly like a broken server, so every batch says how the host itself is doing.
import type { RecordableHistogram } from 'node:perf_hooks';
import type { HostHealth } from '../contract/metrics.ts';

export class HostHealthSampler {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  /** `lag`: how late the host's timing wheel woke up, in µs (reset on every sample). */
  constructor(private readonly lag: RecordableHistogram) {}

  sample(devices: number): HostHealth {
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
    return health;
  }
}
