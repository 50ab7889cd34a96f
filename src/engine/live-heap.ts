// The heap a host keeps alive: heapUsed sampled just after each full (mark-compact) collection.
// heapUsed alone saws up and down with garbage awaiting collection, so a slow leak hides in it
// for an hour; after a full collection only what is reachable remains. Watching collections
// costs an entry per scavenge, so hosts watch only when asked (the soak asks).
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export class LiveHeapWatch {
  private readonly observer: PerformanceObserver;
  /** Bytes in use after the latest full collection; undefined until one has happened. */
  bytes: number | undefined;

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.bytes = getHeapStatistics().used_heap_size;
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.observer.disconnect();
  }
}
