// Judges one step against the criteria, and says who gave out: when the generator itself was
// saturated its figures measure Fleetsim as much as the target, so it is named first; otherwise
// latency, refusals and drops are the target's.
import type { CapacityCriteria, CapacityFailure, CapacityWho } from '../../contract/capacity.ts';
import type { WindowFigures } from './step-window.ts';

/**
 * A host over its limits for a second or more, and for at least a tenth of the step, saturated:
 * its late timers then inflate the latencies it measures (one GC pause does not count).
 */
export const SATURATED_SHARE = 0.1;
export const SATURATED_MIN_MS = 1000;

const pct = (n: number) => `${Math.round(n * 100) / 100}%`;
const reasons = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

export function generatorSaturated(w: WindowFigures): boolean {
  return w.saturatedShare >= SATURATED_SHARE && w.saturatedMs >= SATURATED_MIN_MS;
}

/** The criteria a step broke, the generator first (it decides who), then in the order listed. */
export function evaluateStep(w: WindowFigures, online: number, c: CapacityCriteria): CapacityFailure[] {
  const out: CapacityFailure[] = [];
  if (generatorSaturated(w)) {
    const lag = w.loopLagP99Ms > c.maxLoopLagP99Ms;
    out.push({
      check: 'generator',
      value: lag ? w.loopLagP99Ms : w.cpuPct,
      limit: lag ? c.maxLoopLagP99Ms : c.maxCpuPct,
      detail: `generator saturated for ${Math.round(w.saturatedMs / 100) / 10} s (${pct(w.saturatedShare * 100)}) of the step (worst host: loop lag p99 ${w.loopLagP99Ms} ms, limit ${c.maxLoopLagP99Ms}; CPU ${w.cpuPct}%, limit ${c.maxCpuPct}%)`,
    });
  }
  const failPct = w.attempts > 0 ? (w.connectFailures / w.attempts) * 100 : 0;
  if (w.connectFailures > 0 && failPct > c.maxConnectFailurePct) {
    out.push({ check: 'connect-failures', value: failPct, limit: c.maxConnectFailurePct, detail: `connect failures ${pct(failPct)} of ${w.attempts} attempts (limit ${pct(c.maxConnectFailurePct)}): ${reasons(w.failureReasons)}` });
  }
  const dropPct = online > 0 ? (w.drops / online) * 100 : w.drops > 0 ? 100 : 0;
  if (w.drops > 0 && dropPct > c.maxDropPct) {
    out.push({ check: 'drops', value: dropPct, limit: c.maxDropPct, detail: `drops ${pct(dropPct)} of ${online} online (limit ${pct(c.maxDropPct)}): ${reasons(w.dropReasons)}` });
  }
  if (w.connackP99Ms > c.maxConnackP99Ms) out.push({ check: 'connack-p99', value: w.connackP99Ms, limit: c.maxConnackP99Ms, detail: `CONNACK p99 ${w.connackP99Ms} ms (limit ${c.maxConnackP99Ms} ms)` });
  if (w.pubackP99Ms > c.maxPubackP99Ms) out.push({ check: 'puback-p99', value: w.pubackP99Ms, limit: c.maxPubackP99Ms, detail: `PUBACK p99 ${w.pubackP99Ms} ms (limit ${c.maxPubackP99Ms} ms)` });
  return out;
}

export function whoGaveOut(failures: CapacityFailure[]): CapacityWho {
  if (failures.length === 0) return 'none';
  return failures.some((f) => f.check === 'generator') ? 'generator' : 'target';
}
