/**
 * Electron's settings backend: electron-store, handed to SettingsStore as the conf-like factory exactly
 * as electron/engine/config/conf-store.ts hands it `conf`. No schema here: validation is SettingsStore's
 * (the zod schema in shared/settings.ts), before the library ever opens the file.
 *
 * Both hosts use the same file, `<configDir>/config.json`: conf is opened with
 * `{ cwd: configDir, configName: 'config' }`, electron-store with `{ cwd: configDir, name: 'config' }`
 * (electron-store renames `name` to conf's `configName`).
 */
import ElectronStore from 'electron-store';
import { SettingsStore, type ConfLike } from '../engine/config/settings-store.js';
import { configFiles } from '../engine/config/paths.js';

export type ConfLikeConstructor = new (options: { cwd: string; name: string }) => ConfLike;

export function electronStoreOptions(configDir: string): { cwd: string; name: string } {
  return { cwd: configDir, name: 'config' };
}

export function openElectronSettings(configDir: string, Store: ConfLikeConstructor = ElectronStore as unknown as ConfLikeConstructor): SettingsStore {
  const file = configFiles(configDir).settings;
  return new SettingsStore(file, () => {
    const store = new Store(electronStoreOptions(configDir));
    if (store.path !== file) {
      throw new Error(`electron-store opened ${store.path}, expected ${file}: both hosts must share one config.json`);
    }
    return store;
  });
}
