// The one app window and everything that keeps it locked down: the app:// origin that serves
// dist/renderer (and nothing else), the CSP header, sandboxed web preferences, no navigation
// away, no new windows, no webviews, no permissions.
//
// Why app:// rather than loadFile(): file:// pages share one origin with every file on disk,
// so "is this our page?" could only be answered by path matching, and a file:// page may read
// other file:// URLs. A privileged standard scheme gives the renderer a real origin
// (app://fleetsim) that the IPC sender check and the navigation guard compare against, lets the
// handler serve only files under dist/renderer, and lets us attach the CSP as a header.
import { app, BrowserWindow, protocol, type Session, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import { APP_ENTRY_URL, APP_SCHEME, RESPONSE_HEADERS, contentType, isAppUrl, resolveAppFile } from './security.ts';

/** Must run before `app` is ready (Electron only accepts scheme privileges then). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: a real origin and relative URLs; secure: a secure context like https.
    // Deliberately not corsEnabled/bypassCSP: other origins cannot read app:// and our CSP holds.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves dist/renderer on app://fleetsim/ in `ses`; every other path is a 404 with the same headers. */
export function serveRenderer(ses: Session, rendererRoot: string): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: RESPONSE_HEADERS });
    const file = resolveAppFile(rendererRoot, request.url);
    if (!file) return new Response('not found', { status: 404, headers: RESPONSE_HEADERS });
    try {
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { ...RESPONSE_HEADERS, 'Content-Type': contentType(file) } });
    } catch {
      return new Response('not found', { status: 404, headers: RESPONSE_HEADERS });
    }
  });
}

/** No camera, notifications, HID, clipboard reads… the UI needs none, so nothing is ever granted. */
export function denyAllPermissions(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/**
 * Applied to every web contents the app creates (app 'web-contents-created'): no popups, no
 * webviews, no navigation off the app origin (a same-origin reload stays allowed).
 */
export function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
}

export interface MainWindowOptions {
  /** Absolute path of dist/preload.cjs. */
  preload: string;
  /** Opens DevTools (npm run dev). */
  dev: boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Fleetsim',
    backgroundColor: '#0f1216',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.dev || !app.isPackaged,
    },
  });
  // Also attached by the app-wide 'web-contents-created' hook; repeated here so this window is
  // locked down even when created without it.
  hardenWebContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  if (options.dev) win.webContents.openDevTools({ mode: 'detach' });
  void win.loadURL(APP_ENTRY_URL);
  return win;
}
