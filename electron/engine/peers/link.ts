/**
 * One open WebSocket to a peer, in either direction: the server's view of a connected client
 * ("inbound") or one of our own client connections ("outbound"). It knows who is on the other end,
 * when we last heard from them, and whether they have ever proven they hold the secret.
 */
import type { WebSocket } from 'ws';

export type LinkRole = 'inbound' | 'outbound';

export class PeerLink {
  private static nextId = 1;
  readonly id = PeerLink.nextId++;
  /** Set by the first message that passed verification. */
  authenticated = false;
  /** Host name the peer announced in a verified message. */
  peerHost: string | null = null;
  /** Last verified message or pong. */
  lastSeen: number;
  lastHeartbeat: number | null = null;
  closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly role: LinkRole,
    /** Rate-limit key and audit "from": the remote IP (inbound) or the peer's host:port (outbound). */
    readonly address: string,
    /** For audit lines: address plus the remote port (inbound) or the URL (outbound). */
    readonly label: string,
    readonly openedAt: number,
  ) {
    this.lastSeen = openedAt;
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  send(frame: string): void {
    if (!this.open) return;
    try {
      this.ws.send(frame);
    } catch {}
  }

  ping(): void {
    if (!this.open) return;
    try {
      this.ws.ping();
    } catch {}
  }

  /** Why this link should be dropped now, or null while it is healthy. */
  deadReason(now: number, deadMs: number): string | null {
    if (!this.authenticated && now - this.openedAt > deadMs) return 'never authenticated';
    if (now - this.lastSeen > deadMs) return 'no heartbeat';
    return null;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ws.close(code, reason);
    } catch {}
    // A peer that does not finish the closing handshake is cut off.
    const t = setTimeout(() => this.terminate(), 2000);
    t.unref?.();
    this.ws.once('close', () => clearTimeout(t));
  }

  terminate(): void {
    this.closed = true;
    try {
      this.ws.terminate();
    } catch {}
  }
}

/** "::ffff:127.0.0.1" → "127.0.0.1", so one machine is one address whichever stack it came in on. */
export function normalizeAddress(a: string | undefined): string {
  if (!a) return 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
