/**
 * What the tray shows for an AppState: icon, tooltip, macOS title. Pure; no Electron.
 *
 * One icon at a time: the state's kind, `stateKind` in shared/state.ts, which documents the priority
 * (error > conflict > offline > paused > syncing > idle). The renderer's header and the CLI use the same
 * function, so the tray, the popover and `confsync status` never disagree about what to say first.
 *
 * "· safe to shut down" is appended to the tooltip only with the idle icon: in every other state there
 * is something more important to say, and "safe" next to "error" would mislead. The idle tooltip never
 * says "Up to date" or "All N files synced" while files are not synced or the last sync warned.
 *
 * The macOS title (text beside the icon) is the conflict count whenever there are conflicts, whatever
 * the icon: the number is the one thing worth glancing at. Other platforms have no title.
 */
import {
  isSuccess,
  notSynced,
  notSyncedWords,
  plural,
  relativeTime,
  stateKind,
  STATE_KINDS,
  type AppState,
  type StateKind,
} from '../../shared/state.js';

export type TrayIcon = StateKind;
/** Every icon, one image each (assets/tray). */
export const TRAY_ICONS: readonly TrayIcon[] = [...STATE_KINDS].reverse();

export interface TrayView {
  icon: TrayIcon;
  tooltip: string;
  /** macOS text beside the icon: the conflict count, or ''. Always '' elsewhere. */
  title: string;
  safeToShutDown: boolean;
}


/** Windows truncates tray tooltips at 127 characters; keep every platform within it. */
export const TOOLTIP_MAX = 127;

export function truncate(text: string, max = TOOLTIP_MAX): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : oneLine.slice(0, max - 1) + '…';
}

/** Files under sync: the sum over enabled profiles. */
export function syncedFileCount(state: AppState): number {
  return state.profiles.filter((p) => p.enabled).reduce((n, p) => n + p.files, 0);
}

export function errorMessage(state: AppState): string {
  if (state.configError) return state.configError;
  const latest = state.errors[0]?.message;
  if (latest) return latest;
  const last = state.repo.lastResult;
  if (last && !isSuccess(last.kind)) return last.message;
  return 'something went wrong';
}

export function trayIcon(state: AppState): TrayIcon {
  return stateKind(state);
}

function idleTooltip(state: AppState, now: number): string {
  const n = syncedFileCount(state);
  const skipped = notSynced(state).length;
  const warnings = state.repo.lastResult?.warnings.length ?? 0;
  const clean = skipped === 0 && warnings === 0;
  const files = n === 0 ? (clean ? 'Up to date' : null) : n === 1 ? '1 file synced' : clean ? `All ${plural(n, 'file')} synced` : `${plural(n, 'file')} synced`;
  // A last sync "in the future" (the clock went back) reads "just now".
  const when = state.repo.lastSyncAt !== null ? relativeTime(Math.min(state.repo.lastSyncAt, now), now) : null;
  const parts = [files, skipped ? notSyncedWords(skipped) : null, warnings ? plural(warnings, 'warning') : null, when, state.safeToShutDown ? 'safe to shut down' : null];
  const text = parts.filter((p): p is string => !!p).join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function trayView(state: AppState, platform: NodeJS.Platform, now: number = Date.now()): TrayView {
  const icon = trayIcon(state);
  const conflicts = state.conflicts.length;
  let tooltip: string;
  switch (icon) {
    case 'error':
      tooltip = `Error: ${errorMessage(state)}`;
      break;
    case 'conflict':
      tooltip = `${plural(conflicts, 'conflict')} ${conflicts === 1 ? 'needs' : 'need'} you`;
      break;
    case 'offline':
      tooltip = state.repo.ahead > 0 ? `Offline: ${plural(state.repo.ahead, 'commit')} waiting` : 'Offline';
      break;
    case 'paused':
      tooltip = state.phase === 'stopped' && !state.paused ? 'Stopped' : 'Paused';
      break;
    case 'syncing':
      tooltip = state.phase === 'starting' ? 'Starting…' : 'Syncing…';
      break;
    case 'idle':
      tooltip = idleTooltip(state, now);
      break;
  }
  return {
    icon,
    tooltip: truncate(tooltip),
    title: platform === 'darwin' && conflicts > 0 ? conflicts.toLocaleString('en-US') : '',
    safeToShutDown: state.safeToShutDown,
  };
}
