// Axis ticks for the report's charts: "nice" value ticks (1, 2, 2.5, 5 × 10^k) from zero up, and
// time ticks in seconds, minutes or hours of the run that land on round offsets.

export interface Ticks {
  /** The top of the axis (the last tick). */
  max: number;
  values: number[];
}

/** Ticks from 0 to at least `max`, about `target` of them, on a 1-2-2.5-5 × 10^k step. */
export function valueTicks(max: number, target = 4, minStep = 0): Ticks {
  if (!Number.isFinite(max) || max <= 0) return { max: 1, values: [0, 1] };
  const rough = Math.max(max / target, minStep);
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * pow).find((s) => s >= rough - 1e-12) ?? 10 * pow;
  const top = Math.ceil(max / step - 1e-9) * step;
  const values: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) values.push(+v.toPrecision(12));
  return { max: top, values };
}

/** Ticks for bytes: powers of two below 1 KB, then 1-2-5 × KB/MB/GB. */
export function byteTicks(max: number, target = 4): Ticks {
  if (!Number.isFinite(max) || max <= 0) return { max: 1024, values: [0, 512, 1024] };
  const steps = [
    ...[1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    ...[1, 2, 3, 4].flatMap((k) => [1, 2, 5, 10, 20, 50, 100, 200, 500].map((m) => m * 1024 ** k)),
  ];
  const step = steps.find((s) => s >= max / target) ?? steps[steps.length - 1];
  const top = Math.ceil(max / step - 1e-9) * step;
  const values: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) values.push(v);
  return { max: top, values };
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

export interface TimeTicks {
  values: number[];
  label: (t: number) => string;
}

/** Ticks over [0, span] seconds, about `target` of them, labelled to suit the span and step. */
export function timeTicks(span: number, target = 7): TimeTicks {
  const safe = Math.max(1, span);
  const step = TIME_STEPS.find((s) => safe / s <= target) ?? Math.ceil(safe / target / 86_400) * 86_400;
  const values: number[] = [];
  for (let t = 0; t <= safe + 1e-9; t += step) values.push(t);
  return { values, label: timeLabel(step, safe) };
}

function timeLabel(step: number, span: number): (t: number) => string {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (span <= 120) return (t) => `${t}s`;
  if (step < 60) return (t) => `${Math.floor(t / 60)}:${pad(t % 60)}`;
  if (step % 3600 === 0) return (t) => `${t / 3600}h`;
  if (span < 3600 * 2) return (t) => `${t / 60}m`;
  return (t) => `${Math.floor(t / 3600)}:${pad(Math.floor((t % 3600) / 60))}`;
}
