/**
 * The headless host's surfaces: loopback only, token required for pages and the WebSocket, Host and
 * Origin checked, every payload schema-validated with a clear error, and the daemon keeps running.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { startDaemon, daemonEnv, CLI, type DaemonHandle } from '../helpers/daemon.js';

let d: DaemonHandle;
beforeAll(async () => {
  d = await startDaemon({ settings: { hostName: 'e2e', enabledProfiles: ['zsh'] }, files: { '.zshrc': 'export E2E=1\n' } });
});
afterAll(async () => {
  await d?.stop();
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: d.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function ws(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const s = new WebSocket(`ws://127.0.0.1:${d.port}/api${query}`, { headers });
    s.once('open', () => resolve(s));
    s.once('error', reject);
    s.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function call(s: WebSocket, msg: unknown): Promise<{ id: number | null; ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const onMsg = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString());
      if ('push' in m) return;
      s.off('message', onMsg);
      resolve(m);
    };
    s.on('message', onMsg);
    s.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

describe('headless server security', () => {
  it('binds to 127.0.0.1 only', () => {
    const out = execFileSync('sh', ['-c', `cat /proc/net/tcp | awk '{print $2}'`], { encoding: 'utf8' });
    const hex = d.port.toString(16).toUpperCase().padStart(4, '0');
    const lines = out.split('\n').filter((l) => l.endsWith(`:${hex}`));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.startsWith('0100007F')).toBe(true);
  });

  it('refuses pages without the token and serves them with it (then by cookie)', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    const ok = await get(`/?token=${d.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<div id="root"');
    expect(String(ok.headers['content-security-policy'])).toContain("default-src 'self'");
    const cookie = String(ok.headers['set-cookie']).split(';')[0];
    expect((await get('/popover.html', { cookie })).status).toBe(200);
    expect((await get('/../../etc/passwd', { cookie })).status).toBe(404);
  });

  it('rejects a foreign Host header (DNS rebinding) even with the token', async () => {
    expect((await get(`/?token=${d.token}`, { host: `evil.example:${d.port}` })).status).toBe(421);
  });

  it('refuses the WebSocket without the token or from a foreign origin', async () => {
    await expect(ws('')).rejects.toThrow(/401/);
    await expect(ws(`?token=${d.token}`, { origin: 'http://evil.example' })).rejects.toThrow(/401/);
  });

  it('rejects unknown channels and invalid payloads with clear errors, and keeps serving', async () => {
    const s = await ws(`?token=${d.token}`);
    const cases: [unknown, RegExp][] = [
      ['not json', /not JSON/],
      [{ id: 1, channel: 'fs:read', payload: { path: '/etc/passwd' } }, /unknown channel/],
      [{ id: 2, channel: 'history:show', payload: { path: '../../etc/passwd', rev: 'HEAD' } }, /must not contain/],
      // A live path is accepted by the contract; the engine refuses one outside every enabled profile.
      [{ id: 3, channel: 'history:show', payload: { path: '/etc/passwd', rev: 'HEAD' } }, /not inside an enabled profile|not a synced file/],
      [{ id: 4, channel: 'sync:set-paused', payload: { paused: 'yes' } }, /paused/],
      [{ id: 5, channel: 'settings:update', payload: { patch: { sync: { intervalSec: 0 } } } }, /sync\.intervalSec/],
      [{ id: 6, channel: 'profiles:save', payload: { profile: { name: '../x', paths: ['~/a'] } } }, /name/],
      [{ id: 7, channel: 'state:get', payload: { extra: 1 } }, /invalid payload/],
      [{ channel: 'state:get' }, /malformed request/],
    ];
    for (const [msg, re] of cases) {
      const r = await call(s, msg);
      expect(r.ok).toBe(false);
      expect(r.error!.message).toMatch(re);
    }
    const st = await call(s, { id: 99, channel: 'state:get' });
    expect(st.ok).toBe(true);
    expect((st.result as { host: string }).host).toBe('e2e');
    s.close();
  });

  it('lets the CLI talk to the running daemon (status --json is valid AppState)', async () => {
    const { AppState } = await import('../../shared/state.js');
    const out = execFileSync(process.execPath, [CLI, 'status', '--json'], { env: daemonEnv(d.home, d.configDir), encoding: 'utf8' });
    const parsed = AppState.safeParse(JSON.parse(out));
    expect(parsed.success).toBe(true);
    expect(parsed.data!.host).toBe('e2e');
  });
});
