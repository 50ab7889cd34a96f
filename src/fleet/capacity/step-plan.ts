// The device counts a capacity search steps through: cumulative totals, each step adding the
// step size (a count or a share of the fleet, rounded to whole devices, at least one), the last
// step exactly the total (or --until).
import type { CapacityPlanInput } from '../../contract/capacity.ts';

/** Most steps one search may take: a 0.01% step on a large fleet would never end. */
export const MAX_STEPS = 1000;

export function planSteps(totalDevices: number, input: Pick<CapacityPlanInput, 'step' | 'untilDevices'>): number[] {
  const top = Math.min(totalDevices, input.untilDevices ?? totalDevices);
  if (top <= 0) return [];
  const size = typeof input.step === 'number' ? input.step : Math.round((totalDevices * input.step.percent) / 100);
  const step = Math.max(1, Math.floor(size));
  if (Math.ceil(top / step) > MAX_STEPS) throw new RangeError(`a step of ${step} device(s) makes ${Math.ceil(top / step)} steps to ${top}; at most ${MAX_STEPS}: use a larger step`);
  const out: number[] = [];
  for (let n = step; n < top; n += step) out.push(n);
  out.push(top);
  return out;
}

/**
 * Splits a fleet-wide admit limit over hosts in proportion to their devices (largest remainder),
 * never giving a host more than it has.
 */
export function splitAdmitLimit(limit: number, hostDevices: number[]): number[] {
  const total = hostDevices.reduce((a, b) => a + b, 0);
  if (total === 0) return hostDevices.map(() => 0);
  const capped = Math.min(limit, total);
  const exact = hostDevices.map((d) => (capped * d) / total);
  const out = exact.map(Math.floor);
  let left = capped - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    if (out[i] < hostDevices[i]) {
      out[i]++;
      left--;
    }
  }
  return out;
}
