/**
 * Guards the sync core asks before a version crosses: features (Keyboard Maestro, secrets) provide
 * them as data; the core only knows these shapes, never the features themselves.
 */
import type { AppStore } from '../state/app-store.js';
import type { SettingsStore } from '../config/settings-store.js';
import type { HostPorts } from '../ports.js';

/** Why the live file at this path must not be written now (e.g. its app is running), or null. */
export type LiveWriteGuard = (livePath: string) => Promise<string | null>;

/** What a commit guard may use of the engine it runs in. */
export interface GuardEnv {
  store: AppStore;
  settings: SettingsStore;
  ports: HostPorts;
}

/** Why this content must not reach the repo (e.g. it holds a secret), or null. */
export type CommitGuard = (repoPath: string, content: Buffer, env: GuardEnv) => Promise<string | null>;
