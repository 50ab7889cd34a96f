// The adaptive ramp's decisions, once a second: additive increase while connects are fast and
// nothing fails, multiplicative decrease when CONNACK/connect p99 climbs past the bound or any
// attempt times out, is refused or fails, or when more attempts are in flight than the rate could
// have in flight if they all ended within the bound (Little's law). Pure: the controller feeds it each closed second.
import type { AdaptiveRamp } from '../contract/adaptive-ramp.ts';

export interface RampSecond {
  /** p99 of CONNACK and of transport connect latencies recorded this second, ms (0 when none). */
  connackP99Ms: number;
  connectP99Ms: number;
  /** Failed attempts this second, by reason. */
  failures: Record<string, number>;
  /** Connection attempts this second (first connects and reconnects). */
  attempts: number;
  /**
   * Attempts in flight at the end of the second (admitted, not yet online or failed). Latencies
   * are recorded only when attempts end, so a target that stops answering shows here first.
   */
  inFlight: number;
}

export interface RampDecision {
  rate: number;
  changed: boolean;
  reason: string;
}

/** After a decrease, the next one waits this long: the last cut needs time to show. */
const DECREASE_COOLDOWN_S = 2;

export class AdaptiveRampControl {
  private rate: number;
  private sinceDecrease = Infinity;

  constructor(private readonly settings: AdaptiveRamp) {
    this.rate = settings.start;
  }

  get current(): number {
    return this.rate;
  }

  decide(s: RampSecond): RampDecision {
    const { ceiling, floor, step, decrease, connackP99 } = this.settings;
    this.sinceDecrease++;
    const trouble = troubleOf(s, connackP99, this.rate);
    if (trouble) {
      if (this.sinceDecrease < DECREASE_COOLDOWN_S || this.rate <= floor) return { rate: this.rate, changed: false, reason: trouble };
      this.sinceDecrease = 0;
      return this.set(Math.max(floor, round(this.rate * decrease)), trouble);
    }
    // Only a rate in use is raised: an idle gate proves nothing about what the target takes.
    if (this.rate >= ceiling || s.attempts < this.rate / 2) return { rate: this.rate, changed: false, reason: 'calm' };
    return this.set(Math.min(ceiling, round(this.rate + step)), 'calm');
  }

  private set(rate: number, reason: string): RampDecision {
    const changed = rate !== this.rate;
    this.rate = rate;
    return { rate, changed, reason };
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Why this second is bad, or null when it is calm. */
/** Fewer attempts in flight than this never count as a backlog, whatever the rate. */
const IN_FLIGHT_SLACK = 50;

function troubleOf(s: RampSecond, boundMs: number, rate: number): string | null {
  const failed = Object.entries(s.failures).filter(([, n]) => n > 0);
  if (failed.length) return `connect failures: ${failed.map(([r, n]) => `${r} ${n}`).join(', ')}`;
  if (s.connackP99Ms > boundMs) return `connack p99 ${Math.round(s.connackP99Ms)} ms > ${boundMs} ms`;
  if (s.connectP99Ms > boundMs) return `connect p99 ${Math.round(s.connectP99Ms)} ms > ${boundMs} ms`;
  const backlog = Math.max(IN_FLIGHT_SLACK, Math.round((rate * boundMs) / 1000));
  if (s.inFlight > backlog) return `${Math.round(s.inFlight)} attempts in flight > ${backlog} (rate × ${boundMs} ms)`;
  return null;
}
