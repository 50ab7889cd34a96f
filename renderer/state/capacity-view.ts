// What the Capacity panel shows of a search: one row per planned step (finished, current or still
// to come), what the search does now, and who gave out in words. Pure; no DOM, no React.
import type { CapacityProgress, CapacityStep, CapacityWho } from '../../src/contract/capacity.ts';

export type CapacityRow =
  | { kind: 'done'; index: number; devices: number; step: CapacityStep }
  | { kind: 'current'; index: number; devices: number; stage: string }
  | { kind: 'planned'; index: number; devices: number };

/** Steps still to come beyond this many are summed up in one line. */
export const PLANNED_SHOWN = 3;

export function capacityRows(p: CapacityProgress): { rows: CapacityRow[]; morePlanned: number } {
  const rows: CapacityRow[] = p.steps.map((step) => ({ kind: 'done', index: step.index, devices: step.devices, step }));
  if (p.result) return { rows, morePlanned: 0 };
  const next = p.steps.length + 1;
  let planned = 0;
  p.plan.stepDevices.forEach((devices, i) => {
    const index = i + 1;
    if (index < next) return;
    if (p.phase && index === p.phase.step) rows.push({ kind: 'current', index, devices, stage: p.phase.stage });
    else if (planned++ < PLANNED_SHOWN) rows.push({ kind: 'planned', index, devices });
  });
  return { rows, morePlanned: Math.max(0, planned - PLANNED_SHOWN) };
}

export const WHO_TEXT: Record<CapacityWho, string> = { target: 'the target', generator: 'the generator', none: 'nobody' };

/** "step 2 of 4 · holding 200 devices for 60 s"; the start and the end in words too. */
export function capacityPhaseText(p: CapacityProgress): string {
  if (p.result) return `ended: ${p.result.ended === 'knee' ? 'knee found' : p.result.ended === 'completed' ? 'every step held' : p.result.ended}`;
  const ph = p.phase;
  if (!ph) return 'starting the fleet';
  const what = ph.stage === 'admitting' ? `admitting up to ${ph.devices} devices` : ph.stage === 'holding' ? `holding ${ph.devices} devices for ${p.plan.holdMs / 1000} s` : `judging ${ph.devices} devices`;
  return `step ${ph.step} of ${ph.of} · ${what}`;
}

const pct = (n: number) => `${Math.round(n * 100) / 100}%`;

/** A step's connect failures as "3 (1.5%)". */
export function failuresText(s: CapacityStep): string {
  return s.connectFailures === 0 ? '0' : `${s.connectFailures} (${pct(s.attempts ? (s.connectFailures / s.attempts) * 100 : 0)})`;
}
