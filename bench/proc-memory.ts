// A process's proportional set size (PSS) from /proc: resident memory with every shared page
// divided by the number of processes mapping it. Linux only; null elsewhere or once it exited.
import { readFileSync } from 'node:fs';

export function proportionalSetKB(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
