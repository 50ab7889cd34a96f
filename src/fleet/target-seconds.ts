// The embedded target's side of each timeline second: its buffers and slow clients as sampled,
// and what its since-start counters (dropped at the cap, refused over the accept rate, shed under
// overload) grew by since the second before. The timeline's per-second figures then add up to
// the target's own totals.
import type { TimelinePoint } from '../contract/snapshot.ts';
import type { TargetStats } from '../contract/target.ts';

type TargetFields = Pick<TimelinePoint, 'targetBufferedBytes' | 'targetMaxClientBufferedBytes' | 'targetSlowClients' | 'targetDropped' | 'targetRefused' | 'targetShed'>;

/** The target's since-start counters a second's figures are the growth of. */
interface Counted {
  dropped: number;
  refused: number;
  shed: number;
}

const counted = (s: TargetStats): Counted => ({ dropped: s.droppedSlowClients, refused: s.refusedByRate ?? 0, shed: s.shedByOverload ?? 0 });

export class TargetSeconds {
  private last: Counted = { dropped: 0, refused: 0, shed: 0 };

  /**
   * The target's figures for the second closing now, from its latest stats; only the buffered
   * bytes (0) without a target. Counts never go back (a lost shard's stop reporting): a second
   * is never negative, and the counts resume from where they were.
   */
  next(stats: TargetStats | null): TargetFields {
    if (!stats) return { targetBufferedBytes: 0 };
    const now = counted(stats);
    const grew = (k: keyof Counted) => Math.max(0, now[k] - this.last[k]);
    const fields: TargetFields = {
      targetBufferedBytes: stats.bufferedBytes,
      targetMaxClientBufferedBytes: stats.maxClientBufferedBytes,
      targetSlowClients: stats.slowClients,
      targetDropped: grew('dropped'),
      targetRefused: grew('refused'),
      targetShed: grew('shed'),
    };
    this.last = { dropped: Math.max(this.last.dropped, now.dropped), refused: Math.max(this.last.refused, now.refused), shed: Math.max(this.last.shed, now.shed) };
    return fields;
  }
}
