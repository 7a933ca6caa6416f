/**
 * Where ConfSync keeps its own files. The config dir is `$CONFSYNC_CONFIG_DIR` when set, else the folder
 * Electron's `app.getPath('userData')` would be for an app named "ConfSync":
 *   macOS   ~/Library/Application Support/ConfSync
 *   Windows %APPDATA%\ConfSync
 *   Linux   $XDG_CONFIG_HOME/ConfSync, else ~/.config/ConfSync
 * The headless host and the Electron app therefore share one config dir, one config.json.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'ConfSync';

export function appDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  if (platform === 'win32') return env.APPDATA || join(home, 'AppData', 'Roaming');
  return env.XDG_CONFIG_HOME || join(home, '.config');
}

export function resolveConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const override = env.CONFSYNC_CONFIG_DIR;
  if (override && override.trim()) return override;
  return join(appDataDir(platform, env), APP_NAME);
}

/** The home directory ConfSync syncs from. Honours $HOME so tests and odd set-ups can move it. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

export interface ConfigFiles {
  dir: string;
  settings: string;
  snapshot: string;
  /** Which folder the snapshot was kept in (snapshot/folder-mark.ts). */
  snapshotMark: string;
  lock: string;
  daemon: string;
  log: string;
  defaultRepo: string;
  conflicts: string;
  /** The loopback UI's access token (0600), kept across starts until `confsync daemon --new-token`. */
  uiToken: string;
  /** The loopback UI's last port, tried first at the next start so a bookmark keeps working. */
  uiPort: string;
}

export function configFiles(dir: string): ConfigFiles {
  return {
    dir,
    settings: join(dir, 'config.json'),
    snapshot: join(dir, 'snapshot.bin'),
    snapshotMark: join(dir, 'snapshot.mark'),
    lock: join(dir, 'confsync.lock'),
    daemon: join(dir, 'daemon.json'),
    log: join(dir, 'logs', 'confsync.log'),
    defaultRepo: join(dir, 'repo'),
    conflicts: join(dir, 'conflicts.json'),
    uiToken: join(dir, 'ui-token'),
    uiPort: join(dir, 'ui-port'),
  };
}
