/**
 * The tray's context menu as a template (pure: no Menu is built here, so tests can click the items).
 *
 * On Linux most desktops (AppIndicator / StatusNotifierItem) never deliver tray clicks to the app; the
 * only way in is the menu, so there it starts with "Open ConfSync" (which shows the popover).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { AppState } from '../../shared/state.js';
import { trayView } from './tray-state.js';
import { isBusy, plural } from '../../shared/meanings.js';

export interface TrayMenuActions {
  syncNow(): void;
  setPaused(paused: boolean): void;
  openPreferences(tab?: string): void;
  openSyncFolder(): void;
  showLogs(): void;
  quit(): void;
  /** Shows the popover; only offered where tray clicks do not arrive (Linux). */
  openPopover?(): void;
}

export function isSyncing(state: AppState): boolean {
  return isBusy(state.phase);
}

export function buildTrayMenu(
  state: AppState,
  actions: TrayMenuActions,
  platform: NodeJS.Platform = process.platform,
): MenuItemConstructorOptions[] {
  const paused = state.paused || state.phase === 'paused';
  const items: MenuItemConstructorOptions[] = [];
  if (platform === 'linux' && actions.openPopover) {
    const open = actions.openPopover;
    items.push({ id: 'open', label: 'Open ConfSync', click: () => open() });
    items.push({ id: 'status', label: trayView(state, platform).tooltip, enabled: false });
    items.push({ type: 'separator' });
  }
  items.push(
    {
      id: 'sync-now',
      label: isSyncing(state) ? 'Syncing…' : 'Sync now',
      enabled: !isSyncing(state) && !paused,
      click: () => actions.syncNow(),
    },
    {
      id: 'pause',
      label: paused ? 'Resume syncing' : 'Pause syncing',
      click: () => actions.setPaused(!paused),
    },
  );
  if (state.conflicts.length > 0) {
    const n = state.conflicts.length;
    items.push({ id: 'conflicts', label: `Resolve ${plural(n, 'conflict')}…`, click: () => actions.openPreferences('conflicts') });
  }
  items.push(
    { type: 'separator' },
    { id: 'preferences', label: 'Preferences…', accelerator: 'CommandOrControl+,', click: () => actions.openPreferences() },
    { id: 'open-sync-folder', label: 'Open sync folder', click: () => actions.openSyncFolder() },
    { id: 'show-logs', label: 'Show logs', click: () => actions.showLogs() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit ConfSync', accelerator: 'CommandOrControl+Q', click: () => actions.quit() },
  );
  return items;
}

/** Changes whenever the menu would look different; the tray rebuilds the native menu only then. */
export function trayMenuKey(state: AppState, platform: NodeJS.Platform): string {
  const paused = state.paused || state.phase === 'paused';
  const status = platform === 'linux' ? trayView(state, platform).tooltip : '';
  return JSON.stringify([paused, isSyncing(state), state.conflicts.length, status]);
}
