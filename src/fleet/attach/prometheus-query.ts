// One instant query against Prometheus' HTTP API (/api/v1/query), answered as samples or as a
// problem in words: Prometheus may be down, slow, answer an error, or not be Prometheus at all.

export interface Sample {
  labels: Record<string, string>;
  /** NaN (e.g. histogram_quantile over no data) is read as 0. */
  value: number;
}

export type QueryResult = { ok: true; samples: Sample[] } | { ok: false; problem: string };

/** An answer bigger than this is not a fleet's aggregate: refused rather than parsed. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function queryVector(baseUrl: string, promql: string, timeoutMs: number): Promise<QueryResult> {
  const where = `Prometheus at ${baseUrl}`;
  let text: string;
  let status: number;
  try {
    const res = await fetch(`${baseUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ query: promql }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    status = res.status;
    text = await readCapped(res, MAX_BODY_BYTES);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, problem: `${where} did not answer: ${why}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${where} answered HTTP ${status} with something that is not Prometheus' JSON (is it Prometheus?)` };
  }
  const b = body as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } };
  if (typeof b !== 'object' || b === null || (b.status !== 'success' && b.status !== 'error')) {
    return { ok: false, problem: `${where} answered HTTP ${status} with JSON that is not a query result (is it Prometheus?)` };
  }
  if (b.status === 'error') return { ok: false, problem: `${where} refused the query: ${String(b.error).slice(0, 300)}` };
  if (b.data?.resultType !== 'vector' || !Array.isArray(b.data.result)) return { ok: false, problem: `${where} answered a ${String(b.data?.resultType)} where a vector was expected` };
  const samples: Sample[] = [];
  for (const r of b.data.result as unknown[]) {
    const s = r as { metric?: unknown; value?: unknown };
    if (typeof s?.metric !== 'object' || s.metric === null || !Array.isArray(s.value) || s.value.length !== 2 || typeof s.value[1] !== 'string') {
      return { ok: false, problem: `${where} answered a malformed sample: ${JSON.stringify(r).slice(0, 200)}` };
    }
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.metric)) if (typeof v === 'string') labels[k] = v;
    const value = Number(s.value[1]);
    samples.push({ labels, value: Number.isFinite(value) ? value : 0 });
  }
  return { ok: true, samples };
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`answer of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`answer is over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
