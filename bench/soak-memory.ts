// Memory over a soak: each host's RSS and heap as its batches report them, and their slope over
// the run as a least-squares line, in MB per hour. A host killed and restarted by a storm is a new
// process: its samples are split by pid, a restarted process is judged only after its own warm-up
// (it reconnects its devices and grows to its working size, as the first one did before `from`),
// and the longest stretch of one process is fitted. The heap is fitted through what a full
// collection left (heapLiveBytes, when hosts report it); otherwise through each window's lowest
// point, since the heap saws up and down with garbage between collections.
import type { MetricsBatch } from '../src/contract/metrics.ts';

export interface MemorySample {
  /** ms since epoch */
  at: number;
  pid: number;
  rssMB: number;
  heapMB: number;
  /** Heap after the latest full collection, when the host reports it. */
  heapLiveMB?: number;
}

export interface HostSlope {
  hostId: number;
  /** Minutes of samples the fit spans. */
  minutes: number;
  samples: number;
  rssMBPerHour: number;
  heapMBPerHour: number;
  firstRssMB: number;
  lastRssMB: number;
  firstHeapMB: number;
  lastHeapMB: number;
  /** live: fitted through the heap after full collections; floor: through each window's lowest heap. */
  heapMeasure: 'live' | 'floor';
}

/** Least-squares slope of y over x; 0 with fewer than two distinct x. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const k = points.length;
  if (k < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / k;
  const my = points.reduce((a, p) => a + p.y, 0) / k;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const MB = 1024 * 1024;
const HOUR_MS = 3_600_000;
const round1 = (x: number) => Math.round(x * 10) / 10;

export class MemoryTrack {
  private readonly hosts = new Map<number, MemorySample[]>();
  private readonly lastAt = new Map<number, number>();

  /** `everyMs`: keep one sample per host this often (an hour at 5 s is 720 per host). */
  constructor(private readonly everyMs: number) {}

  add(b: MetricsBatch): void {
    if ((this.lastAt.get(b.hostId) ?? 0) + this.everyMs > b.at) return;
    this.lastAt.set(b.hostId, b.at);
    const list = this.hosts.get(b.hostId) ?? [];
    const sample: MemorySample = { at: b.at, pid: b.health.pid, rssMB: b.health.rssBytes / MB, heapMB: b.health.heapUsedBytes / MB };
    if (b.health.heapLiveBytes !== undefined) sample.heapLiveMB = b.health.heapLiveBytes / MB;
    list.push(sample);
    this.hosts.set(b.hostId, list);
  }

  /**
   * Each host's slopes over its samples from `from` (ms since epoch) on; a process that started
   * later is fitted from `warmupMs` after its first sample. Heap floors per `windowMs`.
   */
  slopes(from: number, windowMs: number, warmupMs = 0): HostSlope[] {
    return [...this.hosts.entries()]
      .sort((a, b) => a[0] - b[0])
      .flatMap(([hostId, all]) => {
        const run = longestRun(all, from, warmupMs);
        if (run.length < 3) return [];
        const live = liveSamples(run);
        const heap = live.length >= 3 ? live.map((s) => ({ at: s.at, heapMB: s.heapLiveMB! })) : windowFloors(run, windowMs);
        const first = run[0];
        const last = run[run.length - 1];
        return [
          {
            hostId,
            minutes: round1((last.at - first.at) / 60_000),
            samples: run.length,
            rssMBPerHour: round1(slope(run.map((s) => ({ x: s.at / HOUR_MS, y: s.rssMB })))),
            heapMBPerHour: round1(slope(heap.map((s) => ({ x: s.at / HOUR_MS, y: s.heapMB })))),
            firstRssMB: round1(first.rssMB),
            lastRssMB: round1(last.rssMB),
            firstHeapMB: round1(heap[0].heapMB),
            lastHeapMB: round1(heap[heap.length - 1].heapMB),
            heapMeasure: live.length >= 3 ? 'live' : 'floor',
          },
        ];
      });
  }
}

/** The longest stretch of one process: the host's first from `from`, any later one after its warm-up. */
function longestRun(samples: MemorySample[], from: number, warmupMs: number): MemorySample[] {
  const byPid: MemorySample[][] = [];
  for (const s of samples) {
    const cur = byPid[byPid.length - 1];
    if (cur && cur[0].pid === s.pid) cur.push(s);
    else byPid.push([s]);
  }
  let best: MemorySample[] = [];
  byPid.forEach((run, i) => {
    const start = i === 0 ? from : Math.max(from, run[0].at + warmupMs);
    const kept = run.filter((s) => s.at >= start);
    if (kept.length > best.length) best = kept;
  });
  return best;
}

/** One sample per full collection seen (the live heap changes only when one happens). */
function liveSamples(run: MemorySample[]): MemorySample[] {
  return run.filter((s, i) => s.heapLiveMB !== undefined && (i === 0 || s.heapLiveMB !== run[i - 1].heapLiveMB));
}

/** The sample with the lowest heap in each window of `windowMs` (at least three windows when the run allows). */
function windowFloors(run: MemorySample[], windowMs: number): Array<{ at: number; heapMB: number }> {
  const span = run[run.length - 1].at - run[0].at;
  const w = Math.max(1, Math.min(windowMs, span / 3));
  const floors = new Map<number, MemorySample>();
  for (const s of run) {
    const k = Math.floor((s.at - run[0].at) / w);
    const f = floors.get(k);
    if (!f || s.heapMB < f.heapMB) floors.set(k, s);
  }
  return [...floors.values()];
}
