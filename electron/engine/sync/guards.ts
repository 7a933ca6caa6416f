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

/** What a live-IO port may know about the file it applies (from the profile that holds it). */
export interface LiveApplyContext {
  /** The app that owns the file (its process name on macOS), for "quit and reopen" words. */
  app?: string;
  /** When to apply while the app runs: now (and say so), or when it quits (see the profile). */
  applyWhen?: 'now' | 'app-quit';
}

/**
 * A port that reads and writes some live paths through their owner instead of the file itself: a
 * macOS preferences domain goes through cfprefsd (`defaults export` / `defaults import`), because a
 * plist written behind cfprefsd's back is ignored by the running app and later overwritten from its
 * cache. The core asks `owns` for every live path; the first port that owns it is used.
 */
export interface LiveIO {
  readonly name: string;
  owns(livePath: string): boolean;
  /** The live content as its owner sees it now; null when it does not exist. Throws on failure. */
  read(livePath: string): Promise<Buffer | null>;
  /**
   * Applies new content in one step (never half-applied). `notice`: words for the person, e.g. "Quit
   * and reopen Rectangle to use the new settings". Throws when the owner refused (nothing changed).
   */
  write(livePath: string, content: Buffer, ctx: LiveApplyContext): Promise<{ notice?: string }>;
}
