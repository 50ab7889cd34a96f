// One fleet over many machines: shard I of N runs a contiguous, disjoint slice of every group's
// device indices, so ids, topics and rooms are those of the same scenario on one machine.
// Shared by the CLI (--shard, --run-id, --start-at), the controller, the recorder, the metrics
// exporter (labels run and shard), `fleetsim k8s` (the pod command) and `fleetsim runs merge`.

export interface FleetShard {
  /** 0-based shard index. */
  index: number;
  /** Shards in the fleet (N ≥ 1). */
  count: number;
}

/** What every shard of one distributed run shares, and which part this process is. */
export interface DistributedRun {
  /** Shared by all shards: a label on every metric series and a field of every shard's run.json. */
  runId: string;
  shard: FleetShard;
  /** Epoch ms at which every shard starts its devices (timelines align to the second); absent: at once. */
  startAt?: number;
}

/** Run ids go into labels, file names and PromQL selectors: keep them plain. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The slice [first, first + count) of a group of `total` devices that shard `index` of `of` owns. */
export function shardSlice(total: number, shard: FleetShard): { first: number; count: number } {
  const base = Math.floor(total / shard.count);
  const extra = total % shard.count;
  const first = shard.index * base + Math.min(shard.index, extra);
  return { first, count: base + (shard.index < extra ? 1 : 0) };
}

/** Parses "I/N" (0 ≤ I < N); returns an error message instead when it is not one. */
export function parseShard(text: string): FleetShard | string {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  if (!m) return `expected I/N like "0/4" (shard I of N, counted from 0), got ${JSON.stringify(text)}`;
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1) return `N must be at least 1, got ${count}`;
  if (index >= count) return `shard index ${index} is out of range 0-${count - 1}`;
  return { index, count };
}
