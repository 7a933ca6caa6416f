/**
 * What the tray shows for an AppState: icon, tooltip, macOS title. Pure; no Electron.
 *
 * One icon at a time, chosen by priority (highest first):
 *
 *   error     phase 'error', or an invalid config file. Nothing else can be trusted while sync is broken,
 *             so this outranks everything, even unresolved conflicts.
 *   conflict  at least one unresolved conflict. Sync still runs, but a person must act; that is more
 *             urgent than waiting for the network.
 *   offline   phase 'offline'. Commits queue up locally (repo.ahead) and will go out on their own.
 *   paused    the person chose this (state.paused, or phase 'paused'); stopped is shown the same way.
 *   syncing   phase scanning/committing/pulling/applying/pushing, and 'starting' (work in progress).
 *   idle      everything else.
 *
 * "· safe to shut down" is appended to the tooltip only with the idle icon: in every other state there
 * is something more important to say, and "safe" next to "error" would mislead.
 *
 * The macOS title (text beside the icon) is the conflict count whenever there are conflicts, whatever
 * the icon: the number is the one thing worth glancing at. Other platforms have no title.
 */
import type { AppState, SyncPhase } from '../../shared/state.js';

export type TrayIcon = 'idle' | 'syncing' | 'paused' | 'offline' | 'conflict' | 'error';
export const TRAY_ICONS: readonly TrayIcon[] = ['idle', 'syncing', 'paused', 'offline', 'conflict', 'error'];

export interface TrayView {
  icon: TrayIcon;
  tooltip: string;
  /** macOS text beside the icon: the conflict count, or ''. Always '' elsewhere. */
  title: string;
  safeToShutDown: boolean;
}

export const SYNCING_PHASES: ReadonlySet<SyncPhase> = new Set<SyncPhase>(['scanning', 'committing', 'pulling', 'applying', 'pushing']);

/** Windows truncates tray tooltips at 127 characters; keep every platform within it. */
export const TOOLTIP_MAX = 127;

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "just now", "2 min ago", "3 hours ago", "1 day ago". Future times (clock skew) read "just now". */
export function relativeTime(then: number, now: number): string {
  const s = Math.floor((now - then) / 1000);
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${plural(h, 'hour', 'hours')} ago`;
  const d = Math.floor(h / 24);
  return `${plural(d, 'day', 'days')} ago`;
}

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
  if (last && last.kind !== 'ok' && last.kind !== 'nothing-to-do') return last.message;
  return 'something went wrong';
}

export function trayIcon(state: AppState): TrayIcon {
  if (state.phase === 'error' || state.configError) return 'error';
  if (state.conflicts.length > 0) return 'conflict';
  if (state.phase === 'offline') return 'offline';
  if (state.paused || state.phase === 'paused' || state.phase === 'stopped') return 'paused';
  if (SYNCING_PHASES.has(state.phase) || state.phase === 'starting') return 'syncing';
  return 'idle';
}

function idleTooltip(state: AppState, now: number): string {
  const n = syncedFileCount(state);
  const files = n === 0 ? 'Up to date' : n === 1 ? '1 file synced' : `All ${n.toLocaleString('en-US')} files synced`;
  const when = state.repo.lastSyncAt !== null ? ` · ${relativeTime(state.repo.lastSyncAt, now)}` : '';
  const safe = state.safeToShutDown ? ' · safe to shut down' : '';
  return files + when + safe;
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
      tooltip = conflicts === 1 ? '1 conflict needs you' : `${conflicts} conflicts need you`;
      break;
    case 'offline':
      tooltip = state.repo.ahead > 0 ? `Offline: ${plural(state.repo.ahead, 'commit', 'commits')} waiting` : 'Offline';
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
    title: platform === 'darwin' && conflicts > 0 ? String(conflicts) : '',
    safeToShutDown: state.safeToShutDown,
  };
}
