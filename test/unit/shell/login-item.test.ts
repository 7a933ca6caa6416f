import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autostartEntry, autostartFile, createLoginItemPort, followStartAtLogin } from '../../../electron/shell/login-item';
import { defaultSettings, type Settings } from '../../../shared/settings';

describe('login item port', () => {
  it('macOS/Windows: app.setLoginItemSettings, skipping repeats', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const app = { setLoginItemSettings: vi.fn() };
      const set = createLoginItemPort(app, platform);
      set(true);
      set(true);
      set(false);
      expect(app.setLoginItemSettings.mock.calls).toEqual([[{ openAtLogin: true }], [{ openAtLogin: false }]]);
    }
  });

  it('Linux: writes and removes an XDG autostart entry', () => {
    const configHome = mkdtempSync(join(tmpdir(), 'autostart-'));
    const app = { setLoginItemSettings: vi.fn() };
    const set = createLoginItemPort(app, 'linux', { configHome, exec: ['/opt/My Apps/ConfSync.AppImage'] });
    set(true);
    const file = autostartFile(configHome);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec="/opt/My Apps/ConfSync.AppImage"');
    set(false);
    expect(existsSync(file)).toBe(false);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('errors are reported, not thrown, and the next call retries', () => {
    const onError = vi.fn();
    const app = {
      setLoginItemSettings: vi.fn().mockImplementationOnce(() => {
        throw new Error('denied');
      }),
    };
    const set = createLoginItemPort(app, 'darwin', undefined, onError);
    expect(() => set(true)).not.toThrow();
    expect(onError).toHaveBeenCalledOnce();
    set(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledTimes(2);
  });

  it('Exec quoting for plain and special arguments', () => {
    expect(autostartEntry(['/usr/bin/confsync', '--hidden'])).toContain('Exec=/usr/bin/confsync --hidden\n');
    expect(autostartEntry(['/a/b$c'])).toContain('Exec="/a/b\\$c"');
  });
});

describe('followStartAtLogin', () => {
  it('applies at start and whenever startAtLogin changes', () => {
    let current: Settings = defaultSettings();
    const listeners = new Set<(s: Settings) => void>();
    const settings = {
      get: () => current,
      onChange: (l: (s: Settings) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const set = vi.fn();
    const off = followStartAtLogin(settings, set);
    expect(set).toHaveBeenLastCalledWith(false);
    current = { ...current, startAtLogin: true };
    for (const l of listeners) l(current);
    expect(set).toHaveBeenLastCalledWith(true);
    off();
    expect(listeners.size).toBe(0);
  });
});
