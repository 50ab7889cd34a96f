// Kubernetes quantities: memory as Mi, CPU as millicores; and sizes typed on the command line.

const MI = 1048576;

/** Bytes as a Kubernetes memory quantity, rounded up to whole MiB ("1536Mi"). */
export function memoryQuantity(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / MI))}Mi`;
}

/** Cores as a Kubernetes CPU quantity: millicores below one core or when fractional ("1500m"), else whole ("2"). */
export function cpuQuantity(cores: number): string {
  const milli = Math.max(1, Math.ceil(cores * 1000));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 1024, mi: MI, gi: 1024 * MI, ti: 1024 * 1024 * MI };

/** "4Gi", "512Mi", "8G", "8GB", "2e9": bytes; an error message instead when it is not a size. */
export function parseMemorySize(text: string): number | string {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]i?)?b?$/i.exec(text.trim());
  if (!m) return `expected a size like 4Gi, 512Mi or 8G, got ${JSON.stringify(text)}`;
  const bytes = Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()];
  return bytes >= MI ? Math.round(bytes) : `must be at least 1Mi, got ${JSON.stringify(text)}`;
}

const fmt1 = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

/** Bytes for people: "1.9 GB", "640 MB" (binary units, as free and top show them). */
export function humanBytes(bytes: number): string {
  return bytes >= 1024 * MI ? `${fmt1(bytes / (1024 * MI))} GB` : `${fmt1(bytes / MI)} MB`;
}
