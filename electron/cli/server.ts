/**
 * The headless host's loopback server: the built renderer over HTTP and the contract over a WebSocket
 * (`/api`). Bound to 127.0.0.1 only; every request needs the random token printed at start (as
 * `?token=` once, then an HttpOnly SameSite=Strict cookie). The Host header must be our loopback
 * address (DNS-rebinding guard) and a browser's Origin must be our own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WireRequest, ContractError, describeZodError, type WireMessage } from '../../shared/contract.js';
import type { RequestHandler } from '../engine/api.js';
import type { AppStore } from '../engine/state/app-store.js';

export interface UiServerOptions {
  handle: RequestHandler;
  store: AppStore;
  /** dist/renderer; null serves no pages (API only). */
  staticDir: string | null;
  port?: number;
  /** When `port` is taken, serve on any free port instead of failing (a remembered port, not one asked for). */
  anyPortIfTaken?: boolean;
  token?: string;
  /** Max WebSocket frame; the contract's biggest request is a profile definition. */
  maxPayload?: number;
}

export interface UiServer {
  url: string;
  port: number;
  /** The port asked for when it was taken and another one was used (anyPortIfTaken). */
  portTaken: number | null;
  token: string;
  close(): Promise<void>;
  server: Server;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const TOKEN_RE = /^[A-Za-z0-9_-]{32,256}$/;

/** A new random token: 24 bytes, base64url (32 characters). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The UI's access token, kept in a 0600 file in the config dir so a bookmarked address keeps working
 * across restarts. A new one is made when there is none, when `renew` is asked (`confsync daemon
 * --new-token`), when the file holds no valid token, or when others could read it (its mode is looser
 * than 0600, so it may have leaked). Written to a temporary 0600 file first, then renamed into place.
 */
export function loadUiToken(file: string, o: { renew?: boolean } = {}): { token: string; created: boolean; why: string | null } {
  let why: string | null = o.renew ? 'a new token was asked for' : null;
  if (!o.renew) {
    try {
      const st = statSync(file);
      const text = readFileSync(file, 'utf8').trim();
      if ((st.mode & 0o077) !== 0) why = `${file} could be read by other users (mode ${(st.mode & 0o777).toString(8)})`;
      else if (!TOKEN_RE.test(text)) why = `${file} held no valid token`;
      else return { token: text, created: false, why: null };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') why = `${file} could not be read (${(e as Error).message})`;
    }
  }
  const token = newToken();
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600); // a umask cannot loosen it, but be explicit
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return { token, created: true, why };
}

/** The port the UI was served on last time (from the config dir), or null. */
export function rememberedPort(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 && n <= 65_535 ? n : null;
  } catch {
    return null;
  }
}

export function rememberPort(file: string, port: number): void {
  try {
    if (rememberedPort(file) !== port) writeFileSync(file, `${port}\n`);
  } catch {
    // best effort: the next start picks a free port again
  }
}

function cookieToken(req: IncomingMessage): string | null {
  const m = /(?:^|;\s*)confsync_token=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '');
  return m ? m[1] : null;
}

export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  const token = o.token ?? newToken();
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const security = (res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  const server = createServer((req, res) => {
    security(res);
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const q = url.searchParams.get('token');
    const authed = sameToken(q, token) || sameToken(cookieToken(req), token);
    if (!authed) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('ConfSync: a token is required. Open the URL that `confsync daemon --ui` printed.\n');
      return;
    }
    if (sameToken(q, token)) {
      // The token lasts until `confsync daemon --new-token`, so the cookie may too: a bookmark of the
      // bare address keeps working (400 days, the longest browsers keep a cookie).
      res.setHeader('Set-Cookie', `confsync_token=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=34560000`);
    }
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, phase: o.store.getState().phase }));
      return;
    }
    if (!o.staticDir) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('This daemon serves no UI (start it with --ui)\n');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = normalize(join(o.staticDir, rel));
    if (!file.startsWith(normalize(o.staticDir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const origin = req.headers.origin;
    const ok =
      url.pathname === '/api' &&
      allowedHosts().has(req.headers.host ?? '') &&
      (origin === undefined || allowedOrigins().has(origin)) &&
      (sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token));
    if (!ok) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, m: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
    ws.on('message', async (data, isBinary) => {
      let id: number | null = null;
      try {
        if (isBinary) throw new ContractError('binary frames are not accepted', 'invalid-payload');
        let raw: unknown;
        try {
          raw = JSON.parse(data.toString());
        } catch {
          throw new ContractError('message is not JSON', 'invalid-payload');
        }
        const r = WireRequest.safeParse(raw);
        if (!r.success) {
          const maybeId = (raw as { id?: unknown })?.id;
          if (typeof maybeId === 'number') id = maybeId;
          throw new ContractError(`malformed request: ${describeZodError(r.error)}`, 'invalid-payload');
        }
        id = r.data.id;
        const result = await o.handle(r.data.channel, r.data.payload);
        send(ws, { id, ok: true, result });
      } catch (e) {
        const code = e instanceof ContractError ? e.code : 'handler-error';
        send(ws, { id, ok: false, error: { code, message: (e as Error).message } });
      }
    });
  });

  // State pushes, coalesced to at most one per 100 ms.
  let pending: NodeJS.Timeout | null = null;
  const unsub = o.store.subscribe(() => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      const payload = o.store.getState();
      for (const ws of clients) send(ws, { push: 'state:changed', payload });
    }, 100);
  });

  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => {
        server.off('listening', ok);
        reject(e);
      };
      const ok = () => {
        server.off('error', fail);
        resolve();
      };
      server.once('error', fail);
      server.once('listening', ok);
      server.listen(p, '127.0.0.1');
    });
  let portTaken: number | null = null;
  try {
    await listen(o.port ?? 0);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!o.anyPortIfTaken || !o.port || (code !== 'EADDRINUSE' && code !== 'EACCES')) {
      unsub();
      throw code === 'EADDRINUSE' ? new Error(`port ${o.port} on 127.0.0.1 is in use by another program; choose another with --port N (or ui.port), or 0 for any free port`) : e;
    }
    portTaken = o.port;
    await listen(0);
  }
  port = (server.address() as { port: number }).port;
  return {
    port,
    portTaken,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    server,
    close: async () => {
      unsub();
      if (pending) clearTimeout(pending);
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
