/**
 * The contract over a WebSocket (the headless host's `/api`). Wire format (shared/contract.ts):
 * send `{id, channel, payload}`; receive `{id, ok:true, result}`, `{id, ok:false, error:{code,message}}`
 * or `{push, payload}`.
 *
 * - Requests made while connecting are queued and sent on open; requests made while disconnected fail
 *   at once; requests in flight fail when the connection drops (never left hanging).
 * - Reconnects with exponential backoff (with jitter), reset after a successful open.
 * - Push listeners survive reconnects; the connection state is observable.
 *
 * The socket is created through a factory so tests drive a fake; no DOM types are used here.
 */
import type { PushChannel, PushOf, RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';
import { cleanErrorMessage } from '../lib/host-errors.js';
import { ApiError, type ConnectionInfo, type ConnectionSource, type RendererApi } from './types.js';

/** The part of the browser WebSocket this transport uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type SocketFactory = (url: string) => WebSocketLike;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface WsTransportOptions {
  url: string;
  createSocket: SocketFactory;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number; jitter?: number };
  timers?: Timers;
  random?: () => number;
  /** Shown as the reason when the socket closes without one (e.g. "no access token in the address"). */
  hint?: string | null;
  /** Log sink for protocol oddities; default console.warn. */
  warn?: (msg: string) => void;
  /**
   * Asked after an attempt that never opened: returns a better reason in words (e.g. "the host did not
   * accept the access token"), or null to keep the generic one.
   */
  diagnose?: () => Promise<string | null>;
}

const OPEN = 1;

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export function closeReasonWords(code: number | undefined, reason: string | undefined, hint: string | null): string {
  if (reason) return reason;
  switch (code) {
    case 1000:
      return 'The host closed the connection';
    case 1001:
      return 'The host is shutting down';
    case 1008:
    case 4401:
    case 4403:
      return 'The host refused the access token';
    default:
      return hint ?? 'Cannot reach the ConfSync host';
  }
}

export class WsTransport implements RendererApi {
  readonly connection: ConnectionSource;
  private socket: WebSocketLike | null = null;
  private seq = 0;
  private pending = new Map<number, Pending>();
  private queue: { id: number; data: string }[] = [];
  private listeners = new Map<string, Set<(payload: unknown) => void>>();
  private stateListeners = new Set<(info: ConnectionInfo) => void>();
  private info: ConnectionInfo = { state: 'disconnected', transport: 'websocket', attempts: 0, retryAt: null, reason: null };
  private retryTimer: unknown = null;
  private disposed = false;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly backoff: { initialMs: number; maxMs: number; factor: number; jitter: number };

  constructor(private readonly opts: WsTransportOptions) {
    this.timers = opts.timers ?? defaultTimers;
    this.random = opts.random ?? Math.random;
    this.backoff = { initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0.2, ...opts.backoff };
    this.connection = {
      get: () => this.info,
      subscribe: (l) => {
        this.stateListeners.add(l);
        return () => this.stateListeners.delete(l);
      },
      reconnectNow: () => this.reconnectNow(),
    };
  }

  /** Opens the socket (idempotent while connecting or connected). */
  connect(): void {
    if (this.disposed || this.info.state !== 'disconnected') return;
    this.clearRetry();
    this.setInfo({ state: 'connecting', retryAt: null });
    let ws: WebSocketLike;
    try {
      ws = this.opts.createSocket(this.opts.url);
    } catch (e) {
      this.onClosed(undefined, (e as Error).message);
      return;
    }
    this.socket = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      opened = true;
      this.setInfo({ state: 'connected', attempts: 0, reason: null, retryAt: null });
      const q = this.queue;
      this.queue = [];
      for (const item of q) this.sendRaw(item.id, item.data);
    };
    ws.onmessage = (ev) => {
      if (this.socket !== ws) return;
      this.onMessage(ev.data);
    };
    ws.onerror = () => {
      /* a close event always follows */
    };
    ws.onclose = (ev) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.onClosed(ev?.code, ev?.reason);
      if (!opened) this.runDiagnosis();
    };
  }

  reconnectNow(): void {
    if (this.disposed || this.info.state !== 'disconnected') return;
    this.connect();
  }

  /** Stops for good: closes the socket, fails whatever is outstanding, stops reconnecting. */
  dispose(): void {
    this.disposed = true;
    this.clearRetry();
    const ws = this.socket;
    this.socket = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onopen = ws.onerror = null;
      try {
        ws.close(1000, 'closing');
      } catch {
        /* already closed */
      }
    }
    this.failAll(new ApiError('The connection was closed', 'disconnected'));
    this.setInfo({ state: 'disconnected', retryAt: null, reason: 'Closed' });
  }

  invoke<C extends RequestChannel>(channel: C, payload?: RequestOf<C>): Promise<ResponseOf<C>> {
    return new Promise<ResponseOf<C>>((resolve, reject) => {
      if (this.disposed || this.info.state === 'disconnected') {
        reject(new ApiError(`Not connected to ConfSync${this.info.reason ? ` (${this.info.reason})` : ''}`, 'disconnected'));
        return;
      }
      const id = ++this.seq;
      const data = JSON.stringify(payload === undefined ? { id, channel } : { id, channel, payload });
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.info.state === 'connected' && this.socket && this.socket.readyState === OPEN) this.sendRaw(id, data);
      else this.queue.push({ id, data });
    });
  }

  on<C extends PushChannel>(channel: C, listener: (payload: PushOf<C>) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => {
      set!.delete(l);
    };
  }

  private sendRaw(id: number, data: string): void {
    try {
      this.socket!.send(data);
    } catch (e) {
      const p = this.pending.get(id);
      this.pending.delete(id);
      p?.reject(new ApiError(`Could not send the request: ${(e as Error).message}`, 'disconnected'));
    }
  }

  private onMessage(data: unknown): void {
    const warn = this.opts.warn ?? ((m: string) => console.warn(m));
    if (typeof data !== 'string') {
      warn('confsync: ignoring a non-text WebSocket message');
      return;
    }
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(data) as Record<string, unknown>;
    } catch {
      warn('confsync: ignoring a WebSocket message that is not JSON');
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if (typeof msg.push === 'string') {
      const set = this.listeners.get(msg.push);
      if (!set) return;
      for (const l of [...set]) {
        try {
          l(msg.payload);
        } catch (e) {
          console.error(e);
        }
      }
      return;
    }
    const id = msg.id;
    if (typeof id === 'number' && this.pending.has(id)) {
      const p = this.pending.get(id)!;
      this.pending.delete(id);
      if (msg.ok === true) p.resolve(msg.result);
      else p.reject(toApiError(msg.error));
      return;
    }
    if (msg.ok === false) {
      // An error not tied to a request (id null): e.g. a message the host could not parse.
      warn(`confsync: host error: ${toApiError(msg.error).message}`);
    }
  }

  private onClosed(code: number | undefined, reason: string | undefined): void {
    const words = closeReasonWords(code, reason, this.opts.hint ?? null);
    this.failAll(new ApiError(`Lost the connection to ConfSync: ${words}`, 'disconnected'));
    if (this.disposed) return;
    const attempts = this.info.attempts + 1;
    const delay = this.delayFor(attempts);
    this.setInfo({ state: 'disconnected', attempts, reason: words, retryAt: this.timers.now() + delay });
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private runDiagnosis(): void {
    const diagnose = this.opts.diagnose;
    if (!diagnose) return;
    const attempts = this.info.attempts;
    diagnose().then(
      (reason) => {
        // Only while still in the same failed state; a later attempt has its own outcome.
        if (reason && !this.disposed && this.info.state === 'disconnected' && this.info.attempts === attempts) this.setInfo({ reason });
      },
      () => {},
    );
  }

  /** Delay before attempt number `attempts` (1-based): initial·factor^(n-1), capped, ± jitter. */
  delayFor(attempts: number): number {
    const { initialMs, maxMs, factor, jitter } = this.backoff;
    const base = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempts - 1)));
    const j = jitter > 0 ? 1 + (this.random() * 2 - 1) * jitter : 1;
    return Math.round(Math.min(maxMs, base * j));
  }

  private failAll(err: ApiError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.queue = [];
    for (const p of all) p.reject(err);
  }

  private clearRetry(): void {
    if (this.retryTimer != null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setInfo(patch: Partial<ConnectionInfo>): void {
    this.info = { ...this.info, ...patch };
    for (const l of [...this.stateListeners]) l(this.info);
  }
}

function toApiError(e: unknown): ApiError {
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown };
    return new ApiError(cleanErrorMessage(typeof o.message === 'string' ? o.message : 'The host reported an error'), typeof o.code === 'string' ? o.code : 'error');
  }
  return new ApiError('The host reported an error', 'error');
}
