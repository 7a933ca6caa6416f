import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import {
  createSecureWindow,
  hardenSession,
  hardenWebContents,
  isAllowedRequest,
  isOwnRendererUrl,
  rendererUrl,
  secureWebPreferences,
  windowOptions,
  type NavigationEventLike,
  type RendererSource,
  type WebContentsLike,
} from '../../../electron/shell/window-factory';

const prod: RendererSource = { dir: '/Applications/ConfSync.app/Contents/Resources/app.asar/dist/renderer', devServerUrl: null };
const dev: RendererSource = { dir: '/repo/dist/renderer', devServerUrl: 'http://localhost:5173' };

describe('secure options', () => {
  it('webPreferences follow the security checklist', () => {
    expect(secureWebPreferences('/app/dist/preload/preload.cjs')).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it.each(['popover', 'preferences'] as const)('%s window: hidden until positioned, secure prefs', (page) => {
    const o = windowOptions(page, { preload: '/p.cjs', platform: 'darwin' });
    expect(o.show).toBe(false);
    expect(o.webPreferences).toEqual(secureWebPreferences('/p.cjs'));
  });

  it('popover is a frameless, non-resizable, taskbar-less window of the saved size', () => {
    expect(windowOptions('popover', { preload: '/p', platform: 'win32', bounds: { width: 400, height: 500 } })).toMatchObject({
      frame: false,
      resizable: false,
      skipTaskbar: true,
      width: 400,
      height: 500,
    });
  });

  it('preferences use saved bounds, or centre', () => {
    expect(windowOptions('preferences', { preload: '/p', platform: 'linux', bounds: { x: 10, y: 20, width: 900, height: 700 } })).toMatchObject({ x: 10, y: 20, width: 900, height: 700 });
    const o = windowOptions('preferences', { preload: '/p', platform: 'linux', bounds: null });
    expect(o.center).toBe(true);
    expect(o).not.toHaveProperty('x');
  });
});

describe('renderer URLs', () => {
  it('production pages are app://confsync URLs (wherever dist/renderer is), dev pages on the dev server', () => {
    expect(rendererUrl(prod, 'popover')).toBe('app://confsync/popover.html');
    expect(rendererUrl({ dir: '/Users/Zoë Smith/My Apps/dist/renderer', devServerUrl: null }, 'preferences')).toBe('app://confsync/preferences.html');
    expect(rendererUrl(dev, 'preferences')).toBe('http://localhost:5173/preferences.html');
    expect(rendererUrl({ dir: '/x', devServerUrl: 'http://localhost:5173/' }, 'popover')).toBe('http://localhost:5173/popover.html');
  });

  it('own URLs: our pages on app://confsync with any hash or query; nothing else', () => {
    const own = rendererUrl(prod, 'preferences');
    expect(isOwnRendererUrl(own, prod)).toBe(true);
    expect(isOwnRendererUrl('app://confsync/popover.html', prod)).toBe(true);
    expect(isOwnRendererUrl(own + '#conflicts', prod)).toBe(true);
    expect(isOwnRendererUrl(own + '?tab=history', prod)).toBe(true);
    expect(isOwnRendererUrl('app://CONFSYNC/popover.html', prod)).toBe(true); // hosts are case-insensitive
    // file:// is never ours any more, not even the file our page used to be loaded from.
    expect(isOwnRendererUrl('file:///Applications/ConfSync.app/Contents/Resources/app.asar/dist/renderer/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('file:///etc/passwd', prod)).toBe(false);
    expect(isOwnRendererUrl('app://evil/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('app://confsync.evil/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('app://confsync:8080/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('app://user@confsync/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('app://confsync/other.html', prod)).toBe(false);
    expect(isOwnRendererUrl('app://confsync/assets/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('app://confsync/', prod)).toBe(false);
    expect(isOwnRendererUrl('other://confsync/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('https://confsync/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('https://example.com/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('http://localhost:5173/popover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('not a url', prod)).toBe(false);
    expect(isOwnRendererUrl('http://localhost:5173/preferences.html#x', dev)).toBe(true);
    expect(isOwnRendererUrl('http://localhost:5173.evil.com/', dev)).toBe(false);
    expect(isOwnRendererUrl('javascript:alert(1)', dev)).toBe(false);
  });

  it('encoded spellings of our page are ours; encoded traversal is not', () => {
    expect(isOwnRendererUrl('app://confsync/%70opover.html', prod)).toBe(true);
    expect(isOwnRendererUrl('app://confsync/x/%2e%2e/popover.html', prod)).toBe(true); // the URL parser resolves it to /popover.html
    expect(isOwnRendererUrl('app://confsync/x%2f..%2fpopover.html', prod)).toBe(false);
    expect(isOwnRendererUrl('app://confsync/%E0%A4%A.html', prod)).toBe(false);
  });

  it('network: nothing in production; only the dev server (incl. its HMR websocket) in development', () => {
    expect(isAllowedRequest('https://example.com/x.js', prod)).toBe(false);
    expect(isAllowedRequest('http://localhost:5173/popover.html', prod)).toBe(false);
    expect(isAllowedRequest('app://confsync/assets/index.js', prod)).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/x.html', prod)).toBe(true);
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true);
    expect(isAllowedRequest('http://localhost:8080/', dev)).toBe(false);
    expect(isAllowedRequest('https://cdn.example.com/x.js', dev)).toBe(false);
  });
});

function fakeWebContents() {
  const on: Record<string, (event: NavigationEventLike, url: string) => void> = {};
  let openHandler: ((d: { url: string }) => { action: 'deny' } | { action: 'allow' }) | null = null;
  const wc = {
    setWindowOpenHandler: vi.fn((h: typeof openHandler) => {
      openHandler = h;
    }),
    on: vi.fn((event: string, listener: (event: NavigationEventLike, url: string) => void) => {
      on[event] = listener;
    }),
  };
  const navigate = (event: string, url: string) => {
    const e = { preventDefault: vi.fn() };
    on[event](e, url);
    return e.preventDefault.mock.calls.length > 0;
  };
  return { wc: wc as unknown as WebContentsLike, navigate, open: (url: string) => openHandler!({ url }), raw: wc };
}

describe('hardenWebContents', () => {
  it('denies window.open, guards navigation and redirects, blocks webviews', () => {
    const blocked: string[] = [];
    const f = fakeWebContents();
    hardenWebContents(f.wc, prod, (what) => blocked.push(what));
    expect(f.open('https://example.com')).toEqual({ action: 'deny' });
    expect(f.navigate('will-navigate', rendererUrl(prod, 'preferences') + '#general')).toBe(false);
    expect(f.navigate('will-navigate', 'app://confsync/popover.html')).toBe(false);
    expect(f.navigate('will-navigate', 'https://example.com')).toBe(true);
    expect(f.navigate('will-navigate', 'file:///Applications/ConfSync.app/Contents/Resources/app.asar/dist/renderer/popover.html')).toBe(true);
    expect(f.navigate('will-navigate', 'app://evil/popover.html')).toBe(true);
    expect(f.navigate('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(f.navigate('will-redirect', 'app://confsync/other.html')).toBe(true);
    expect(f.navigate('will-attach-webview', '')).toBe(true);
    expect(blocked).toEqual(['window.open', 'navigation', 'navigation', 'navigation', 'redirect', 'redirect', 'webview']);
  });

  it('applies once per webContents', () => {
    const f = fakeWebContents();
    hardenWebContents(f.wc, prod);
    hardenWebContents(f.wc, prod);
    expect(f.raw.setWindowOpenHandler).toHaveBeenCalledOnce();
  });
});

describe('hardenSession', () => {
  it('denies every permission request and check, and cancels foreign network requests', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let check: ((wc: unknown, p: string) => boolean) | null = null;
    let before: ((d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void) | null = null;
    hardenSession(
      {
        setPermissionRequestHandler: (h) => (request = h),
        setPermissionCheckHandler: (h) => (check = h),
        webRequest: { onBeforeRequest: (l) => (before = l) },
      },
      prod,
    );
    for (const p of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      const cb = vi.fn();
      request!({}, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(check!({}, p)).toBe(false);
    }
    const answer = (url: string) => {
      let r: { cancel?: boolean } = {};
      before!({ url }, (x) => (r = x));
      return r.cancel;
    };
    expect(answer('https://tracker.example/p.gif')).toBe(true);
    expect(answer('app://confsync/assets/app.js')).toBe(false);
  });
});

describe('createSecureWindow', () => {
  it('constructs with secure options, hardens, and loads our page', async () => {
    const made: Array<{ options: BrowserWindowConstructorOptions; url: string | null; wc: ReturnType<typeof fakeWebContents> }> = [];
    class FakeBrowserWindow {
      webContents: WebContentsLike;
      private rec: (typeof made)[number];
      constructor(options: BrowserWindowConstructorOptions) {
        const wc = fakeWebContents();
        this.webContents = wc.wc;
        this.rec = { options, url: null, wc };
        made.push(this.rec);
      }
      async loadURL(url: string) {
        this.rec.url = url;
      }
    }
    const { load } = createSecureWindow(FakeBrowserWindow, 'popover', { source: prod, preload: '/p.cjs', platform: 'darwin' });
    await load;
    expect(made).toHaveLength(1);
    expect(made[0].options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/p.cjs' });
    expect(made[0].url).toBe(rendererUrl(prod, 'popover'));
    expect(made[0].wc.open('https://x')).toEqual({ action: 'deny' });
  });

  it('a failed load is reported, not thrown', async () => {
    class Failing {
      webContents = fakeWebContents().wc;
      async loadURL(): Promise<void> {
        throw new Error('ERR_FILE_NOT_FOUND');
      }
    }
    const onLoadError = vi.fn();
    await createSecureWindow(Failing, 'preferences', { source: prod, preload: '/p', platform: 'linux', onLoadError }).load;
    expect(onLoadError).toHaveBeenCalledWith(expect.objectContaining({ message: 'ERR_FILE_NOT_FOUND' }));
  });
});
