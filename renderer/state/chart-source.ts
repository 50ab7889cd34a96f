// What a timeline chart draws from: the live run (the app's TimelineBuffer and the run store's
// storms) or a past run read back from disk (its own buffer, filled once). Charts are the same
// components either way.
import type { TimelinePoint } from '../../src/contract/snapshot.ts';
import type { StormRecord } from '../../src/contract/storm.ts';
import { fleetStore, type FleetState } from './fleet-store.ts';
import { runStorms, stormsDrawKey } from './storms.ts';
import { TimelineBuffer, timeline } from './timeline.ts';

export interface ChartSource {
  readonly timeline: TimelineBuffer;
  /** Storms to mark on the charts. */
  storms(): readonly StormRecord[];
  /** The x axis spans at least this many seconds (the planned run length while live). */
  minSpanSec(): number;
  /** Called when the x range may have changed (a new run) or the storms changed; returns an unsubscribe. */
  subscribe(onChange: (what: 'run' | 'storms') => void): () => void;
  /** What an empty chart says. */
  readonly emptyText: string;
}

/**
 * How long the live run is planned to take. A capacity search's duration is only its outer
 * bound: it lasts at least one hold per step, and the axis grows past that if it runs longer.
 */
function plannedSpanMs(s: FleetState): number {
  if (s.capacity) return s.capacity.plan.stepDevices.length * s.capacity.plan.holdMs;
  return s.runScenario?.duration ?? 30_000;
}

/** The run in progress (or the last one): the app's timeline and the run store's storms. */
export const liveChartSource: ChartSource = {
  timeline,
  storms: () => runStorms(fleetStore.getState()),
  minSpanSec: () => plannedSpanMs(fleetStore.getState()) / 1000,
  subscribe(onChange) {
    let key = stormsDrawKey(runStorms(fleetStore.getState()));
    return fleetStore.subscribe((s, prev) => {
      if (s.runScenario !== prev.runScenario || s.capacity?.plan !== prev.capacity?.plan) onChange('run');
      const next = stormsDrawKey(runStorms(s));
      if (next !== key) {
        key = next;
        onChange('storms');
      }
    });
  },
  emptyText: 'waiting for data',
};

/** A past run: its timeline as recorded (the x axis ends where the run did) and its storms. */
export function recordedChartSource(points: readonly TimelinePoint[], storms: readonly StormRecord[]): ChartSource {
  const buffer = new TimelineBuffer();
  buffer.reset(points);
  return {
    timeline: buffer,
    storms: () => storms,
    minSpanSec: () => 0,
    subscribe: () => () => {},
    emptyText: 'no timeline was recorded',
  };
}
