// A stand-in for the 'electron' module, just large enough to run src/main under plain Node:
// the real package cannot load here (no binary). Tests install it with installFakeElectron()
// (electron-hooks.mjs resolves 'electron' to this file) and then drive it: emit app events,
// call IPC handlers as a given frame, inspect windows and forks. Each test file runs in its own
// process, so the state below is per file.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

export interface FakeFrame {
  url: string;
  processId: number;
  routingId: number;
  parent: FakeFrame | null;
  detached: boolean;
}

export interface NavigationEvent {
  url: string;
  prevented: boolean;
  preventDefault(): void;
}

export function navigationEvent(url: string): NavigationEvent {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

let nextId = 1;

class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: FakeFrame = { url: '', processId: 100 + this.id, routingId: 1, parent: null, detached: false };
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  devToolsOpened = false;
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  openDevTools(): void {
    this.devToolsOpened = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** A frame inside the page (an iframe) for sender-check tests. */
  childFrame(url: string): FakeFrame {
    return { url, processId: this.mainFrame.processId, routingId: 7, parent: this.mainFrame, detached: false };
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly instances: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((w) => !w.destroyed);
  }
  readonly webContents = new FakeWebContents();
  readonly loadedUrls: string[] = [];
  destroyed = false;
  focused = 0;
  shown = false;
  constructor(readonly options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>) {
    super();
    BrowserWindow.instances.push(this);
    app.emit('web-contents-created', { preventDefault() {} }, this.webContents);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    this.focused++;
  }
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

class FakeApp extends EventEmitter {
  singleInstance = true;
  sandboxEnabled = false;
  readonly isPackaged = false;
  quitCalls = 0;
  /** Set when a quit was not prevented by a before-quit listener. */
  quitted = false;
  private readyFlag = false;
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((r) => (this.resolveReady = r));
  readonly logsDir = mkdtempSync(join(tmpdir(), 'fleetsim-fake-logs-'));
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  enableSandbox(): void {
    this.sandboxEnabled = true;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  isReady(): boolean {
    return this.readyFlag;
  }
  /** Test control: the app becomes ready. */
  becomeReady(): void {
    this.readyFlag = true;
    this.resolveReady();
    this.emit('ready');
  }
  quit(): void {
    this.quitCalls++;
    let prevented = false;
    this.emit('before-quit', {
      preventDefault() {
        prevented = true;
      },
    });
    if (!prevented) this.quitted = true;
  }
  getPath(_name: string): string {
    return this.logsDir;
  }
}

export const app = new FakeApp();

export const protocol = {
  privileged: [] as Array<{ scheme: string; privileges?: Record<string, boolean> }>,
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>): void {
    if (app.isReady()) throw new Error('registerSchemesAsPrivileged after ready');
    protocol.privileged.push(...schemes);
  },
};

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;

class FakeSession {
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null = null;
  readonly protocol = {
    handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
      if (!app.isReady()) throw new Error('protocol.handle before ready');
      this.handlers.set(scheme, handler);
    },
  };
  setPermissionRequestHandler(h: PermissionRequestHandler): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: (...args: unknown[]) => boolean): void {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: (...args: unknown[]) => boolean): void {
    this.devicePermissionHandler = h;
  }
}

export const session = { defaultSession: new FakeSession() };

export interface FakeInvokeEvent {
  sender: { id: number };
  senderFrame: FakeFrame | null;
}

type Handler = (event: FakeInvokeEvent, ...args: unknown[]) => unknown;

export const ipcMain = {
  handlers: new Map<string, Handler>(),
  handle(channel: string, handler: Handler): void {
    // Like Electron: a second handler for one channel is a programming error.
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcMain.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    ipcMain.handlers.delete(channel);
  },
  on(): never {
    throw new Error('the fleet IPC must use ipcMain.handle, not ipcMain.on');
  },
  /** Test control: what ipcRenderer.invoke(channel, ...args) from `frame` of `contents` would do. */
  async invoke(channel: string, from: { contents: { id: number }; frame: FakeFrame | null }, ...args: unknown[]): Promise<unknown> {
    const handler = ipcMain.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ sender: from.contents, senderFrame: from.frame }, ...structuredClone(args));
  },
};

export class FakeUtilityProcess extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly posted: unknown[] = [];
  killed = 0;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
    public pid: number | undefined,
  ) {
    super();
  }
  postMessage(message: unknown): void {
    this.posted.push(structuredClone(message));
  }
  kill(): boolean {
    this.killed++;
    return true;
  }
}

export const utilityProcess = {
  forks: [] as FakeUtilityProcess[],
  /** Replaceable by tests: how a fork is made. */
  factory: (modulePath: string, args: string[], options: Record<string, unknown>): FakeUtilityProcess => new FakeUtilityProcess(modulePath, args, options, undefined),
  fork(modulePath: string, args: string[] = [], options: Record<string, unknown> = {}): FakeUtilityProcess {
    if (!app.isReady()) throw new Error('utilityProcess.fork before ready');
    const child = utilityProcess.factory(modulePath, args, options);
    utilityProcess.forks.push(child);
    return child;
  },
};

export default { app, BrowserWindow, ipcMain, protocol, session, utilityProcess };
