// Shrinks a long series for drawing without losing its spikes: the points are cut into buckets
// and each bucket keeps its lowest and highest point, in time order. A one-second dip or burst in
// a 24-hour run still shows, where evenly picking every n-th second would step over it.

export interface XY {
  t: number;
  /** null: no value in this second (a gap in the line). */
  v: number | null;
}

/** At most `max` points of `points` (sorted by t); a bucket with no value at all
 * becomes a gap (one null point). */
export function downsample(points: readonly XY[], max: number): XY[] {
  if (points.length <= max) return points.slice();
  const buckets = Math.max(1, Math.floor(max / 2));
  const size = points.length / buckets;
  const out: XY[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(points.length, Math.floor((b + 1) * size));
    let lo: XY | null = null;
    let hi: XY | null = null;
    for (let i = from; i < to; i++) {
      const p = points[i];
      if (p.v === null) continue;
      if (!lo || p.v < lo.v!) lo = p;
      if (!hi || p.v > hi.v!) hi = p;
    }
    if (!lo || !hi) {
      if (out.length === 0 || out[out.length - 1].v !== null) out.push({ t: points[from].t, v: null });
      continue;
    }
    if (lo === hi) out.push(lo);
    else if (lo.t <= hi.t) out.push(lo, hi);
    else out.push(hi, lo);
  }
  return out;
}
