/**
 * When a changed setting takes effect, in one place. Most settings are read where they are used
 * (the schedule, the limits, the remote, the profiles, the secrets guard, peers), so a change made
 * through a running host applies at once. The few below are read once when ConfSync starts: `confsync
 * config set` says "takes effect after a restart" for them, and a running host says so in its activity.
 *
 * `followLiveSettings` is what a long-running host calls after openHost() so the settings that a
 * feature reads at its start apply at once too: a Keyboard Maestro change (library path, intervals,
 * on/off) restarts the Keyboard Maestro poller with the new values.
 */
import type { Engine } from '../engine.js';
import type { Settings } from '../../../shared/settings.js';
import { pushActivity, pushError } from '../state/app-store.js';
import { settingKeys } from './keys.js';

export interface SettingEffect {
  /** A key, or a section meaning every key below it. */
  key: string;
  /** Why (restart) or how (live) it takes effect, in words. */
  why: string;
}

/** Read once, when ConfSync starts: a change takes effect after a restart. */
export const RESTART_NEEDED: readonly SettingEffect[] = [
  { key: 'repoPath', why: 'the sync repo is opened when ConfSync starts' },
  { key: 'hostName', why: 'the host name is fixed when ConfSync starts (commits, history and conflict copies carry it)' },
  { key: 'sync.debounceMs', why: 'the file watcher is set up when ConfSync starts' },
  { key: 'sync.maxWaitMs', why: 'the file watcher is set up when ConfSync starts' },
  { key: 'sync.watcherBackend', why: 'the file watcher is set up when ConfSync starts' },
  { key: 'sync.pollIntervalMs', why: 'the file watcher is set up when ConfSync starts' },
  { key: 'ui.port', why: 'the UI server takes its port when ConfSync starts' },
];

/** Applied at once by a running host. */
export const LIVE: readonly SettingEffect[] = [
  { key: 'schemaVersion', why: 'the file format version' },
  { key: 'enabledProfiles', why: 'the watcher and the next sync follow the profiles' },
  { key: 'machine', why: 'read each time a per-machine block is applied' },
  { key: 'remote', why: 'the repo remote is set at once' },
  { key: 'sync.intervalSec', why: 'the next sync is rescheduled' },
  { key: 'sync.maxFileBytes', why: 'read by every pass' },
  { key: 'sync.maxFilesPerProfile', why: 'read by every pass' },
  { key: 'sync.commitTemplate', why: 'read by every commit' },
  { key: 'sync.gitTimeoutMs', why: 'read by every git command' },
  { key: 'sync.applyIncoming', why: 'read by every sync' },
  { key: 'notifications', why: 'read for every notification' },
  { key: 'startAtLogin', why: 'the login item is set at once' },
  { key: 'paused', why: 'pauses or resumes at once' },
  { key: 'km', why: 'the Keyboard Maestro poller restarts with the new settings' },
  { key: 'peers', why: 'the hint channel restarts with the new settings' },
  { key: 'secrets', why: 'read by every check' },
  { key: 'ui.popoverBounds', why: 'read when the window opens' },
  { key: 'ui.preferencesBounds', why: 'read when the window opens' },
];

const under = (key: string, prefix: string) => key === prefix || key.startsWith(`${prefix}.`);

/** The restart-needed entries a change of `key` touches (`sync` touches all four watcher settings). */
export function restartNeeded(key: string): SettingEffect[] {
  return RESTART_NEEDED.filter((e) => under(e.key, key) || under(key, e.key));
}

/** "takes effect after a restart (the file watcher is set up when ConfSync starts)", or null when live. */
export function restartWords(key: string): string | null {
  const hits = restartNeeded(key);
  if (!hits.length) return null;
  const why = [...new Set(hits.map((h) => h.why))].join('; ');
  return `takes effect after a restart (${why})`;
}

function valueAt(s: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), s);
}

/** The value keys (not sections) whose value differs between two settings. */
export function changedKeys(prev: Settings, next: Settings): string[] {
  return settingKeys()
    .filter((k) => !k.object && JSON.stringify(valueAt(prev, k.key)) !== JSON.stringify(valueAt(next, k.key)))
    .map((k) => k.key);
}

/** Keyboard Maestro settings its poller reads at start (exportMacros is read for every export). */
const KM_RESTART = ['km.enabled', 'km.libraryPath', 'km.baseIntervalMs', 'km.fastIntervalMs', 'km.slowIntervalMs'];

/**
 * Makes settings that a running host's features read at start apply at once, and tells the person
 * (activity, and `say` for a host's own output) which changes wait for a restart. Returns the
 * unsubscribe function; call it before stopping the host.
 */
export function followLiveSettings(engine: Engine, say: (line: string) => void = () => undefined): () => void {
  let prev = engine.settings.get();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  const off = engine.settings.onChange((next) => {
    const changed = changedKeys(prev, next);
    prev = next;
    for (const key of changed) {
      const words = restartWords(key);
      if (!words) continue;
      const line = `Setting ${key} changed: ${words}`;
      pushActivity(engine.store, 'info', line);
      say(line);
    }
    const km = engine.features.find((f) => f.name === 'km');
    if (km && changed.some((k) => KM_RESTART.includes(k))) {
      chain = chain.then(async () => {
        if (stopped) return;
        try {
          await km.stop?.();
          await km.start?.(engine);
          const s = engine.settings.get().km;
          const line = s.enabled ? `Keyboard Maestro settings applied: watching ${s.libraryPath ?? 'the default library'}` : 'Keyboard Maestro syncing turned off';
          pushActivity(engine.store, 'km', line);
          say(line);
        } catch (e) {
          pushError(engine.store, 'km', `Keyboard Maestro could not restart with the new settings: ${(e as Error).message}`);
        }
      });
    }
  });
  return () => {
    stopped = true;
    off();
  };
}
