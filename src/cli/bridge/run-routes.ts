// Browser mode's downloads of a recorded run: GET /runs/<id>/export.zip and
// /runs/<id>/report.html, each with the page's ?token=. The id must be a run directory name
// (isRunId) and the run must exist, else 404; nothing else under /runs/ is served.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { isRunId } from '../../runs/run-layout.ts';
import type { RunFiles } from './run-files.ts';
import { SECURITY_HEADERS } from './static-files.ts';

export const RUN_ROUTE_PREFIX = '/runs/';
const ROUTE = /^\/runs\/([^/]+)\/(export\.zip|report\.html)$/;

/** What a report gets when it names no policy of its own: no scripts, no network, inline styles and data: images only. */
export const FALLBACK_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** The policy a report.html carries in its <meta http-equiv="Content-Security-Policy">, or null. */
export function reportCsp(html: string): string | null {
  const head = html.slice(0, 8192);
  for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
    if (!/http-equiv\s*=\s*["']?content-security-policy["']?/i.test(tag)) continue;
    const content = /content\s*=\s*"([^"]*)"|content\s*=\s*'([^']*)'/i.exec(tag);
    const value = (content?.[1] ?? content?.[2] ?? '').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').trim();
    if (value) return value;
  }
  return null;
}

/** The run id of a /runs/… path, or null when it is not one of the two routes or not a run id. */
export function runRoute(pathname: string): { id: string; file: 'export.zip' | 'report.html' } | null {
  const m = ROUTE.exec(pathname);
  if (!m) return null;
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  return isRunId(id) ? { id, file: m[2] as 'export.zip' | 'report.html' } : null;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}

/**
 * Serves one of the run routes. `authorized`: the request carried the right token. Requests
 * another site started (Sec-Fetch-Site: cross-site) are refused even with it.
 */
export async function serveRunRoute(req: IncomingMessage, res: ServerResponse, pathname: string, authorized: boolean, files: RunFiles | undefined): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed');
  if (!authorized) return plain(res, 401, 'unauthorized: this link needs the token of the page that made it');
  if (req.headers['sec-fetch-site'] === 'cross-site') return plain(res, 403, 'forbidden');
  const route = runRoute(pathname);
  if (!route || !files) return plain(res, 404, 'no such run');
  let file: string | null;
  try {
    file = route.file === 'export.zip' ? await files.exportFile(route.id) : await files.reportFile(route.id);
  } catch (err) {
    return plain(res, 500, `could not write the run's ${route.file}: ${(err as Error).message}`);
  }
  if (!file) return plain(res, 404, 'no such run');
  try {
    if (route.file === 'report.html') {
      const html = await readFile(file, 'utf8');
      const csp = reportCsp(html) ?? FALLBACK_REPORT_CSP;
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        // A meta policy cannot say frame-ancestors; the header can.
        'Content-Security-Policy': /frame-ancestors/.test(csp) ? csp : `${csp}; frame-ancestors 'none'`,
        'Content-Type': 'text/html; charset=utf-8',
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    const { size } = await stat(file);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/zip',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${route.id}.zip"`,
    });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(createReadStream(file), res);
  } catch (err) {
    if (!res.headersSent) plain(res, 500, `could not read the run's ${route.file}: ${(err as Error).message}`);
    else res.destroy();
  }
}
