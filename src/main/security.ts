// The Electron shell's security rules as plain functions: the app origin, which renderer files
// may be served, the CSP, and who may call the fleet IPC. No `electron` import here, so the
// rules are unit-tested under plain Node (test/main/); window.ts and ipc.ts apply them.
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The renderer is served from `app://fleetsim/` (a privileged standard scheme), never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'fleetsim';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Sent as a response header with every app:// file. The renderer's index.html carries its own
 * CSP meta too; both apply, so the page gets the stricter of the two. This one adds what a meta
 * tag cannot (frame-ancestors) and allows no network at all beyond our own files: in the app
 * the fleet API goes over IPC, so the browser-mode WebSocket is not needed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // The renderer's own CSP allows inline styles (React style props, chart libraries); matching it.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True for URLs of our app origin: `app://fleetsim/…`, nothing else (no other host, no credentials, no port). */
export function isAppUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.hostname === APP_HOST && u.port === '' && u.username === '' && u.password === '';
}

/**
 * The file under `root` that an app:// request names, or null when the request is not ours or
 * would leave `root` (`..`, encoded slashes, absolute or drive paths, NUL). `/` is index.html.
 */
export function resolveAppFile(root: string, requestUrl: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  let path: string;
  try {
    path = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const rel = path.replace(/^\/+/, '') || 'index.html';
  const base = resolve(root);
  const file = resolve(base, rel);
  const inside = relative(base, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return null;
  return file;
}

// Structural views of Electron's IpcMainInvokeEvent, WebFrameMain and BrowserWindow: the real
// objects satisfy them, and tests can pass plain objects.
export interface FrameLike {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
  readonly parent: FrameLike | null;
  readonly detached?: boolean;
}

export interface InvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

export interface WindowLike {
  isDestroyed(): boolean;
  readonly webContents: { readonly id: number; readonly mainFrame: FrameLike };
}

/** Why a fleet IPC call must be refused, or null when it comes from our window's main frame on our origin. */
export function senderProblem(event: InvokeEventLike, win: WindowLike | null): string | null {
  if (!win || win.isDestroyed()) return 'no app window';
  if (event.sender.id !== win.webContents.id) return 'sender is not the app window';
  const frame = event.senderFrame;
  if (!frame || frame.detached) return 'sender frame is gone';
  const main = win.webContents.mainFrame;
  if (frame.parent !== null || frame.processId !== main.processId || frame.routingId !== main.routingId) return 'sender is not the main frame';
  if (!isAppUrl(frame.url)) return `sender URL is not ${APP_ORIGIN}`;
  return null;
}

/** Throws (the renderer's invoke rejects) unless `senderProblem` finds nothing wrong. */
export function assertTrustedSender(event: InvokeEventLike, win: WindowLike | null, channel: string): void {
  const problem = senderProblem(event, win);
  if (problem) throw new Error(`${channel}: refused (${problem})`);
}
