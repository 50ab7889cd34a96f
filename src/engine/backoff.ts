// Delay before the next reconnect attempt, per the group's policy.
import type { ReconnectPolicy } from '../contract/scenario.ts';

/** `attempt` counts from 0 for the first retry. Returns null when the device should give up. */
export function reconnectDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number | null {
  if (policy.policy === 'none') return null;
  if (policy.maxAttempts > 0 && attempt >= policy.maxAttempts) return null;
  const ceiling = policy.policy === 'fixed' ? policy.base : Math.min(policy.cap, policy.base * 2 ** Math.min(attempt, 30));
  return policy.jitter === 'full' ? Math.floor(random() * ceiling) : ceiling;
}
