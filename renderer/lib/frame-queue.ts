// Work that can wait a frame or two, spread over animation frames so that no frame carries all
// of it: the charts' redraws after a timeline point (seven charts over an hour of points, redrawn
// in the task that applied the point, took up to 49 ms there, and made long tasks of up to 190 ms
// with the snapshot render beside them; a few per frame do not). Jobs are keyed: a newer job for a key
// replaces the one still waiting. Each frame runs jobs until it has spent its budget, at least
// one, oldest first; the rest wait for the next frame.

export interface FrameQueueOptions {
  /** Time a frame may spend on jobs before leaving the rest to the next one. */
  budgetMs?: number;
  requestFrame?: (run: () => void) => void;
  now?: () => number;
}

export class FrameQueue {
  private readonly jobs = new Map<unknown, () => void>();
  private requested = false;
  private readonly budgetMs: number;
  private readonly requestFrame: (run: () => void) => void;
  private readonly now: () => number;

  constructor(options: FrameQueueOptions = {}) {
    this.budgetMs = options.budgetMs ?? 8;
    this.requestFrame = options.requestFrame ?? ((run) => requestAnimationFrame(run));
    this.now = options.now ?? (() => performance.now());
  }

  /** Runs `job` in a coming frame, instead of any job still waiting under `key`. */
  schedule(key: unknown, job: () => void): void {
    // Re-inserted: a key waits from its newest job, so a busy key cannot starve the others.
    this.jobs.delete(key);
    this.jobs.set(key, job);
    this.request();
  }

  cancel(key: unknown): void {
    this.jobs.delete(key);
  }

  get pending(): number {
    return this.jobs.size;
  }

  /** Runs the waiting jobs within one frame's budget (what a frame does; tests call it). */
  runFrame(): void {
    this.requested = false;
    const started = this.now();
    for (const [key, job] of this.jobs) {
      this.jobs.delete(key);
      try {
        job();
      } catch (err) {
        console.error('a deferred redraw failed', err);
      }
      if (this.now() - started >= this.budgetMs) break;
    }
    if (this.jobs.size > 0) this.request();
  }

  private request(): void {
    if (this.requested) return;
    this.requested = true;
    this.requestFrame(() => this.runFrame());
  }
}

/** The app's queue for chart redraws. */
export const chartFrames = new FrameQueue();
