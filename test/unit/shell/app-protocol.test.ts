import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP_CSP,
  createAppProtocolHandler,
  registerAppScheme,
  resolveAppRequest,
  type PrivilegedSchemeRegistrar,
} from '../../../electron/shell/app-protocol';
import { isOwnRendererUrl, rendererUrl, RENDERER_PAGES } from '../../../electron/shell/window-factory';

const dir = '/Applications/ConfSync.app/Contents/Resources/app.asar/dist/renderer';

describe('registerAppScheme', () => {
  it('registers app: as standard, secure and fetch-capable, and grants nothing else', () => {
    const calls: unknown[] = [];
    const protocol: PrivilegedSchemeRegistrar = { registerSchemesAsPrivileged: (s) => calls.push(s) };
    registerAppScheme(protocol);
    expect(calls).toEqual([[{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]]);
  });
});

describe('resolveAppRequest', () => {
  it('serves our pages and assets from the renderer dir with their types and the security headers', () => {
    const page = resolveAppRequest('app://confsync/popover.html', dir);
    expect(page).toMatchObject({ status: 200, path: `${dir}/popover.html`, reason: null });
    expect(page.headers).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': APP_CSP,
      'X-Content-Type-Options': 'nosniff',
    });
    expect(resolveAppRequest('app://confsync/assets/popover-BGeDpS7B.js', dir)).toMatchObject({
      status: 200,
      path: `${dir}/assets/popover-BGeDpS7B.js`,
      headers: { 'Content-Type': 'text/javascript; charset=utf-8' },
    });
    expect(resolveAppRequest('app://confsync/assets/common-DwAD3D0u.css', dir).headers['Content-Type']).toBe('text/css; charset=utf-8');
    expect(resolveAppRequest('app://confsync/favicon.svg', dir).headers['Content-Type']).toBe('image/svg+xml');
    expect(resolveAppRequest('app://confsync/icon.PNG', dir).headers['Content-Type']).toBe('image/png');
  });

  it('query and hash do not change the file; HEAD is allowed', () => {
    expect(resolveAppRequest('app://confsync/preferences.html?x=1#conflicts', dir).path).toBe(`${dir}/preferences.html`);
    expect(resolveAppRequest('app://confsync/preferences.html', dir, 'HEAD').status).toBe(200);
  });

  it('every page the windows load is served, and every served page passes the navigation guard', () => {
    for (const page of RENDERER_PAGES) {
      const url = rendererUrl({ dir, devServerUrl: null }, page);
      expect(resolveAppRequest(url, dir)).toMatchObject({ status: 200, path: `${dir}/${page}.html` });
      expect(isOwnRendererUrl(url, { dir, devServerUrl: null })).toBe(true);
    }
  });

  it.each([
    ['app://confsync/../../../etc/passwd'],
    ['app://confsync/%2e%2e/%2e%2e/%2e%2e/etc/passwd'],
    ['app://confsync/assets/%2E%2E/%2E%2E/package.json'],
  ])('traversal the URL parser resolves stays inside the renderer dir: %s', (url) => {
    const r = resolveAppRequest(url, dir);
    // The parser folds the dots away; what remains is looked up inside dir (and is not a served type, or missing).
    if (r.path) expect(r.path.startsWith(`${dir}/`)).toBe(true);
  });

  it.each([
    ['app://confsync/..%2f..%2fpackage.json', 404],
    ['app://confsync/assets%2f..%2f..%2fpackage.json', 404],
    ['app://confsync/..%5c..%5cpackage.json', 404],
    ['app://confsync/%2e%2e%2fpackage.json', 404],
    ['app://confsync/a%00.html', 404],
    ['app://confsync/.env', 404],
    ['app://confsync/assets/.hidden.js', 404],
    ['app://confsync/C:%5cWindows%5cwin.ini', 404],
    ['app://confsync//etc/passwd', 404],
    ['app://confsync/', 404],
    ['app://confsync', 404],
    ['app://confsync/%E0%A4%A.html', 400],
    ['app://confsync/package', 404], // no type
    ['app://confsync/main.js.exe', 404],
    ['app://evil/popover.html', 403],
    ['app://confsync.evil/popover.html', 403],
    ['app://confsync:1234/popover.html', 403],
    ['app://me:pw@confsync/popover.html', 403],
    ['file:///etc/passwd', 400],
    ['https://confsync/popover.html', 400],
    ['not a url', 400],
  ] as const)('refuses %s (%i)', (url, status) => {
    const r = resolveAppRequest(url, dir);
    expect(r.status).toBe(status);
    expect(r.path).toBeNull();
    expect(r.reason).toEqual(expect.any(String));
    expect(r.headers['Content-Security-Policy']).toBe(APP_CSP);
  });

  it('only GET and HEAD', () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = resolveAppRequest('app://confsync/popover.html', dir, m);
      expect(r).toMatchObject({ status: 405, path: null });
      expect(r.headers.Allow).toBe('GET, HEAD');
    }
  });

  it('an encoded separator cannot reach a sibling whose name starts with the renderer dir name', () => {
    // /x/renderer vs /x/renderer-secrets: "../renderer-secrets/key.json" would resolve there.
    const r = resolveAppRequest('app://confsync/..%2frenderer-secrets%2fkey.json', '/x/renderer');
    expect(r.path).toBeNull();
  });

  it('the CSP header is at least as strict as the pages: no inline scripts, no plugins, no framing, no foreign connections', () => {
    const directives = new Map(APP_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
  });
});

describe('createAppProtocolHandler', () => {
  function renderer() {
    const root = mkdtempSync(join(tmpdir(), 'confsync-app-'));
    const rdir = join(root, 'renderer');
    mkdirSync(join(rdir, 'assets'), { recursive: true });
    writeFileSync(join(rdir, 'popover.html'), '<!doctype html><title>p</title>');
    writeFileSync(join(rdir, 'assets', 'x.js'), 'export {}');
    writeFileSync(join(root, 'secret.json'), '{"token":"s3cret"}');
    return { root, rdir };
  }

  it('serves files with status, type, length and CSP; missing files and folders are 404', async () => {
    const { rdir } = renderer();
    const refused = vi.fn();
    const handle = createAppProtocolHandler(rdir, (p) => readFile(p), refused);
    const page = await handle({ url: 'app://confsync/popover.html', method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(await page.text()).toBe('<!doctype html><title>p</title>');
    expect(page.headers.get('content-length')).toBe('31');

    const js = await handle({ url: 'app://confsync/assets/x.js', method: 'GET' });
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'export {}']);

    const head = await handle({ url: 'app://confsync/popover.html', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    expect((await handle({ url: 'app://confsync/missing.html', method: 'GET' })).status).toBe(404);
    expect((await handle({ url: 'app://confsync/assets.js', method: 'GET' })).status).toBe(404);
    expect(refused).toHaveBeenCalledWith('app://confsync/missing.html', 404, expect.stringMatching(/ENOENT/));
  });

  it('never reads outside the renderer dir, whatever the URL', async () => {
    const { rdir } = renderer();
    const reads: string[] = [];
    const handle = createAppProtocolHandler(rdir, (p) => {
      reads.push(p);
      return readFile(p);
    });
    for (const url of [
      'app://confsync/../secret.json',
      'app://confsync/%2e%2e/secret.json',
      'app://confsync/..%2fsecret.json',
      'app://confsync/..%5csecret.json',
      'app://evil/popover.html',
    ]) {
      const res = await handle({ url, method: 'GET' });
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(await res.text(), url).not.toContain('s3cret');
    }
    for (const p of reads) expect(p.startsWith(rdir + '/')).toBe(true);
  });

  it('refusals are reported with the status and a reason', async () => {
    const refused = vi.fn();
    const handle = createAppProtocolHandler(dir, () => Promise.reject(new Error('must not read')), refused);
    const res = await handle({ url: 'app://evil/popover.html', method: 'GET' });
    expect(res.status).toBe(403);
    expect(refused).toHaveBeenCalledWith('app://evil/popover.html', 403, expect.stringMatching(/host evil/));
  });
});
