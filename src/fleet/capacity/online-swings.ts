// Does the fleet's online count swing? A fleet the target (or the generator) cannot hold often
// climbs, loses a slice of its devices, climbs back as they reconnect, and loses them again: a
// run that oscillates instead of settling. Read off the timeline's online series, one point a second.

/** A fall counts once online drops this share of its last high (and at least MIN_FALL_DEVICES). */
export const FALL_SHARE = 0.05;
export const MIN_FALL_DEVICES = 10;

export interface OnlineSwings {
  peak: number;
  /** Seconds (timeline t) when the peak was first reached. */
  peakAt: number;
  /** Falls of at least FALL_SHARE from a high; a fall ends once online climbs back half the way. */
  falls: number;
  /** The lowest online seen after the peak. */
  lowestAfterPeak: number;
  /** Online at the last point. */
  last: number;
  /** Repeated falls, or a fall after the peak it never climbed back from. */
  oscillating: boolean;
  /** In words, when oscillating: "online fell 3 times by 5% or more (peak 40,280 at 212 s, down to 31,004)". */
  detail: string | null;
}

const n = (x: number) => x.toLocaleString('en-US');

export function onlineSwings(points: ReadonlyArray<{ t: number; online: number }>): OnlineSwings {
  let peak = 0;
  let peakAt = 0;
  for (const p of points) if (p.online > peak) [peak, peakAt] = [p.online, p.t];
  let lowestAfterPeak = peak;
  let falls = 0;
  let high = 0;
  let low = 0;
  let falling = false;
  for (const p of points) {
    if (p.t >= peakAt) lowestAfterPeak = Math.min(lowestAfterPeak, p.online);
    if (!falling) {
      high = Math.max(high, p.online);
      if (high - p.online >= Math.max(MIN_FALL_DEVICES, high * FALL_SHARE)) {
        falling = true;
        falls++;
        low = p.online;
      }
    } else {
      low = Math.min(low, p.online);
      // Back half the way up: the fall is over; the next one is counted from the new high.
      if (p.online >= low + (high - low) / 2) {
        falling = false;
        high = p.online;
      }
    }
  }
  const last = points.length ? points[points.length - 1].online : 0;
  const collapsed = peak - lowestAfterPeak >= Math.max(MIN_FALL_DEVICES, peak * FALL_SHARE) && falling;
  const oscillating = falls >= 2 || collapsed;
  const detail = !oscillating
    ? null
    : falls >= 2
      ? `online fell ${falls} times by ${FALL_SHARE * 100}% or more (peak ${n(peak)} at ${peakAt} s, down to ${n(lowestAfterPeak)} after it, ${n(last)} at the end)`
      : `online fell after its peak and did not climb back (peak ${n(peak)} at ${peakAt} s, down to ${n(lowestAfterPeak)}, ${n(last)} at the end)`;
  return { peak, peakAt, falls, lowestAfterPeak, last, oscillating, detail };
}
