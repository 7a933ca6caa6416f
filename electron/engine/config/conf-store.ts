/** The headless host's settings backend: `conf`, the library electron-store is built on. */
import Conf from 'conf';
import { SettingsStore, type ConfLike } from './settings-store.js';
import { configFiles } from './paths.js';

export function openHeadlessSettings(configDir: string): SettingsStore {
  const file = configFiles(configDir).settings;
  return new SettingsStore(file, () => new Conf({ cwd: configDir, configName: 'config', projectName: 'confsync' }) as unknown as ConfLike);
}
