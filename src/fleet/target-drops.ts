// The devices the embedded target dropped, as the fleet shows them: marked in the devices table,
// and counted among those still online at the end. A slow reader that reads nothing never sees
// the close, so it stays online in its own eyes: both truths are shown side by side.
import { MAX_SUMMARY_DROPS, type TargetDrop, type TargetDropCause } from '../contract/backpressure.ts';
import type { DevicePage, DeviceQuery } from '../contract/fleet-api.ts';
import { dedupeDrops } from '../runs/backpressure-summary.ts';

/** Device id → why the target dropped it (its first drop). */
export function dropCauses(drops: readonly TargetDrop[]): Map<string, TargetDropCause> {
  return new Map(dedupeDrops(drops).map((d) => [d.id, d.cause]));
}

/** The page with each row the target dropped marked (`targetDropped`). */
export function markTargetDrops(page: DevicePage, drops: readonly TargetDrop[] | undefined): DevicePage {
  if (!drops?.length) return page;
  const causes = dropCauses(drops);
  return { ...page, rows: page.rows.map((r) => (causes.has(r.id) ? { ...r, targetDropped: causes.get(r.id) } : r)) };
}

/**
 * Of the devices the target dropped, how many are online now and never disconnected: they did not
 * notice. Asks the hosts for each (so only up to MAX_SUMMARY_DROPS devices; null past that).
 */
export async function droppedStillOnline(drops: readonly TargetDrop[] | undefined, devices: (q: DeviceQuery) => Promise<DevicePage>): Promise<number | null> {
  const ids = [...dropCauses(drops ?? []).keys()];
  if (ids.length > MAX_SUMMARY_DROPS) return null;
  const online = await Promise.all(
    ids.map(async (id) => {
      const page = await devices({ state: 'online', search: id, offset: 0, limit: 1000 });
      return page.rows.some((r) => r.id === id && r.disconnects === 0);
    }),
  );
  return online.filter(Boolean).length;
}
