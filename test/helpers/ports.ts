// Free ports and port waits come from src (the benchmarks use them too); waitFor is the tests' own.
export { freePort, waitForPort } from '../../src/targets/local-ports.ts';

/** Polls `check` until it returns true (bounded); the failure message says what was awaited. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000, state?: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? `; state: ${state()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
