// Browser mode's downloads of a recorded run: GET /runs/<id>/export.zip and
// /runs/<id>/report.html, each with the page's ?token=. The id must be a run directory name
// (isRunId) and the run must exist, else 404; nothing else under /runs/ is served.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { REPORT_CSP } from '../../runs/report/render-report.ts';
import { isRunId } from '../../runs/run-layout.ts';
import type { RunFiles } from './run-files.ts';
import { SECURITY_HEADERS } from './static-files.ts';

export const RUN_ROUTE_PREFIX = '/runs/';
const ROUTE = /^\/runs\/([^/]+)\/(export\.zip|report\.html)$/;

/**
 * The policy every report.html is served under, whatever its own <meta> says (a report from an
 * imported or hand-edited run could declare a lax one): the report's own policy, no scripts, no
 * network, inline styles and data: images only, and no framing (which a meta policy cannot say).
 */
export const REPORT_HEADER_CSP = `${REPORT_CSP}; frame-ancestors 'none'`;

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
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Security-Policy': REPORT_HEADER_CSP,
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
