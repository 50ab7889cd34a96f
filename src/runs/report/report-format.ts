// Figures as the report prints them: counts, rates, latencies, bytes, times and durations.

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

const finite = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);

/** 1234567 → "1,234,567"; missing → "—". */
export function fmtInt(n: number | null | undefined): string {
  return finite(n) ? intFmt.format(Math.round(n)) : '—';
}

/** Rates and small figures: one decimal below 10, whole numbers above. */
export function fmtNum(n: number | null | undefined): string {
  if (!finite(n)) return '—';
  return n !== 0 && Math.abs(n) < 10 ? oneDecimal.format(n) : intFmt.format(Math.round(n));
}

/** Milliseconds with sensible precision: 0.42 ms, 3.1 ms, 245 ms, 1.25 s. */
export function fmtMs(ms: number | null | undefined): string {
  if (!finite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Bytes → "512 B", "1.5 KB", "12.3 MB". */
export function fmtBytes(n: number | null | undefined): string {
  if (!finite(n)) return '—';
  if (n < 1024) return `${intFmt.format(Math.round(n))} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** "12.5%", "0%", "100%": one decimal only where it says something. */
export function fmtPct(pct: number | null | undefined): string {
  if (!finite(pct)) return '—';
  return pct === 0 || pct === 100 || pct >= 10 ? `${Math.round(pct)}%` : `${pct.toFixed(1)}%`;
}

/** A span of time in words: "850 ms", "4.2 s", "3 m 05 s", "2 h 10 m", "24 h", "4 d 2 h". */
export function fmtSpan(ms: number | null | undefined): string {
  if (!finite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h >= 72) return `${d} d${h % 24 ? ` ${h % 24} h` : ''}`;
  if (h > 0) return `${h} h${m ? ` ${String(m).padStart(2, '0')} m` : ''}`;
  return `${m} m${sec ? ` ${String(sec).padStart(2, '0')} s` : ''}`;
}

/** Seconds into the run → "+0:42", "+1:02:03". */
export function fmtOffset(t: number): string {
  const s = Math.max(0, Math.round(t));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `+${h}:${String(m).padStart(2, '0')}:${sec}` : `+${m}:${sec}`;
}

/** Epoch ms or ISO text → "2026-11-22 09:00:45 UTC" (a report is read anywhere: always UTC). */
export function fmtDateTime(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Epoch ms → "09:00:45 UTC". */
export function fmtTimeOfDay(at: number): string {
  return Number.isFinite(at) ? `${new Date(at).toISOString().slice(11, 19)} UTC` : '—';
}

/** Milliseconds as a scenario writes them: "300ms", "15s", "2m", "1h". */
export function fmtEvery(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}

/** Axis numbers: 0, 850, 1.5k, 12k, 2.5M. */
export function fmtCompact(n: number): string {
  const a = Math.abs(n);
  const trim = (v: number) => String(+v.toFixed(v >= 10 ? 0 : 1));
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1000) return `${trim(n / 1e3)}k`;
  return String(+n.toFixed(a >= 10 ? 0 : a >= 1 ? 1 : 2));
}

/** Bytes for an axis tick: "0", "512 B", "256 KB", "1.5 MB". */
export function fmtBytesTick(n: number): string {
  if (!Number.isFinite(n) || n === 0) return '0';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${+v.toFixed(v >= 10 ? 0 : 1)} ${units[i]}`;
}
