/**
 * The Electron settings backend against the real electron-store, and the headless host's `conf`
 * reading the very same file.
 *
 * electron-store imports 'electron' at load time (for app.getPath('userData'), which we do not use:
 * we always pass `cwd`). Without the Electron binary that import fails, so this file — and only this
 * file — answers that one import with an empty module through a Node resolve hook. No Electron API is
 * faked: electron-store takes the "not in an Electron process" path, exactly as it would with `cwd`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { register } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHeadlessSettings } from '../../../electron/engine/config/conf-store';
import type * as SettingsModule from '../../../electron/shell/settings';

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: 'data:text/javascript,export default {}', shortCircuit: true, format: 'module' };
  return next(specifier, context);
}`;

let mod: typeof SettingsModule;
beforeAll(async () => {
  register('data:text/javascript,' + encodeURIComponent(hook));
  mod = await import('../../../electron/shell/settings');
});

describe('openElectronSettings', () => {
  it('electron-store options name <configDir>/config.json', () => {
    expect(mod.electronStoreOptions('/cfg')).toEqual({ cwd: '/cfg', name: 'config' });
  });

  it('writes <configDir>/config.json, which the headless host reads back, and vice versa', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-settings-'));
    const electron = mod.openElectronSettings(dir);
    expect(electron.file).toBe(join(dir, 'config.json'));
    electron.update({ sync: { intervalSec: 120 }, ui: { preferencesBounds: { x: 1, y: 2, width: 800, height: 600 } } });
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).sync.intervalSec).toBe(120);

    const headless = openHeadlessSettings(dir);
    expect(headless.get().sync.intervalSec).toBe(120);
    expect(headless.get().ui.preferencesBounds).toEqual({ x: 1, y: 2, width: 800, height: 600 });
    headless.update({ notifications: { level: 'all' } });

    expect(mod.openElectronSettings(dir).get().notifications.level).toBe('all');
  });

  it('an invalid file is reported by SettingsStore and not overwritten', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-settings-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ sync: { intervalSec: 0 } }));
    const s = mod.openElectronSettings(dir);
    expect(s.loadError?.key).toBe('sync.intervalSec');
    expect(() => s.update({ paused: true })).toThrow(/cannot save settings/);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ sync: { intervalSec: 0 } });
  });

  it('refuses a store that opened a different file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-settings-'));
    class Elsewhere {
      store: Record<string, unknown> = {};
      readonly path = join(dir, 'other.json');
    }
    expect(() => mod.openElectronSettings(dir, Elsewhere)).toThrow(/both hosts must share one config.json/);
  });
});
