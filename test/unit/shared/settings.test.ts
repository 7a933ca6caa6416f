import { describe, it, expect } from 'vitest';
import { Settings, defaultSettings } from '../../../shared/settings';

describe('settings schema', () => {
  it('fills every default from an empty object', () => {
    const s = defaultSettings();
    expect(s.sync.intervalSec).toBe(300);
    expect(s.sync.debounceMs).toBe(1000);
    expect(s.remote.branch).toBe('main');
    expect(s.km.baseIntervalMs).toBe(30_000);
    expect(s.peers.port).toBe(8765);
    expect(s.notifications.level).toBe('errors');
  });
  it('refuses a schedule of 0 and names the key', () => {
    const r = Settings.safeParse({ sync: { intervalSec: 0 } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['sync', 'intervalSec']);
  });
  it('refuses unknown top-level keys', () => {
    expect(Settings.safeParse({ bogus: 1 }).success).toBe(false);
  });
});
