// Attaching the live view to a distributed run: its shards export /metrics with labels run and
// shard, Prometheus scrapes them, and the view is fed from PromQL instead of a local fleet.
import { RUN_ID_PATTERN } from './fleet-shard.ts';

export interface AttachRequest {
  /** Prometheus' base URL, http(s), e.g. http://127.0.0.1:9090 (a path prefix is kept). */
  prometheusUrl: string;
  /** The run id every shard was started with (--run-id): the `run` label of their series. */
  runId: string;
  /** Window of rate() and the per-window percentiles, seconds (default 30; at least 2 scrape intervals). */
  windowSeconds?: number;
}

export type AttachResult = { ok: true } | { ok: false; problems: string[] };

/** What the UI shows of an attached view: where from, how many shards report, and whether it works. */
export interface AttachStatus {
  prometheusUrl: string;
  runId: string;
  windowSeconds: number;
  /** 'waiting': Prometheus answers but has no series for the run (yet); 'error': it did not answer well. */
  health: 'connecting' | 'ok' | 'waiting' | 'error';
  /** Shards whose series Prometheus has now. */
  shards: number;
  /** Why health is not 'ok' (e.g. "Prometheus at … did not answer: …"); null when it is. */
  message: string | null;
  /** When the last poll ended (ms since epoch). */
  lastPollAt: number | null;
}

export const DEFAULT_ATTACH_WINDOW_S = 30;
const ATTACH_FIELDS = new Set(['prometheusUrl', 'runId', 'windowSeconds']);

/** Checks a request from a page, IPC or the CLI: one line per bad field. */
export function validateAttachRequest(input: unknown): { ok: true; request: Required<AttachRequest> } | { ok: false; problems: string[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, problems: ['request: expected an object like { prometheusUrl, runId }'] };
  const r = input as Record<string, unknown>;
  const problems = Object.keys(r).filter((k) => !ATTACH_FIELDS.has(k)).map((k) => `${k}: unknown field (expected prometheusUrl, runId, windowSeconds)`);
  let url: URL | null = null;
  if (typeof r.prometheusUrl !== 'string' || !URL.canParse(r.prometheusUrl)) problems.push(`prometheusUrl: expected an http(s) URL like http://127.0.0.1:9090, got ${JSON.stringify(r.prometheusUrl ?? null)}`);
  else {
    url = new URL(r.prometheusUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`prometheusUrl: expected http or https, got ${url.protocol.replace(/:$/, '')}`);
    else if (url.username || url.password) problems.push('prometheusUrl: credentials in the URL are not supported');
    else if (url.search || url.hash) problems.push('prometheusUrl: expected the base URL, without ?query or #fragment');
  }
  if (typeof r.runId !== 'string' || !RUN_ID_PATTERN.test(r.runId)) {
    problems.push(`runId: expected letters, digits, '.', '_' or '-' (up to 63, starting with a letter or digit), got ${JSON.stringify(r.runId ?? null)}`);
  }
  const w = r.windowSeconds;
  if (w !== undefined && (typeof w !== 'number' || !Number.isInteger(w) || w < 2 || w > 3600)) problems.push(`windowSeconds: expected whole seconds 2-3600, got ${JSON.stringify(w)}`);
  if (problems.length > 0) return { ok: false, problems };
  const base = url!.href.replace(/\/+$/, '');
  return { ok: true, request: { prometheusUrl: base, runId: r.runId as string, windowSeconds: (w as number | undefined) ?? DEFAULT_ATTACH_WINDOW_S } };
}
