// Browser-mode FleetApi over the WebSocket bridge served by `fleetsim serve`:
// requests {id, method, params} → responses {id, ok, result} | {id, ok: false, error};
// pushes {push: FleetUpdate} go to onUpdate listeners. Reconnects with bounded backoff.
// No DOM types here: the socket comes from a factory (see ./index.ts), so tests can fake it.
import { fleetMethodsOver, type BridgeMessage, type BridgeRequest, type FleetApi, type FleetMethodName, type FleetMethods, type FleetUpdate } from '../../src/contract/fleet-api.ts';

export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  close(code: number, reason: string): void;
}
export interface SocketLike {
  send(data: string): void;
  close(): void;
}
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike;

/** `refused`: the server is up but would not open the bridge (wrong or missing token). */
export type BridgePhase = 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'offline';
export interface BridgeConnection {
  phase: BridgePhase;
  attempt: number;
  retryAt: number | null;
  lastError: string | null;
}

export interface BridgeOptions {
  /** First reconnect delay; doubled per failed attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A request with no answer within this long is rejected. */
  requestTimeoutMs?: number;
  random?: () => number;
  now?: () => number;
  /**
   * Called when a handshake fails before the socket opened. Browsers hide the HTTP status of a
   * refused upgrade, so this checks whether the server itself still answers: a reason string
   * means "up, but refused us" (phase `refused`); null means it is unreachable.
   */
  diagnose?: () => Promise<string | null>;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  frame: string;
  sent: boolean;
}

/** The bridge URL for a page served at http://host:port/?token=…: ws://host:port/api?token=…. */
export function bridgeUrl(location: { host: string; protocol: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

// The FleetMethods are derived from FLEET_API_TABLE (one request each), assigned in the constructor.
export interface BridgeClient extends FleetMethods {}

export class BridgeClient implements FleetApi {
  private socket: SocketLike | null = null;
  private open = false;
  private closedByUser = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly updateListeners = new Set<(u: FleetUpdate) => void>();
  private readonly connectionListeners = new Set<(c: BridgeConnection) => void>();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private conn: BridgeConnection = { phase: 'connecting', attempt: 0, retryAt: null, lastError: null };
  private readonly opts: Required<Omit<BridgeOptions, 'diagnose'>> & Pick<BridgeOptions, 'diagnose'>;
  /** Diagnosed as refused, and not connected since. */
  private refused = false;

  constructor(
    private readonly url: string,
    private readonly factory: SocketFactory,
    options: BridgeOptions = {},
  ) {
    this.opts = {
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 8000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      diagnose: options.diagnose,
    };
    Object.assign(this, fleetMethodsOver((method, params) => this.call(method, params)));
    this.connect();
  }

  onUpdate(listener: (update: FleetUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Connection changes; called at once with the current state. */
  onConnection(listener: (c: BridgeConnection) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.conn);
    return () => this.connectionListeners.delete(listener);
  }

  get connection(): BridgeConnection {
    return this.conn;
  }

  /** Closes the link for good; pending requests are rejected. */
  close(): void {
    this.closedByUser = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.socket?.close();
    this.socket = null;
    this.open = false;
    this.failPending('connection closed');
    this.setConn({ phase: 'offline', retryAt: null });
  }

  private call(method: FleetMethodName, params: unknown[]): Promise<unknown> {
    if (this.closedByUser) return Promise.reject(new Error('connection closed'));
    const id = this.nextId++;
    const frame = JSON.stringify({ id, method, params } satisfies BridgeRequest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${Math.round(this.opts.requestTimeoutMs / 1000)} s`));
      }, this.opts.requestTimeoutMs);
      const p: Pending = { resolve, reject, timer, frame, sent: false };
      this.pending.set(id, p);
      // Asked while the link is down: sent as soon as it is back.
      if (this.open) this.send(p);
    });
  }

  private send(p: Pending): void {
    try {
      this.socket?.send(p.frame);
      p.sent = true;
    } catch {
      // The close handler fails it, or it is re-sent after reconnecting.
    }
  }

  private connect(): void {
    this.reconnectTimer = null;
    if (this.closedByUser) return;
    this.setConn({ phase: this.refused ? 'refused' : this.conn.attempt === 0 && this.conn.lastError === null ? 'connecting' : 'reconnecting', retryAt: null });
    let socket: SocketLike | null = null;
    let opened = false;
    const isCurrent = () => socket !== null && this.socket === socket;
    try {
      socket = this.factory(this.url, {
        open: () => {
          if (!isCurrent()) return;
          opened = true;
          this.open = true;
          this.refused = false;
          this.setConn({ phase: 'connected', attempt: 0, retryAt: null, lastError: null });
          for (const p of this.pending.values()) if (!p.sent) this.send(p);
        },
        message: (data) => {
          if (isCurrent()) this.onMessage(data);
        },
        close: (code, reason) => {
          if (!isCurrent()) return;
          this.socket = null;
          this.open = false;
          this.failPending('connection to fleetsim lost', true);
          this.scheduleReconnect(reason || (opened ? `closed (${code})` : 'could not connect'));
          if (!opened && !this.refused) void this.diagnoseFailure();
        },
      });
      this.socket = socket;
    } catch (err) {
      this.scheduleReconnect((err as Error).message);
    }
  }

  private scheduleReconnect(why: string): void {
    if (this.closedByUser) return;
    const attempt = this.conn.attempt + 1;
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.round(exp / 2 + (this.opts.random() * exp) / 2);
    this.setConn({ phase: this.refused ? 'refused' : 'reconnecting', attempt, retryAt: this.opts.now() + delay, lastError: this.refused ? this.conn.lastError : why });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private async diagnoseFailure(): Promise<void> {
    if (!this.opts.diagnose) return;
    let reason: string | null = null;
    try {
      reason = await this.opts.diagnose();
    } catch {
      reason = null;
    }
    if (reason === null || this.open || this.closedByUser) return;
    this.refused = true;
    this.setConn({ phase: 'refused', lastError: reason });
  }

  private onMessage(data: string): void {
    let msg: BridgeMessage;
    try {
      msg = JSON.parse(data) as BridgeMessage;
    } catch {
      return;
    }
    if ('push' in msg) {
      for (const l of this.updateListeners) {
        try {
          l(msg.push);
        } catch (err) {
          console.error('fleet update listener failed', err);
        }
      }
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  }

  /** Rejects requests in flight; with `onlySent`, requests not yet sent wait for the next link. */
  private failPending(why: string, onlySent = false): void {
    for (const [id, p] of this.pending) {
      if (onlySent && !p.sent) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new Error(why));
    }
  }

  private setConn(patch: Partial<BridgeConnection>): void {
    this.conn = { ...this.conn, ...patch };
    for (const l of this.connectionListeners) l(this.conn);
  }
}
