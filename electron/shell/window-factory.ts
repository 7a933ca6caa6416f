/**
 * The one way ConfSync makes a BrowserWindow (Electron's security checklist, applied in one place):
 *
 * - webPreferences: contextIsolation, sandbox, no nodeIntegration (also not in workers/subframes),
 *   webSecurity, no webview tag, no insecure content, our preload only.
 * - window.open / target=_blank: denied.
 * - navigation (will-navigate, will-redirect): only to our own renderer pages (`app://confsync/<page>.html`,
 *   served by app-protocol.ts; the dev server's origin in development).
 * - <webview>: never attached.
 * - permission requests and checks (camera, notifications from the page, clipboard, ...): denied.
 * - network: the renderer talks to the engine over IPC only, so every http(s)/ws(s) request from the
 *   session is cancelled, except to the dev server in development (see `isAllowedRequest`).
 *
 * Pages come from the custom `app://` protocol, not `file://`: a real origin (`app://confsync`) that
 * grants nothing beyond itself, and responses that carry headers, so the CSP is also sent as an HTTP
 * header (app-protocol.ts) besides the meta tag in the renderer's HTML. We do not add a header for the
 * dev server (Vite's React preamble needs inline scripts there). The network block above holds
 * whatever the page's CSP says.
 *
 * Everything that decides (URLs, options) is a pure function; `createSecureWindow` and the `harden*`
 * functions only wire those decisions onto Electron objects passed in.
 */
import type { BrowserWindowConstructorOptions, Rectangle, WebPreferences } from 'electron';
import { APP_HOST, APP_ORIGIN, APP_SCHEME } from './app-protocol.js';

export type RendererPage = 'popover' | 'preferences';
export const RENDERER_PAGES: readonly RendererPage[] = ['popover', 'preferences'];

/** Where the renderer comes from. */
export interface RendererSource {
  /** Folder with popover.html / preferences.html (dist/renderer), served as app://confsync/. */
  dir: string;
  /** Dev server origin, e.g. http://localhost:5173 (CONFSYNC_RENDERER_URL); null in production. */
  devServerUrl: string | null;
}

export function rendererUrl(source: RendererSource, page: RendererPage): string {
  if (source.devServerUrl) return new URL(`${page}.html`, source.devServerUrl.replace(/\/?$/, '/')).href;
  return `${APP_ORIGIN}/${page}.html`;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * True for our own renderer pages only: in production one of the page files on `app://confsync`
 * (any hash or query), in development any path on the dev server's origin. `file://` is never ours.
 */
export function isOwnRendererUrl(url: string, source: RendererSource): boolean {
  const u = parse(url);
  if (!u) return false;
  if (source.devServerUrl) {
    const dev = parse(source.devServerUrl);
    if (dev && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin) return true;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.hostname.toLowerCase() !== APP_HOST || u.port || u.username || u.password) return false;
  const path = safeDecode(u.pathname);
  return RENDERER_PAGES.some((p) => path === `/${p}.html`);
}

/** Network requests from our session: none, except to the dev server (http and its HMR websocket). */
export function isAllowedRequest(url: string, source: RendererSource): boolean {
  const u = parse(url);
  if (!u) return false;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) return true; // app:, devtools:, data:, blob: are not network
  if (!source.devServerUrl) return false;
  const dev = parse(source.devServerUrl);
  return !!dev && u.host === dev.host && u.hostname === dev.hostname;
}

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
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
  };
}

export const POPOVER_SIZE = { width: 360, height: 520 } as const;
export const PREFERENCES_SIZE = { width: 820, height: 600 } as const;

export function windowOptions(
  page: RendererPage,
  opts: { preload: string; platform: NodeJS.Platform; bounds?: Partial<Rectangle> | null },
): BrowserWindowConstructorOptions {
  const webPreferences = secureWebPreferences(opts.preload);
  const b = opts.bounds ?? {};
  if (page === 'popover') {
    return {
      width: b.width ?? POPOVER_SIZE.width,
      height: b.height ?? POPOVER_SIZE.height,
      show: false,
      frame: false,
      resizable: false,
      movable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      skipTaskbar: true,
      alwaysOnTop: true,
      title: 'ConfSync',
      webPreferences,
    };
  }
  return {
    width: b.width ?? PREFERENCES_SIZE.width,
    height: b.height ?? PREFERENCES_SIZE.height,
    ...(b.x !== undefined && b.y !== undefined ? { x: b.x, y: b.y } : { center: true }),
    minWidth: 640,
    minHeight: 420,
    show: false,
    title: 'ConfSync Preferences',
    fullscreenable: false,
    webPreferences,
  };
}

// ---- wiring onto Electron objects (structural types so tests can pass fakes) ----

export interface NavigationEventLike {
  preventDefault(): void;
}

export interface WebContentsLike {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEventLike, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: NavigationEventLike, ...rest: unknown[]) => void): unknown;
}

export interface PermissionSessionLike {
  setPermissionRequestHandler(handler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((wc: unknown, permission: string) => boolean) | null): void;
}

export interface RequestSessionLike {
  webRequest: {
    onBeforeRequest(listener: (details: { url: string }, callback: (response: { cancel?: boolean }) => void) => void): void;
  };
}

const hardened = new WeakSet<object>();

/**
 * Applies the per-webContents rules, once per webContents (main.ts also calls it from
 * 'web-contents-created' as a safety net, which runs before the factory's own call).
 */
export function hardenWebContents(
  wc: WebContentsLike,
  source: RendererSource,
  onBlocked: (what: string, url: string) => void = () => {},
): void {
  if (hardened.has(wc)) return;
  hardened.add(wc);
  wc.setWindowOpenHandler(({ url }) => {
    onBlocked('window.open', url);
    return { action: 'deny' };
  });
  const guard = (kind: string) => (event: NavigationEventLike, url: string) => {
    if (!isOwnRendererUrl(url, source)) {
      event.preventDefault();
      onBlocked(kind, url);
    }
  };
  wc.on('will-navigate', guard('navigation'));
  wc.on('will-redirect', guard('redirect'));
  wc.on('will-attach-webview', (event) => {
    event.preventDefault();
    onBlocked('webview', '');
  });
}

/** Denies every permission request and check; cancels every network request except the dev server. */
export function hardenSession(session: PermissionSessionLike & RequestSessionLike, source: RendererSource, onBlocked: (what: string, url: string) => void = () => {}): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    onBlocked(`permission ${permission}`, '');
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, source);
    if (!allowed) onBlocked('network request', details.url);
    callback({ cancel: !allowed });
  });
}

export interface SecureWindowLike {
  webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
}

export type WindowConstructor<W> = new (options: BrowserWindowConstructorOptions) => W;

/**
 * Makes a window with the secure options, hardens its webContents and loads our page.
 * `load` is returned so callers can wait for the first paint; a failed load is reported, not thrown.
 */
export function createSecureWindow<W extends SecureWindowLike>(
  Ctor: WindowConstructor<W>,
  page: RendererPage,
  opts: {
    source: RendererSource;
    preload: string;
    platform: NodeJS.Platform;
    bounds?: Partial<Rectangle> | null;
    onBlocked?: (what: string, url: string) => void;
    onLoadError?: (err: Error) => void;
  },
): { window: W; load: Promise<void> } {
  const window = new Ctor(windowOptions(page, { preload: opts.preload, platform: opts.platform, bounds: opts.bounds }));
  hardenWebContents(window.webContents, opts.source, opts.onBlocked);
  const load = window.loadURL(rendererUrl(opts.source, page)).catch((e: unknown) => {
    opts.onLoadError?.(e instanceof Error ? e : new Error(String(e)));
  });
  return { window, load };
}
