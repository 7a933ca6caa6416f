import { describe, it, expect } from 'vitest';
import { resolvePeerConfig, normalizePeerUrl, NO_SECRET_MESSAGE } from '../../../electron/engine/peers/config.js';
import { defaultSettings } from '../../../shared/settings.js';

const peers = (p: Partial<ReturnType<typeof defaultSettings>['peers']> = {}) => ({ ...defaultSettings().peers, ...p });
const SECRET = 'a test secret for config';

describe('peer configuration', () => {
  it('is off by default and needs no secret then', () => {
    const r = resolvePeerConfig(peers(), {});
    expect(r.ok && !r.enabled).toBe(true);
    expect(r.config).toMatchObject({ server: false, host: '127.0.0.1', port: 8765, urls: [], rateLimitPerMin: 60 });
  });

  it('refuses to run a server or clients without a secret', () => {
    for (const p of [peers({ server: true }), peers({ urls: ['ws://127.0.0.1:1/hints'] })]) {
      const r = resolvePeerConfig(p, {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toBe(NO_SECRET_MESSAGE);
    }
    const env = resolvePeerConfig(peers(), { CONFSYNC_PEER_SERVER: 'true' });
    expect(env.ok).toBe(false);
  });

  it('environment overrides settings', () => {
    const r = resolvePeerConfig(peers({ server: true, port: 1, urls: ['ws://a:1/hints'], secret: 'settings-secret-xxxx' }), {
      CONFSYNC_PEER_SERVER: 'false',
      CONFSYNC_SYNC_PORT: '9999',
      CONFSYNC_PEERS: ' ws://b:2/hints , wss://c.example/hints,,',
      CONFSYNC_PEER_SECRET: 'env-secret-wins-1234',
    });
    expect(r.ok).toBe(true);
    expect(r.config).toMatchObject({ server: false, port: 9999, urls: ['ws://b:2/hints', 'wss://c.example/hints'], secret: 'env-secret-wins-1234' });
    const on = resolvePeerConfig(peers(), { CONFSYNC_PEER_SERVER: 'true', CONFSYNC_PEER_SECRET: SECRET });
    expect(on.ok && on.enabled && on.config.server).toBe(true);
    const none = resolvePeerConfig(peers({ urls: ['ws://a:1/hints'] }), { CONFSYNC_PEERS: '' });
    expect(none.config.urls).toEqual([]);
  });

  it('rejects bad environment values with the variable named', () => {
    const r1 = resolvePeerConfig(peers(), { CONFSYNC_SYNC_PORT: '70000' });
    expect(r1.ok ? '' : r1.error).toMatch(/CONFSYNC_SYNC_PORT/);
    const r2 = resolvePeerConfig(peers(), { CONFSYNC_PEER_SERVER: 'maybe' });
    expect(r2.ok ? '' : r2.error).toMatch(/CONFSYNC_PEER_SERVER/);
    const r3 = resolvePeerConfig(peers({ server: true }), { CONFSYNC_PEER_SECRET: 'short' });
    expect(r3.ok ? '' : r3.error).toMatch(/too short/);
  });

  it('accepts ws:// and wss:// only; drops the rest with a warning', () => {
    const r = resolvePeerConfig(peers({ secret: SECRET, urls: ['http://a:1/hints', 'ws://ok:1/hints', 'file:///etc/passwd'] }), { CONFSYNC_PEERS: undefined });
    expect(r.ok).toBe(true);
    expect(r.config.urls).toEqual(['ws://ok:1/hints']);
    expect(r.warnings).toHaveLength(2);
  });

  it('normalizes peer URLs', () => {
    expect(normalizePeerUrl('ws://127.0.0.1:8766')).toEqual({ ok: true, url: 'ws://127.0.0.1:8766/hints' });
    expect(normalizePeerUrl('wss://h.example/custom#x')).toEqual({ ok: true, url: 'wss://h.example/custom' });
    expect(normalizePeerUrl('ws://user:pw@h:1/hints').ok).toBe(false);
    expect(normalizePeerUrl('not a url').ok).toBe(false);
    expect(normalizePeerUrl('https://h/hints').ok).toBe(false);
  });
});
