// Timings for the UI benchmark (bench/ui.ts). A page that defines `__fleetsimPerf` before the
// app loads (the benchmark does, with an init script) is told how long each push took to apply;
// in any other page this is one property read per push and nothing is kept.
export interface PerfProbe {
  /** `name`: what was timed ("apply:snapshot", "settled:timeline" …); `ms`: how long it took. */
  record(name: string, ms: number): void;
}

export function perfProbe(): PerfProbe | undefined {
  return (globalThis as { __fleetsimPerf?: PerfProbe }).__fleetsimPerf;
}
