/**
 * The hint server: HTTP on the configured host:port with
 *   GET  /health   JSON status (counts only; no audit lines, no addresses)
 *   WS   /hints    the signed hint channel (frames over 4 KB close the connection)
 * Upgrades from an address the rate limiter has blocked are refused with 429, and beyond `maxClients`
 * open connections with 503.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from './protocol.js';
import { normalizeAddress } from './link.js';

export interface HintServerOptions {
  host: string;
  port: number;
  maxClients?: number;
  isBlocked(address: string): boolean;
  onConnection(ws: WebSocket, address: string, label: string): void;
  onRefused(address: string, why: 'rate-limited' | 'too-many-clients'): void;
  health(): Record<string, unknown>;
}

export const HINTS_PATH = '/hints';
export const HEALTH_PATH = '/health';

export class HintServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private address: { host: string; port: number } | null = null;

  constructor(private readonly o: HintServerOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, clientTracking: true });
    this.http = createServer((req, res) => {
      const path = pathOf(req);
      if (path !== HEALTH_PATH) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      const body = JSON.stringify(this.o.health());
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
    });
    this.http.headersTimeout = 10_000;
    this.http.requestTimeout = 10_000;
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.http.on('clientError', (_e, socket) => socket.destroy());
  }

  get clients(): number {
    return this.wss.clients.size;
  }

  /** "host:port" once listening. */
  get listening(): string | null {
    if (!this.address) return null;
    const h = this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host;
    return `${h}:${this.address.port}`;
  }

  get port(): number | null {
    return this.address?.port ?? null;
  }

  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.http.once('error', onError);
      this.http.listen(this.o.port, this.o.host, () => {
        this.http.off('error', onError);
        const a = this.http.address();
        this.address = a && typeof a === 'object' ? { host: this.o.host, port: a.port } : { host: this.o.host, port: this.o.port };
        resolve(this.listening!);
      });
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (pathOf(req) !== HINTS_PATH) return refuse('404 Not Found');
    const address = normalizeAddress(req.socket.remoteAddress);
    if (this.o.isBlocked(address)) {
      this.o.onRefused(address, 'rate-limited');
      return refuse('429 Too Many Requests');
    }
    if (this.wss.clients.size >= (this.o.maxClients ?? 64)) {
      this.o.onRefused(address, 'too-many-clients');
      return refuse('503 Service Unavailable');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.o.onConnection(ws, address, `${address}:${req.socket.remotePort ?? '?'}`);
    });
  }

  /** Stops accepting, cuts whatever is still connected (callers say bye first), frees the port. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.http.closeAllConnections?.();
    await new Promise<void>((r) => this.http.close(() => r()));
    this.address = null;
  }
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    return '';
  }
}
