// Rows of the per-group table (live snapshot or a run's summary): one per group, the latency
// kinds any group recorded, and its drop reasons most frequent first.
import { LATENCY_KINDS, type LatencyKind } from '../../src/contract/metrics.ts';
import type { GroupStats } from '../../src/contract/snapshot.ts';

export interface GroupRow {
  name: string;
  stats: GroupStats;
  /** Drop reasons, most frequent first. */
  reasons: Array<[string, number]>;
}

export interface GroupTableModel {
  rows: GroupRow[];
  /** Latency kinds with samples in at least one group, in the contract's order. */
  kinds: LatencyKind[];
}

export function groupTable(groups: Record<string, GroupStats> | null | undefined): GroupTableModel {
  const rows = Object.entries(groups ?? {}).map(([name, stats]) => ({
    name,
    stats,
    reasons: Object.entries(stats.disconnectReasons)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  }));
  const kinds = LATENCY_KINDS.filter((k) => rows.some((r) => (r.stats.latency[k]?.count ?? 0) > 0));
  return { rows, kinds };
}
