// The hold bench's verdict: did the fleet hold all its devices for the hold time, and if not, how
// far it got, what failed first and who gave out. Who gave out is the capacity search's call
// (src/fleet/capacity/criteria.ts) over everything the hosts reported during the run.
import type { CapacityCriteria, CapacityFailure, CapacityWho } from '../src/contract/capacity.ts';
import { evaluateStep, whoGaveOut } from '../src/fleet/capacity/criteria.ts';
import type { OnlineSwings } from '../src/fleet/capacity/online-swings.ts';
import type { WindowFigures } from '../src/fleet/capacity/step-window.ts';

/** The first connection attempt that failed, or the first drop of an online device. */
export interface FirstFailure {
  /** Seconds since the run started. */
  t: number;
  kind: 'connect-failure' | 'drop';
  reason: string;
}

export interface HoldFacts {
  devices: number;
  holdSeconds: number;
  /** Seconds from the start until every device was online; null when they never all were. */
  allOnlineAfterS: number | null;
  /** Seconds the whole fleet was held (0 when it never was all online). */
  heldSeconds: number;
  /** The fewest devices online during the hold (null without one). */
  minOnlineDuringHold: number | null;
  connectBudgetS: number;
  /** Set when the run itself ended before the bench did (a lost host, an error). */
  runEnded: string | null;
  swings: OnlineSwings;
  /** Everything the hosts reported, start to end. */
  window: WindowFigures;
  firstFailure: FirstFailure | null;
  criteria: CapacityCriteria;
  /** Connects a second the fleet reached (to the peak) and the ramp asked for (0 = unlimited). */
  connectRate: number;
  ramp: number;
}

export interface HoldVerdict {
  held: boolean;
  /** One line: `held 20,000/20,000 for 60 s` or `did not hold: reached …`. */
  line: string;
  peakOnline: number;
  peakAtS: number;
  firstFailure: FirstFailure | null;
  connectTimeouts: number;
  connectFailures: number;
  drops: number;
  who: CapacityWho;
  /** The capacity criteria the run broke, the generator first. */
  failures: CapacityFailure[];
  oscillating: boolean;
  oscillation: string | null;
}

const n = (x: number) => x.toLocaleString('en-US');

export function holdVerdict(f: HoldFacts): HoldVerdict {
  const w = f.window;
  const online = f.allOnlineAfterS !== null ? f.devices : f.swings.last;
  const failures = evaluateStep(w, Math.max(online, f.swings.peak), f.criteria);
  const who = whoGaveOut(failures);
  const connectTimeouts = w.failureReasons['connect-timeout'] ?? 0;
  const floor = f.devices * (1 - f.criteria.maxDropPct / 100);
  const held = f.allOnlineAfterS !== null && f.heldSeconds >= f.holdSeconds && (f.minOnlineDuringHold ?? 0) >= floor && !f.runEnded;
  const base = {
    held,
    peakOnline: f.swings.peak,
    peakAtS: f.swings.peakAt,
    firstFailure: f.firstFailure,
    connectTimeouts,
    connectFailures: w.connectFailures,
    drops: w.drops,
    who,
    failures,
    oscillating: f.swings.oscillating,
    oscillation: f.swings.detail,
  };
  if (held) {
    const notes = [f.swings.detail, ...failures.map((x) => x.detail)].filter(Boolean);
    return { ...base, line: `held ${n(f.devices)}/${n(f.devices)} for ${Math.round(f.heldSeconds)} s${notes.length ? ` (but ${notes.join('; ')})` : ''}` };
  }
  const parts: string[] = [];
  if (f.allOnlineAfterS !== null) {
    parts.push(`all ${n(f.devices)} online after ${Math.round(f.allOnlineAfterS)} s, then held ${Math.round(f.heldSeconds)} of ${f.holdSeconds} s with as few as ${n(f.minOnlineDuringHold ?? 0)} online`);
  } else {
    parts.push(`reached ${n(f.swings.peak)} of ${n(f.devices)} (peak at ${f.swings.peakAt} s${f.runEnded ? '' : `, connect budget ${f.connectBudgetS} s`})`);
  }
  if (f.runEnded) parts.push(`the run ended first: ${f.runEnded}`);
  if (f.swings.detail) parts.push(f.swings.detail);
  parts.push(f.firstFailure ? `first failure at ${f.firstFailure.t} s (${f.firstFailure.kind} ${f.firstFailure.reason})` : 'no connect failure or drop');
  if (w.connectFailures > 0) parts.push(`connect timeouts ${n(connectTimeouts)} of ${n(w.connectFailures)} failed attempts (${topReasons(w.failureReasons)})`);
  if (w.drops > 0) parts.push(`drops ${n(w.drops)} (${topReasons(w.dropReasons)})`);
  parts.push(`who gave out: ${whoText(who, failures, w, f)}`);
  return { ...base, line: `did not hold: ${parts.join(', ')}` };
}

function whoText(who: CapacityWho, failures: CapacityFailure[], w: WindowFigures, f: HoldFacts): string {
  if (who === 'generator') return `generator (loop lag p99 ${w.loopLagP99Ms} ms / CPU ${w.cpuPct}% on the worst host)`;
  if (who === 'target') return `target (${failures.map((x) => x.detail).join('; ')}; while the generator was healthy: loop lag p99 ${w.loopLagP99Ms} ms, CPU ${w.cpuPct}%)`;
  const pace = `${n(f.connectRate)} connects/s${f.ramp > 0 ? ` against a ramp of ${n(f.ramp)}/s` : ''}`;
  return `neither broke a criterion (${pace}: too slow for the connect budget${f.runEnded ? ', or the run was cut short' : ''})`;
}

function topReasons(r: Record<string, number>): string {
  return Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, c]) => `${k} ${n(c)}`)
    .join(', ');
}
