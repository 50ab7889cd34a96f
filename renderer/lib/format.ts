// Number and time formatting for the UI. Pure functions; no DOM.

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 1234567 → "1,234,567". */
export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '0';
  return intFmt.format(Math.round(n));
}

/** Rates: one decimal below 10, whole numbers above. */
export function fmtRate(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '0';
  if (n !== 0 && Math.abs(n) < 10) return oneDecimal.format(n);
  return intFmt.format(Math.round(n));
}

/** Milliseconds with sensible precision: 0.42 ms, 3.1 ms, 245 ms, 1.25 s. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Seconds → "m:ss" (or "h:mm:ss"). */
export function fmtClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Epoch ms → local "HH:MM:SS". */
export function fmtTimeOfDay(at: number): string {
  const d = new Date(at);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Epoch ms → local "HH:MM:SS.mmm". */
export function fmtTimeMs(at: number): string {
  return `${fmtTimeOfDay(at)}.${String(new Date(at).getMilliseconds()).padStart(3, '0')}`;
}

/** Bytes → "512 B", "1.5 KB", "12.3 MB". */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1024) return `${fmtInt(n)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** Bytes for an axis tick: "0", "512 B", "256 KB", "1 MB", "1.5 MB" (no trailing ".0"). */
export function fmtBytesTick(n: number): string {
  if (!Number.isFinite(n) || n === 0) return '0';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${n < 0 ? '-' : ''}${+v.toFixed(v >= 10 ? 0 : 1)} ${units[i]}`;
}

/**
 * Axis tick steps for bytes: powers of two below 1 KB (so an idle axis reads 0 · 512 B · 1 KB),
 * then 1, 2, 5 … 500 of KB, MB, GB (ticks land on "10 MB", not "9.5 MB").
 */
export const BYTE_INCRS: readonly number[] = [
  ...[1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  ...[1, 2, 3].flatMap((k) => [1, 2, 5, 10, 20, 50, 100, 200, 500].map((m) => m * 1024 ** k)),
];

/** Milliseconds → a duration string the scenario schema accepts ("15s", "2m", "1500ms"). */
export function durationText(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}

/** The `n` largest entries of a reason → count record. */
export function topReasons(reasons: Record<string, number> | null | undefined, n: number): Array<[string, number]> {
  if (!reasons) return [];
  return Object.entries(reasons)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n);
}

/** "12.5%", "0%", "100%": one decimal only where it says something. */
export function fmtPct(pct: number): string {
  return pct === 0 || pct === 100 || pct >= 10 ? `${Math.round(pct)}%` : `${pct.toFixed(1)}%`;
}

/** An ISO time → local "YYYY-MM-DD HH:MM:SS" (as given when it is not a time). */
export function fmtDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${fmtTimeOfDay(d.getTime())}`;
}
