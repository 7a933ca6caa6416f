/**
 * The General tab's settings that are read only when ConfSync starts, and whether a saved value is in
 * use yet. Pure, for the form and its tests.
 *
 * Which settings need a restart is the engine's list (electron/engine/config/live.ts, RESTART_NEEDED):
 * of the ones this tab edits, the host name and the wait before saving. The Keyboard Maestro library
 * applies at once (the running host restarts its poller). The renderer cannot import the engine, so
 * the two keys are named here too.
 */
import { amountWords } from './host-errors.js';
import type { Settings } from '../../shared/settings.js';
import type { AppState } from '../../shared/state.js';

/** Where Keyboard Maestro keeps its library when the setting is empty (engine: km defaultLibraryPath). */
export const KM_DEFAULT_TAIL = '/Library/Application Support/Keyboard Maestro/Keyboard Maestro Macros.plist';

/** The settings of the General tab that take effect only when ConfSync restarts. */
export const RESTART_KEYS = ['hostName', 'sync.debounceMs'] as const;

/**
 * The saved settings that the running host does not use yet, in words ("the host name hotel-2 (it is
 * hotel until then)"). `opened` is what the settings were when this window loaded them: the host name
 * in use is known (AppState.host), the wait in use is not, so a changed wait is noticed only against
 * what this window saw first.
 */
export function waitingForRestart(saved: Settings, opened: Settings, app: Pick<AppState, 'host'>): string[] {
  const out: string[] = [];
  if (saved.hostName && saved.hostName !== app.host) out.push(`the host name ${saved.hostName} (it is ${app.host} until then)`);
  // Back to the computer's own name, from the name in use.
  else if (!saved.hostName && opened.hostName === app.host) out.push(`the computer’s own name as the host name (it is ${app.host} until then)`);
  if (saved.sync.debounceMs !== opened.sync.debounceMs) out.push(`the wait of ${amountWords(saved.sync.debounceMs, 'ms')} before saving a change`);
  return out;
}
