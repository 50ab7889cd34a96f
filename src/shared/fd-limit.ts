// The open-file limit of this process (each socket is one). Node has no getrlimit, so read
// it where the OS shows it; null where it cannot be known.
import { readFileSync } from 'node:fs';

export interface FdLimit {
  soft: number;
  hard: number;
}

export function readFdLimit(): FdLimit | null {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
    if (!m) return null;
    const n = (v: string) => (v === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(v));
    return { soft: n(m[1]), hard: n(m[2]) };
  } catch {
    return null;
  }
}
