// The fleet connect rate as the Throughput card shows it: rate, mode, why it last changed, the pause.
import type { RampStatus } from '../../src/contract/snapshot.ts';
import { fmtInt } from './format.ts';

export function rampLabel(r: RampStatus): { text: string; title: string; warn: boolean } {
  const rate = r.rate ? `${fmtInt(r.rate)}/s` : 'unlimited';
  if (r.paused) return { text: `ramp paused (${rate})`, title: `No new devices admitted: ${r.pausedReason ?? 'a generator host is saturated'}. Reconnects go on.`, warn: true };
  if (r.mode === 'fixed') return { text: `ramp ${rate}`, title: 'Fixed connect rate for the fleet (first connects and reconnects)', warn: false };
  return { text: `ramp ${rate} adaptive`, title: `Adaptive connect rate; last change: ${r.reason}`, warn: r.reason !== 'start' && !r.reason.startsWith('calm') };
}
