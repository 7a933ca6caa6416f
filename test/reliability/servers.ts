/**
 * Network fault tools for the remote-faults suite, all on 127.0.0.1:
 *   - FaultProxy: a TCP proxy in front of a real git server that can pass, refuse, stall, let only the
 *     first N connections through, drip bytes slowly, or cut a connection after N uploaded bytes
 *     (a push dying mid-transfer);
 *   - HttpGitServer: git's smart HTTP protocol through `git http-backend` (CGI, run per request), with
 *     optional Basic auth, so authentication failures are real ones.
 */
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'stall' }
  | { kind: 'allow'; connections: number }
  | { kind: 'cut-upload-after'; bytes: number }
  | { kind: 'drip'; delayMs: number; chunk: number; upload?: boolean };

export class FaultProxy {
  private server: TcpServer | null = null;
  private sockets = new Set<Socket>();
  port = 0;
  connections = 0;
  mode: ProxyMode = { kind: 'pass' };
  /** Runs (synchronously) before connection number `n` is forwarded: a concurrent push lands "now". */
  beforeConnect: { n: number; run: () => void } | null = null;

  constructor(readonly targetPort: number) {}

  async start(): Promise<void> {
    this.server = createTcpServer((client) => this.onConnection(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  set(mode: ProxyMode): void {
    this.mode = mode;
    this.connections = 0;
  }

  readonly log: string[] = [];

  private onConnection(client: Socket): void {
    this.connections++;
    const n = this.connections;
    client.once('data', (d) => this.log.push(`#${n} ${this.mode.kind}: ${d.subarray(4, 40).toString('latin1').split('\0')[0]}`));
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    const mode = this.mode;
    if (mode.kind === 'refuse' || (mode.kind === 'allow' && this.connections > mode.connections)) {
      client.destroy();
      return;
    }
    if (mode.kind === 'stall') return; // accept, then say nothing, ever
    if (this.beforeConnect && this.beforeConnect.n === this.connections) {
      const hook = this.beforeConnect;
      this.beforeConnect = null;
      hook.run();
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    if (mode.kind === 'cut-upload-after') {
      let up = 0;
      client.on('data', (d) => {
        up += d.length;
        if (up > mode.bytes) {
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(d);
      });
      upstream.pipe(client);
      return;
    }
    if (mode.kind === 'drip') {
      // Bytes in one direction trickle (server → client, or client → server with `upload`): slow,
      // but never silent for long.
      const [from, to] = mode.upload ? [client, upstream] : [upstream, client];
      let queue = Promise.resolve();
      from.on('data', (d: Buffer) => {
        from.pause();
        queue = queue.then(async () => {
          for (let i = 0; i < d.length; i += mode.chunk) {
            await new Promise((r) => setTimeout(r, mode.delayMs));
            if (!to.destroyed) to.write(d.subarray(i, i + mode.chunk));
          }
          from.resume();
        });
      });
      from.on('end', () => void queue.then(() => to.end()));
      to.pipe(from);
      return;
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }
}

const HTTP_BACKEND = ['/usr/lib/git-core/git-http-backend', '/usr/libexec/git-core/git-http-backend'].find((p) => existsSync(p));

export function hasHttpBackend(): boolean {
  return !!HTTP_BACKEND;
}

/** Smart HTTP over `git http-backend`; repos under `root` at http://127.0.0.1:PORT/<name>. */
export class HttpGitServer {
  private server: HttpServer | null = null;
  port = 0;
  requests = 0;
  rejectedAuth = 0;

  constructor(
    readonly root: string,
    readonly auth: { user: string; password: string } | null = null,
  ) {}

  url(name: string, creds?: { user: string; password: string }): string {
    const u = creds ? `${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@` : '';
    return `http://${u}127.0.0.1:${this.port}/${name}`;
  }

  async start(): Promise<void> {
    if (!HTTP_BACKEND) throw new Error('git http-backend not found');
    this.server = createHttpServer((req, res) => {
      this.requests++;
      let user = '';
      if (this.auth) {
        const h = req.headers.authorization ?? '';
        const [scheme, b64] = h.split(' ');
        const [u, ...rest] = Buffer.from(b64 ?? '', 'base64').toString('utf8').split(':');
        if (scheme !== 'Basic' || u !== this.auth.user || rest.join(':') !== this.auth.password) {
          this.rejectedAuth++;
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="confsync-test"', 'content-type': 'text/plain' }).end('auth required\n');
          return;
        }
        user = u;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const cgi = spawn(HTTP_BACKEND!, [], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          GIT_PROJECT_ROOT: this.root,
          GIT_HTTP_EXPORT_ALL: '1',
          REQUEST_METHOD: req.method ?? 'GET',
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.replace(/^\?/, ''),
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
          ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
          ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
          REMOTE_ADDR: '127.0.0.1',
          ...(user ? { REMOTE_USER: user } : {}),
          GIT_CONFIG_NOSYSTEM: '1',
          HOME: this.root,
        },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      req.pipe(cgi.stdin);
      cgi.stdin.on('error', () => undefined);
      let head = Buffer.alloc(0);
      let headersDone = false;
      cgi.stdout.on('data', (d: Buffer) => {
        if (headersDone) {
          res.write(d);
          return;
        }
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        headersDone = true;
        let status = 200;
        const headers: Record<string, string> = {};
        for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
          const i = line.indexOf(':');
          const k = line.slice(0, i).trim();
          const v = line.slice(i + 1).trim();
          if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
          else headers[k] = v;
        }
        res.writeHead(status, headers);
        res.write(head.subarray(end + 4));
      });
      cgi.on('close', () => {
        if (!headersDone) res.writeHead(500).end();
        else res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }
}
