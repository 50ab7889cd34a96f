// Backpressure over a whole run, worked out from its per-second timeline and the target's own
// totals, with the outcome said in plain sentences: what the summary, `--json` and the report
// carry. Pure functions: used when a run ends, when shards are merged, and for records written
// before the summary had it (from the timeline alone).
import { DEFAULT_SLOW_CLIENT_BYTES } from '../contract/target.ts';
import { MAX_SUMMARY_DROPS, type BackpressureSummary, type FleetBackpressureSummary, type TargetBackpressureSummary, type TargetDrop } from '../contract/backpressure.ts';
import type { TimelinePoint } from '../contract/snapshot.ts';
import { fmtBytes, fmtInt } from './report/report-format.ts';

/** Seconds looked back from the peak to say how fast the buffers grew. */
export const GROWTH_SECONDS = 10;

/** What only the target knows, at the end of the run. */
export interface TargetEnd {
  capBytes: number;
  /** Its counters since start: clients dropped at the cap, refused over the accept rate, shed under overload. */
  droppedSlowClients: number;
  refusedByRate: number;
  shedByOverload: number;
  /** The clients it dropped, by device id. */
  drops: readonly TargetDrop[];
  /** How many of them the fleet still counted online at the end (null: not known). */
  droppedButOnline: number | null;
}

export interface BackpressureInput {
  timeline: readonly TimelinePoint[];
  /** Held back over the run, the most slow readers at once (null: not recorded). */
  fleet: { heldBack: number; peakSlowReaders: number } | null;
  /** Null for an external target. */
  target: TargetEnd | null;
}

const maxOf = (points: readonly TimelinePoint[], f: (p: TimelinePoint) => number | undefined) => points.reduce((m, p) => Math.max(m, f(p) ?? 0), 0);
const sumOf = (points: readonly TimelinePoint[], f: (p: TimelinePoint) => number | undefined) => points.reduce((n, p) => n + (f(p) ?? 0), 0);

/** "1 MB" rather than "1.0 MB" for round sizes. */
const bytes = (n: number) => fmtBytes(n).replace(/\.0 /, ' ');
const plural = (n: number, one: string, many = `${one}s`) => `${fmtInt(n)} ${n === 1 ? one : many}`;

function fleetSide(input: BackpressureInput): FleetBackpressureSummary {
  return {
    peakWriteQueueBytes: maxOf(input.timeline, (p) => p.writeQueueBytes),
    peakInflight: maxOf(input.timeline, (p) => p.inflight),
    heldBack: input.fleet?.heldBack ?? 0,
    peakSlowReaders: input.fleet?.peakSlowReaders ?? 0,
  };
}

/**
 * The peak of the target's buffers; how fast they grew up to it (over the GROWTH_SECONDS before
 * it, from the first of those seconds that held anything); and whether they were still growing
 * when the run ended: nothing after the peak fell back, but the run's final row (taken once the
 * devices had gone, so holding nothing).
 */
function bufferGrowth(timeline: readonly TimelinePoint[]): { peak: number; peakIndex: number; growth: number; stillGrowing: boolean } {
  let peakIndex = -1;
  timeline.forEach((p, i) => {
    if (peakIndex < 0 || p.targetBufferedBytes > timeline[peakIndex].targetBufferedBytes) peakIndex = i;
  });
  if (peakIndex < 0) return { peak: 0, peakIndex: -1, growth: 0, stillGrowing: false };
  const peakPoint = timeline[peakIndex];
  const window = timeline.slice(0, peakIndex).filter((p) => p.t >= peakPoint.t - GROWTH_SECONDS);
  const from = window.find((p) => p.targetBufferedBytes > 0) ?? window[window.length - 1] ?? peakPoint;
  const span = peakPoint.t - from.t;
  const growth = span > 0 ? Math.max(0, (peakPoint.targetBufferedBytes - from.targetBufferedBytes) / span) : 0;
  const after = timeline.slice(peakIndex + 1, -1);
  const stillGrowing = growth > 0 && after.length <= 2 && peakPoint.targetBufferedBytes >= DEFAULT_SLOW_CLIENT_BYTES && after.every((p) => p.targetBufferedBytes >= peakPoint.targetBufferedBytes * 0.9);
  return { peak: peakPoint.targetBufferedBytes, peakIndex, growth: Math.round(growth), stillGrowing };
}

function targetSide(timeline: readonly TimelinePoint[], end: TargetEnd): TargetBackpressureSummary {
  const g = bufferGrowth(timeline);
  const drops = dedupeDrops(end.drops);
  return {
    capBytes: end.capBytes,
    peakBufferedBytes: g.peak,
    peakAtSecond: g.peakIndex >= 0 ? timeline[g.peakIndex].t : 0,
    peakMaxClientBufferedBytes: maxOf(timeline, (p) => p.targetMaxClientBufferedBytes),
    peakSlowClients: maxOf(timeline, (p) => p.targetSlowClients),
    growthBytesPerSec: g.growth,
    stillGrowing: g.stillGrowing,
    droppedSlowClients: end.droppedSlowClients,
    refusedByRate: end.refusedByRate,
    shedByOverload: end.shedByOverload,
    droppedDevices: drops.slice(0, MAX_SUMMARY_DROPS),
    droppedDevicesCount: drops.length,
    droppedButOnline: end.droppedButOnline,
  };
}

/** One entry per device (its first drop): a device dropped, back and dropped again is one device. */
export function dedupeDrops(drops: readonly TargetDrop[]): TargetDrop[] {
  const seen = new Map<string, TargetDrop>();
  for (const d of drops) if (!seen.has(d.id)) seen.set(d.id, d);
  return [...seen.values()];
}

function targetOutcome(t: TargetBackpressureSummary): string {
  const out: string[] = [];
  const readers = t.droppedSlowClients === 1 ? 'slow reader' : 'slow readers';
  if (t.droppedSlowClients > 0) {
    const cap = t.capBytes > 0 ? ` at its ${bytes(t.capBytes)} cap` : ' at its cap';
    out.push(`The target dropped ${fmtInt(t.droppedSlowClients)} ${readers}${cap}; its buffers peaked at ${bytes(t.peakBufferedBytes)} (largest client ${bytes(t.peakMaxClientBufferedBytes)}).`);
    if (t.droppedButOnline !== null && t.droppedButOnline > 0) {
      out.push(`${plural(t.droppedButOnline, 'of them still counts itself', 'of them still count themselves')} online: they read nothing, so never saw the close.`);
    }
  } else if (t.stillGrowing) {
    const who = t.peakSlowClients > 0 ? ` for ${plural(t.peakSlowClients, 'reader')} that stopped reading` : '';
    out.push(`The target held ${bytes(t.peakBufferedBytes)}${who} and kept growing at ${bytes(t.growthBytesPerSec)}/s.`);
  } else if (t.peakBufferedBytes >= DEFAULT_SLOW_CLIENT_BYTES || t.peakSlowClients > 0) {
    out.push(`The target's buffers peaked at ${bytes(t.peakBufferedBytes)} at ${t.peakAtSecond}s (largest client ${bytes(t.peakMaxClientBufferedBytes)}, ${plural(t.peakSlowClients, 'slow client')} at most), then stopped growing.`);
  } else if (t.refusedByRate > 0 || t.shedByOverload > 0) {
    out.push(`No slow readers at the target: its buffers peaked at ${bytes(t.peakBufferedBytes)}.`);
  } else {
    out.push(`No backpressure at the target: its buffers peaked at ${bytes(t.peakBufferedBytes)} and no client was dropped.`);
  }
  if (t.refusedByRate > 0) out.push(`It refused ${plural(t.refusedByRate, 'connection')} over its accept rate.`);
  if (t.shedByOverload > 0) out.push(`It shed ${plural(t.shedByOverload, 'client')} while overloaded.`);
  return out.join(' ');
}

/** What an external target's record cannot say, and how a run can still find it out. */
export const EXTERNAL_TARGET_NOTE =
  "The target is external: its buffers and the clients it dropped cannot be seen from the client side. A device the target dropped while it read nothing still counts itself online; a keepalive (MQTT keepalive with PINGREQ) or a ping the target must answer reveals it, as the device then times out and reconnects.";

function fleetOutcome(f: FleetBackpressureSummary): string {
  const parts: string[] = [];
  if (f.peakWriteQueueBytes > 0) parts.push(`write queues peaked at ${bytes(f.peakWriteQueueBytes)}`);
  if (f.peakInflight > 0) parts.push(`${fmtInt(f.peakInflight)} QoS 1 messages in flight at most`);
  if (f.heldBack > 0) parts.push(`${fmtInt(f.heldBack)} held back by full windows`);
  if (f.peakSlowReaders > 0) parts.push(`${plural(f.peakSlowReaders, 'device')} reading slowly`);
  return parts.length ? `Fleet: ${parts.join(', ')}.` : '';
}

export function outcomeText(fleet: FleetBackpressureSummary, target: TargetBackpressureSummary | null): string {
  return [target ? targetOutcome(target) : EXTERNAL_TARGET_NOTE, fleetOutcome(fleet)].filter(Boolean).join(' ');
}

export function summarizeBackpressure(input: BackpressureInput): BackpressureSummary {
  const fleet = fleetSide(input);
  const target = input.target ? targetSide(input.timeline, input.target) : null;
  return { fleet, target, outcome: outcomeText(fleet, target) };
}

/**
 * For a record without a backpressure summary (older versions, or no summary at all): what its
 * timeline tells. The target's totals are the per-second counts added up (0 when the timeline
 * predates them); null when the timeline says nothing of backpressure.
 */
export function backpressureFromTimeline(timeline: readonly TimelinePoint[], embedded: boolean): BackpressureSummary | null {
  const anything = timeline.some((p) => p.targetBufferedBytes > 0 || p.writeQueueBytes > 0 || p.inflight > 0 || p.targetSlowClients !== undefined);
  if (!anything) return null;
  const target: TargetEnd | null = embedded
    ? {
        capBytes: 0,
        droppedSlowClients: sumOf(timeline, (p) => p.targetDropped),
        refusedByRate: sumOf(timeline, (p) => p.targetRefused),
        shedByOverload: sumOf(timeline, (p) => p.targetShed),
        drops: [],
        droppedButOnline: null,
      }
    : null;
  return summarizeBackpressure({ timeline, fleet: null, target });
}

/** The shards' backpressure as one run's: totals added, peaks from the merged timeline. */
export function mergeBackpressure(parts: readonly (BackpressureSummary | undefined)[], timeline: readonly TimelinePoint[]): BackpressureSummary | undefined {
  const present = parts.filter((p): p is BackpressureSummary => p !== undefined);
  if (present.length === 0) return undefined;
  const targets = present.map((p) => p.target).filter((t): t is TargetBackpressureSummary => t !== null);
  const sum = (f: (t: TargetBackpressureSummary) => number) => targets.reduce((n, t) => n + f(t), 0);
  const known = targets.filter((t) => t.droppedButOnline !== null);
  const target: TargetEnd | null = targets.length
    ? {
        capBytes: Math.max(...targets.map((t) => t.capBytes)),
        droppedSlowClients: sum((t) => t.droppedSlowClients),
        refusedByRate: sum((t) => t.refusedByRate),
        shedByOverload: sum((t) => t.shedByOverload),
        drops: targets.flatMap((t) => t.droppedDevices),
        droppedButOnline: known.length ? known.reduce((n, t) => n + (t.droppedButOnline ?? 0), 0) : null,
      }
    : null;
  const fleet = { heldBack: present.reduce((n, p) => n + p.fleet.heldBack, 0), peakSlowReaders: present.reduce((n, p) => n + p.fleet.peakSlowReaders, 0) };
  const merged = summarizeBackpressure({ timeline, fleet, target });
  if (merged.target) merged.target.droppedDevicesCount = sum((t) => t.droppedDevicesCount);
  return merged;
}
