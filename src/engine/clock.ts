// Wall-clock milliseconds with sub-millisecond precision: loopback latencies are often
// below 1 ms, and hosts in different processes must agree on the epoch.
export const nowMs = (): number => performance.timeOrigin + performance.now();
