// The clients the target dropped (at its buffer cap, or shedding under overload), by the device
// id each connected as, handed to the parent with each stats message. A dropped slow reader never
// sees the close, so this is the only place its drop can be learnt from.
import { MAX_TARGET_DROPS_LISTED, type TargetDrop, type TargetDropCause } from '../contract/backpressure.ts';

export class DropLog {
  private pending: TargetDrop[] = [];
  private listed = 0;

  constructor(private readonly max = MAX_TARGET_DROPS_LISTED) {}

  /** One dropped client; one without a known device id (or past the limit) is only counted by its caller. */
  record(id: string | undefined, cause: TargetDropCause, at = Date.now()): void {
    if (id === undefined || this.listed >= this.max) return;
    this.listed++;
    this.pending.push({ id, cause, at });
  }

  /** The drops recorded since the last take. */
  take(): TargetDrop[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
