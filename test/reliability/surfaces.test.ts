/**
 * Nobody gets in: the surfaces a host exposes. Complements test/e2e/headless-server.test.ts (loopback
 * bind, token on pages and WebSocket, Host/Origin checks, payload errors) and
 * test/unit/shell/ipc.test.ts (IPC from a sender outside our windows is refused). Here:
 *   - every request channel of the contract validates its payload before any handler runs;
 *   - the headless server refuses every other way in (health, methods, encoded traversal, other
 *     upgrade paths, wrong cookies), and never writes the token anywhere but its 0600 daemon.json;
 *   - the built renderer: a CSP meta tag on every page with script-src 'self' and no 'unsafe-eval',
 *     no inline scripts, and no Node in the bundle.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import WebSocket from 'ws';
import { requests, ContractError, type RequestChannel } from '../../shared/contract.js';
import { createRequestHandler, type Handlers } from '../../electron/engine/api.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';

const RENDERER = join(import.meta.dirname, '..', '..', 'dist', 'renderer');

describe('contract: every payload is validated before a handler runs', () => {
  const channels = Object.keys(requests) as RequestChannel[];
  const calls: string[] = [];
  const handlers = Object.fromEntries(channels.map((c) => [c, () => void calls.push(c)])) as unknown as Handlers;
  const handle = createRequestHandler(handlers);

  it(`all ${channels.length} channels refuse wrong payloads with an invalid-payload error`, async () => {
    const bad: unknown[] = [{ __bogus__: 1 }, 42, 'text', [1, 2], { __proto__: { admin: true }, extra: 1 }];
    for (const c of channels) {
      for (const p of bad) {
        const err = await handle(c, p).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, `${c} accepted ${JSON.stringify(p)}`).toBeInstanceOf(ContractError);
        expect((err as ContractError).code, `${c} with ${JSON.stringify(p)}`).toBe('invalid-payload');
        expect((err as Error).message).toContain(c);
      }
    }
    expect(calls, 'a handler ran on an invalid payload').toEqual([]);
  });

  it('unknown, inherited and non-string channel names are refused as unknown channels', async () => {
    for (const c of ['fs:read', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '', 42, null, { channel: 'state:get' }]) {
      const err = await handle(c, undefined).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, String(c)).toBeInstanceOf(ContractError);
      expect((err as ContractError).code).toBe('unknown-channel');
    }
    expect(calls).toEqual([]);
  });
});

describe('headless server: no other way in', () => {
  let d: DaemonHandle;
  beforeAll(async () => {
    d = await startDaemon({ settings: { hostName: 'surfaces', enabledProfiles: ['zsh'], km: { enabled: false } }, files: { '.zshrc': 'x\n' } });
  });
  afterAll(async () => {
    await d?.stop();
  });

  function http(path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: d.port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }
  function upgrade(path: string, headers: Record<string, string> = {}): Promise<string> {
    return new Promise((resolve) => {
      const s = new WebSocket(`ws://127.0.0.1:${d.port}${path}`, { headers });
      s.once('open', () => {
        s.close();
        resolve('open');
      });
      s.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
      s.once('error', (e) => resolve(`error ${e.message}`));
    });
  }

  it('/health needs the token too', async () => {
    expect((await http('/health')).status).toBe(401);
    expect((await http(`/health?token=${d.token}`)).status).toBe(200);
  });

  it('only GET and HEAD are served', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) expect((await http(`/?token=${d.token}`, { method })).status, method).toBe(405);
  });

  it('encoded traversal and absolute paths stay inside the renderer folder', async () => {
    for (const p of ['/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2f..%2fpackage.json', '//etc/passwd', '/%00', '/%E0%A4%A']) {
      const r = await http(`${p}${p.includes('?') ? '&' : '?'}token=${d.token}`);
      expect([400, 404], `${p} → ${r.status}`).toContain(r.status);
      expect(r.body).not.toMatch(/root:|"name": "confsync"/);
    }
  });

  it('a wrong, empty or padded token is refused in the query and in the cookie', async () => {
    for (const t of ['', d.token.slice(1), `${d.token}x`, d.token.toUpperCase() === d.token ? d.token.toLowerCase() : d.token.toUpperCase()]) {
      expect((await http(`/?token=${encodeURIComponent(t)}`)).status, `query ${t}`).toBe(401);
      expect((await http('/', { headers: { cookie: `confsync_token=${t}` } })).status, `cookie ${t}`).toBe(401);
    }
  });

  it('the WebSocket is served on /api only, with the token, from our origin', async () => {
    expect(await upgrade(`/api?token=${d.token}`)).toBe('open');
    expect(await upgrade(`/other?token=${d.token}`)).toBe('HTTP 401');
    expect(await upgrade(`/?token=${d.token}`)).toBe('HTTP 401');
    expect(await upgrade('/api', { cookie: 'confsync_token=nope' })).toBe('HTTP 401');
    expect(await upgrade(`/api?token=${d.token}`, { origin: `http://localhost.evil.example:${d.port}` })).toBe('HTTP 401');
    expect(await upgrade(`/api?token=${d.token}`, { host: `127.0.0.1.nip.io:${d.port}` })).toBe('HTTP 401');
    expect(await upgrade(`/api?token=${d.token}`, { origin: `http://localhost:${d.port}` })).toBe('open');
  });

  it('the token lives only in daemon.json (mode 0600), not in logs or state', async () => {
    const info = join(d.configDir, 'daemon.json');
    expect(statSync(info).mode & 0o777).toBe(0o600);
    expect(readFileSync(info, 'utf8')).toContain(d.token);
    const logs = join(d.configDir, 'logs');
    for (const f of existsSync(logs) ? readdirSync(logs) : []) expect(readFileSync(join(logs, f), 'utf8'), f).not.toContain(d.token);
    for (const f of ['config.json', 'snapshot.bin']) {
      const p = join(d.configDir, f);
      if (existsSync(p)) expect(readFileSync(p, 'utf8'), f).not.toContain(d.token);
    }
    const st = await new Promise<string>((resolve) => {
      const s = new WebSocket(`ws://127.0.0.1:${d.port}/api?token=${d.token}`);
      s.once('open', () => s.send(JSON.stringify({ id: 1, channel: 'state:get' })));
      s.on('message', (m) => {
        const msg = JSON.parse(m.toString());
        if (msg.id === 1) {
          s.close();
          resolve(m.toString());
        }
      });
    });
    expect(st).not.toContain(d.token);
  });
});

describe('the built renderer', () => {
  const pages = existsSync(RENDERER) ? readdirSync(RENDERER).filter((f) => f.endsWith('.html')) : [];
  const bundles = existsSync(join(RENDERER, 'assets')) ? readdirSync(join(RENDERER, 'assets')).filter((f) => f.endsWith('.js')) : [];

  it('is built (npm test builds it; else run `node scripts/build.mjs renderer`)', () => {
    expect(pages.length, `no pages in ${RENDERER}`).toBeGreaterThan(0);
    expect(bundles.length).toBeGreaterThan(0);
  });

  it("every page has a CSP meta tag: script-src 'self', no 'unsafe-eval', no inline scripts", () => {
    for (const page of pages) {
      const html = readFileSync(join(RENDERER, page), 'utf8');
      const csp = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1];
      expect(csp, `${page} has no CSP meta tag`).toBeTruthy();
      const directives = new Map(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
      expect(directives.get('script-src'), page).toEqual(["'self'"]);
      expect(csp).not.toContain('unsafe-eval');
      expect(directives.get('object-src'), page).toEqual(["'none'"]);
      expect(directives.get('default-src'), page).toEqual(["'self'"]);
      // Every <script> loads a file; none carries code inline (script-src 'self' would block it anyway).
      for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        expect(m[1], `${page}: a script without src`).toMatch(/\bsrc=/);
        expect(m[2].trim(), `${page}: inline script`).toBe('');
      }
      expect(html, page).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
    }
  });

  it('no bundle reaches Node: no require/import of a Node builtin, no process.binding, no eval', () => {
    const names = builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.replace(/^node:/, ''));
    const nodeImport = new RegExp(`(?:require\\(|import\\(|from\\s*)\\s*["'\`](?:node:[\\w/]+|${names.map((n) => n.replace(/[/]/g, '\\/')).join('|')})["'\`]`);
    // The detector itself catches what it must.
    for (const probe of ['require("fs")', "import('node:child_process')", 'from "path"', 'require(`os`)', 'from"node:fs/promises"']) expect(nodeImport.test(probe), probe).toBe(true);
    expect(nodeImport.test('import("./chunk-abc.js")')).toBe(false);
    for (const b of bundles) {
      const js = readFileSync(join(RENDERER, 'assets', b), 'utf8');
      expect(nodeImport.exec(js)?.[0] ?? null, `${b} imports a Node builtin`).toBeNull();
      expect(js, b).not.toMatch(/process\.binding|process\.dlopen|child_process|electron\/main/);
      expect(/\beval\(|new Function\(/.test(js), `${b} uses eval or new Function (blocked by the CSP)`).toBe(false);
    }
  });
});
