/**
 * One configured peer URL: keeps a WebSocket to it open, reconnecting after any loss with exponential
 * backoff and jitter (never sooner than a rate-limit block on that peer allows). The hub does the
 * talking; this only owns the connection's life.
 */
import { WebSocket } from 'ws';
import type { PeerState } from '../../../shared/state.js';
import { reconnectDelay, type BackoffOptions } from './backoff.js';
import type { Clock, TimerHandle } from './clock.js';
import { PeerLink } from './link.js';
import { MAX_FRAME_BYTES } from './protocol.js';

export interface PeerClientOptions {
  clock: Clock;
  backoff: BackoffOptions;
  /** Rate-limit block on this peer's address: no reconnect before it ends. */
  blockedUntil(address: string): number;
  onLink(link: PeerLink): void;
  onLinkClosed(link: PeerLink, code: number): void;
  onChange(): void;
}

export class PeerClient {
  readonly address: string;
  link: PeerLink | null = null;
  state: PeerState;
  /** Reconnect attempts since the last authenticated connection. */
  attempts = 0;
  /** A "check the secret" error was reported since the last authenticated connection. */
  warned = false;
  private timer: TimerHandle | null = null;
  private ws: WebSocket | null = null;
  private stopped = true;

  constructor(
    readonly url: string,
    private readonly o: PeerClientOptions,
  ) {
    this.address = new URL(url).host;
    this.state = { url, connected: false, lastHeartbeat: null, lastHint: null, rejected: 0 };
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** The peer proved it holds the secret: the next loss starts the backoff from the beginning. */
  authenticated(): void {
    this.attempts = 0;
    this.warned = false;
  }

  private connect(): void {
    if (this.stopped) return;
    this.timer = null;
    const ws = new WebSocket(this.url, { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, handshakeTimeout: 10_000, followRedirects: false });
    this.ws = ws;
    let link: PeerLink | null = null;
    ws.on('open', () => {
      if (this.stopped) {
        ws.terminate();
        return;
      }
      link = new PeerLink(ws, 'outbound', this.address, this.url, this.o.clock.now());
      this.link = link;
      this.state = { ...this.state, connected: true };
      this.o.onLink(link);
      this.o.onChange();
    });
    // Errors always end in 'close' (or in nothing, for a failed handshake: handled there too).
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (this.ws === ws) this.ws = null;
      if (link) {
        link.closed = true;
        this.o.onLinkClosed(link, code);
        if (this.link === link) this.link = null;
      }
      if (this.state.connected) {
        this.state = { ...this.state, connected: false };
        this.o.onChange();
      }
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    const now = this.o.clock.now();
    const delay = Math.max(reconnectDelay(this.attempts++, this.o.backoff), this.o.blockedUntil(this.address) - now);
    this.timer = this.o.clock.setTimeout(() => this.connect(), delay);
  }

  update(patch: Partial<PeerState>): void {
    this.state = { ...this.state, ...patch };
    this.o.onChange();
  }

  /** Stops reconnecting and cuts the socket (callers send bye and close the link first). */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== ws.OPEN && ws.readyState !== ws.CLOSED) ws.terminate();
    if (this.state.connected) this.state = { ...this.state, connected: false };
  }
}
