/**
 * The `app://` protocol: production pages load from `app://confsync/popover.html` instead of
 * `file://…/dist/renderer/popover.html` (Electron security checklist, "avoid the file protocol").
 *
 * - The scheme is registered as privileged before `ready` (`registerAppScheme`): standard (relative
 *   URLs and a real origin, `app://confsync`), secure (treated like https: no mixed-content downgrade),
 *   supportFetchAPI. Nothing else: no CSP bypass, no service workers, no CORS.
 * - `resolveAppRequest` decides every request, as a pure function of (request URL, method, renderer
 *   dir): only GET/HEAD, only host `confsync`, only files below the renderer dir with a known type.
 *   `..` in any spelling (`%2e%2e`, `%2f`, `%5c`), NUL, dot-files, credentials and ports are refused.
 * - `createAppProtocolHandler` turns that decision into a `Response` (reading the file through an
 *   injected `readFile`, which in Electron also reads inside app.asar); main.ts hands it to
 *   `protocol.handle(APP_SCHEME, …)`.
 *
 * Every response carries the CSP as an HTTP header. The page's own `<meta>` CSP stays (the same HTML
 * is served by the headless host); both apply, so the header can only narrow it. The header drops
 * the meta tag's `ws://127.0.0.1:* ws://localhost:*` (the Electron renderer talks over IPC only) and
 * adds what a meta tag cannot say (`frame-ancestors`).
 */
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'confsync';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The privileges `protocol.registerSchemesAsPrivileged` gets for `app:`. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

export interface PrivilegedSchemeRegistrar {
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges: typeof APP_SCHEME_PRIVILEGES }>): void;
}

/** Must run before the app is ready (Electron only accepts it then). */
export function registerAppScheme(protocol: PrivilegedSchemeRegistrar): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** What we serve, by extension. Anything else is 404: the renderer build has no other file types. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

export interface AppResponse {
  status: 200 | 400 | 403 | 404 | 405;
  headers: Record<string, string>;
  /** Absolute path of the file to send (status 200 only). */
  path: string | null;
  /** Why a request was refused (for the log); null when served. */
  reason: string | null;
}

function refuse(status: AppResponse['status'], reason: string): AppResponse {
  const headers: Record<string, string> = { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' };
  if (status === 405) headers.Allow = 'GET, HEAD';
  return { status, headers, path: null, reason };
}

/**
 * Decides one `app://` request. Pure: no file system access (a missing file is the handler's 404).
 */
export function resolveAppRequest(url: string, rendererDir: string, method = 'GET'): AppResponse {
  if (method !== 'GET' && method !== 'HEAD') return refuse(405, `method ${method}`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return refuse(400, 'not a URL');
  }
  if (u.protocol !== `${APP_SCHEME}:`) return refuse(400, `scheme ${u.protocol}`);
  if (u.hostname.toLowerCase() !== APP_HOST || u.port !== '' || u.username !== '' || u.password !== '') return refuse(403, `host ${u.host || '(none)'}`);
  // Split the still-encoded path, so an encoded "/" or "\" cannot create a segment boundary.
  const raw = u.pathname.split('/').slice(1);
  const segments: string[] = [];
  for (const part of raw) {
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return refuse(400, 'malformed escape');
    }
    if (seg === '' || seg === '.' || seg === '..' || seg.startsWith('.') || /[/\\\0:]/.test(seg)) return refuse(404, `path ${u.pathname}`);
    segments.push(seg);
  }
  if (segments.length === 0) return refuse(404, 'no file');
  const root = resolve(rendererDir);
  const file = resolve(root, ...segments);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || !file.startsWith(root + sep)) return refuse(403, `outside the renderer: ${u.pathname}`);
  const type = MIME_TYPES[extname(file).toLowerCase()];
  if (!type) return refuse(404, `type of ${u.pathname}`);
  return { status: 200, headers: { ...BASE_HEADERS, 'Content-Type': type }, path: file, reason: null };
}

export interface AppRequestLike {
  url: string;
  method: string;
}

/**
 * The `protocol.handle` callback: decides with `resolveAppRequest`, then reads the file. A file that
 * does not exist (or is a folder) is 404; refusals are reported through `onRefused`.
 */
export function createAppProtocolHandler(
  rendererDir: string,
  readFile: (path: string) => Promise<Uint8Array>,
  onRefused: (url: string, status: number, reason: string) => void = () => {},
): (request: AppRequestLike) => Promise<Response> {
  return async (request) => {
    const r = resolveAppRequest(request.url, rendererDir, request.method);
    if (r.status !== 200 || !r.path) {
      onRefused(request.url, r.status, r.reason ?? '');
      return new Response(null, { status: r.status, headers: r.headers });
    }
    let body: Uint8Array;
    try {
      body = await readFile(r.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException)?.code ?? String(e);
      onRefused(request.url, 404, `cannot read: ${code}`);
      return new Response(null, { status: 404, headers: { ...r.headers, 'Content-Type': 'text/plain; charset=utf-8' } });
    }
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: { ...r.headers, 'Content-Length': String(body.byteLength) },
    });
  };
}
