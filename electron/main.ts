/**
 * Electron composition root. Everything that decides lives in electron/shell/ (pure, unit-tested) or
 * the engine; this file only builds Electron objects and wires them together:
 *
 *   config dir = Electron userData → single-instance lock → settings (electron-store) → Engine.open with
 *   Electron ports → IPC → windows → tray → store subscription (tray + `state:changed` pushes) → updates.
 *
 * Files (see scripts/build.mjs): this file → dist/main/main.js, preload → dist/preload/preload.cjs,
 * renderer → dist/renderer/{popover,preferences}.html, served as app://confsync/<page>.html (see
 * shell/app-protocol.ts). In development (unpackaged only) CONFSYNC_RENDERER_URL points the windows at
 * the Vite dev server instead.
 *
 * Updates (electron-updater, GitHub Releases) run only in the packaged app; see shell/updater.ts.
 *
 * CONFSYNC_E2E=1 opens the popover and Preferences at start (for the Electron end-to-end test).
 */
import { app, BrowserWindow, Menu, Notification, Tray, dialog, ipcMain, nativeImage, net, powerMonitor, protocol, screen, session, shell } from 'electron';
import electronUpdater from 'electron-updater';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from './engine/engine.js';
import { openHost, type Host } from './host.js';
import { appDataDir, configFiles, resolveConfigDir, resolveHome } from './engine/config/paths.js';
import type { HostPorts } from './engine/ports.js';
import type { AppState } from '../shared/state.js';
import { APP_SCHEME, createAppProtocolHandler, registerAppScheme } from './shell/app-protocol.js';
import { broadcast, makeSenderCheck, registerIpc, throttleLatest } from './shell/ipc.js';
import { createLoginItemPort, followStartAtLogin } from './shell/login-item.js';
import { fileLogger } from './engine/log.js';
import { followLiveSettings } from './engine/config/live.js';
import { NotificationGrouper, electronNotifier } from './shell/notifications.js';
import { PopoverWindow } from './shell/popover-window.js';
import { PreferencesWindow } from './shell/preferences-window.js';
import { flushThenQuit } from './shell/quit.js';
import { followPower } from './shell/power.js';
import { followNetwork } from './shell/network.js';
import { openElectronSettings } from './shell/settings.js';
import { TrayController } from './shell/tray.js';
import { UpdateController, updatesEnabled } from './shell/updater.js';
import { createSecureWindow, hardenSession, hardenWebContents, type RendererSource } from './shell/window-factory.js';

const QUIT_TIMEOUT_MS = 5000;
const STATE_PUSH_INTERVAL_MS = 100; // at most 10 state pushes per second
const TRAY_REFRESH_MS = 30_000; // keeps "2 min ago" in the tooltip honest

const here = dirname(fileURLToPath(import.meta.url)); // dist/main
const platform = process.platform;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function main(): Promise<void> {
  app.setName('ConfSync');
  // app:// must be registered as privileged before the app is ready.
  registerAppScheme(protocol);
  const configDir = resolveConfigDir();
  // Electron's userData is our config dir: electron-store and the single-instance lock use it, so the
  // app and the headless host share one config.json.
  app.setPath('userData', configDir);
  // Chromium's own caches and storage go to a subfolder, not beside config.json.
  app.setPath('sessionData', join(configDir, 'chromium'));
  app.setAppLogsPath(join(configDir, 'logs'));
  const files = configFiles(configDir);
  const log = fileLogger(files.log, { echo: app.isPackaged ? undefined : (line) => process.stderr.write(line) });
  process.on('uncaughtException', (e) => log.error(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

  if (!app.requestSingleInstanceLock()) {
    // The first instance gets 'second-instance' and shows Preferences.
    app.exit(0);
    return;
  }
  if (platform === 'win32') app.setAppUserModelId('app.confsync');
  log.info(`ConfSync ${app.getVersion()} starting; config dir ${configDir}`);

  const devServerUrl = !app.isPackaged ? process.env.CONFSYNC_RENDERER_URL?.trim() || null : null;
  const source: RendererSource = { dir: join(here, '..', 'renderer'), devServerUrl };
  const preload = join(here, '..', 'preload', 'preload.cjs');
  const iconDir = app.isPackaged ? join(process.resourcesPath, 'tray') : join(here, '..', '..', 'assets', 'tray');
  const onBlocked = (what: string, url: string) => log.warn(`blocked ${what}${url ? ` ${url.slice(0, 200)}` : ''}`);
  const onError = (e: unknown) => log.error(describe(e));

  let host: Host | null = null;
  let preferences: PreferencesWindow<BrowserWindow> | null = null;

  app.on('second-instance', () => preferences?.show());
  // A tray app keeps running with no windows open.
  app.on('window-all-closed', () => {});
  // Safety net: every webContents the app ever creates gets the same rules as our windows.
  app.on('web-contents-created', (_event, wc) => hardenWebContents(wc, source, onBlocked));
  // Quitting finishes the job (commit and push, bounded) and removes daemon.json.
  flushThenQuit(() => host, app, QUIT_TIMEOUT_MS, {
    onOutcome: (o) => log.info(`quit: engine ${o}`),
    onError,
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  await app.whenReady();
  if (platform === 'darwin') app.dock?.hide();
  hardenSession(session.defaultSession, source, onBlocked);
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler(source.dir, (p) => readFile(p), (url, status, reason) => onBlocked(`app:// request (${status}, ${reason})`, url)),
  );

  const settings = openElectronSettings(configDir);
  if (settings.loadError) log.error(settings.loadError.message);

  const makeWindow = (page: 'popover' | 'preferences', bounds: Partial<Electron.Rectangle> | null): BrowserWindow => {
    const { window } = createSecureWindow(BrowserWindow, page, {
      source,
      preload,
      platform,
      bounds,
      onBlocked,
      onLoadError: (e) => log.error(`${page} failed to load: ${e.message}`),
    });
    window.webContents.on('render-process-gone', (_event, details) => log.error(`${page} renderer gone: ${details.reason}`));
    // macOS: show the popover on the current Space (and over full-screen apps) instead of switching
    // to the Space it was created on.
    if (page === 'popover' && platform === 'darwin') window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    return window;
  };

  const prefs = new PreferencesWindow<BrowserWindow>({
    create: (bounds) => makeWindow('preferences', bounds),
    settings,
    workAreas: () => screen.getAllDisplays().map((d) => d.workArea),
    activateApp: platform === 'darwin' ? () => app.focus({ steal: true }) : undefined,
    onError,
  });
  preferences = prefs;

  const showNotification = electronNotifier(Notification, (tab) => prefs.show(tab));
  const grouper = new NotificationGrouper({
    send: showNotification,
    level: () => settings.get().notifications.level,
  });
  const setLoginItem = createLoginItemPort(
    app,
    platform,
    platform === 'linux' ? { configHome: appDataDir('linux'), exec: process.env.APPIMAGE ? [process.env.APPIMAGE] : app.isPackaged ? [process.execPath] : [process.execPath, app.getAppPath()] } : undefined,
    onError,
  );
  const ports: HostPorts = {
    async openPath(path) {
      const err = await shell.openPath(path);
      if (err) throw new Error(`could not open ${path}: ${err}`);
    },
    async showLogs(logFile) {
      if (existsSync(logFile)) {
        shell.showItemInFolder(logFile);
        return;
      }
      const err = await shell.openPath(dirname(logFile));
      if (err) throw new Error(`could not open the log folder ${dirname(logFile)}: ${err}`);
    },
    notify: (notice) => grouper.push(notice),
    setLoginItem,
  };

  let opened: Engine;
  try {
    // The same composition root as the daemon and the CLI: the same features, and the same loopback
    // API with daemon.json, so `confsync` commands talk to the menu-bar app while it runs.
    host = await openHost({ configDir, home: resolveHome(), version: app.getVersion(), settings, ports, serve: {}, lockWaitMs: 30_000, log, kind: 'app' });
    opened = host.engine;
  } catch (e) {
    if ((e as Error)?.name === 'LockedError') {
      dialog.showErrorBox(
        'ConfSync is already running',
        `Another ConfSync (the app, or the confsync daemon) is using ${configDir}.\n\n${describe(e)}\n\nStop it (confsync daemon stop) and open ConfSync again.`,
      );
    } else {
      dialog.showErrorBox('ConfSync could not start', describe(e));
    }
    log.error(`engine open failed: ${describe(e)}`);
    app.exit(1);
    return;
  }
  const eng = opened;
  // Settings changed while the app runs (Preferences, or `confsync config set`) apply at once (km.*
  // restarts the Keyboard Maestro poller), or the activity says they wait for a restart: as the daemon does.
  const unfollowSettings = followLiveSettings(eng, (line) => log.info(line));
  app.on('before-quit', () => unfollowSettings());

  const popover = new PopoverWindow<BrowserWindow>({
    create: (size) => makeWindow('popover', size),
    trayBounds: () => tray.bounds(),
    workAreaFor: (r) => (r.width > 0 ? screen.getDisplayMatching(r) : screen.getDisplayNearestPoint(screen.getCursorScreenPoint())).workArea,
    settings,
    platform,
    onError,
  });
  const ownWindows = () => [popover.window, prefs.window];
  registerIpc(
    ipcMain,
    eng.handle,
    makeSenderCheck(() => ownWindows().flatMap((w) => (w ? [w.webContents] : [])), source),
    (_channel, reason) => log.warn(reason),
  );

  const tray = new TrayController(
    {
      createTray: (image) => new Tray(image),
      loadImage: (p) => nativeImage.createFromPath(p),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      platform,
      iconDir,
    },
    {
      syncNow: () => void eng.syncNow().catch(onError),
      setPaused: (paused) => {
        try {
          eng.setPaused(paused);
        } catch (e) {
          onError(e); // e.g. the config file is invalid and cannot be saved
        }
      },
      openPreferences: (tab) => prefs.show(tab),
      openSyncFolder: () => void eng.handle('app:open-sync-folder', undefined).catch(onError),
      showLogs: () => void eng.handle('app:show-logs', undefined).catch(onError),
      quit: () => app.quit(),
      togglePopover: () => popover.toggle(),
    },
    eng.store.getState(),
  );

  const pushState = throttleLatest((state: AppState) => {
    tray.update(state);
    broadcast(ownWindows(), 'state:changed', state);
  }, STATE_PUSH_INTERVAL_MS);
  eng.store.subscribe((state) => pushState(state));
  setInterval(() => tray.update(eng.store.getState()), TRAY_REFRESH_MS).unref();

  followStartAtLogin(settings, setLoginItem);
  // Before sleep, finish the job like quitting does; after waking, sync.
  followPower(powerMonitor, { flush: () => eng.flush(QUIT_TIMEOUT_MS), sync: () => void eng.syncNow({ reason: 'wake' }).catch(onError), onError });
  // The network coming back (net.isOnline, polled: the main process has no online events) syncs.
  const network = followNetwork(net, { sync: () => void eng.syncNow({ reason: 'online' }).catch(onError), onError });
  app.on('will-quit', () => network.stop());
  app.on('will-quit', () => {
    grouper.dispose();
    pushState.cancel();
  });

  // Warm the popover so the first click is instant.
  popover.ensure();
  if (process.env.CONFSYNC_E2E === '1') {
    popover.show();
    prefs.show();
  }

  // Updates: checked at start and daily, installed on quit; never in a dev run (nor in the headless host,
  // which does not use shell/). `autoUpdater` is a lazy getter that loads Electron's updater, so it is
  // only read when updates are on.
  const updates = updatesEnabled({ isPackaged: app.isPackaged, platform, appImage: process.env.APPIMAGE });
  if (updates.enabled) {
    const { autoUpdater } = electronUpdater;
    autoUpdater.logger = { info: (m) => log.info(`updater: ${String(m)}`), warn: (m) => log.warn(`updater: ${String(m)}`), error: (m) => log.warn(`updater: ${String(m)}`) };
    const updater = new UpdateController({
      updater: autoUpdater,
      notify: showNotification,
      mayNotify: () => settings.get().notifications.level !== 'none',
      log,
    });
    updater.start();
    app.on('will-quit', () => updater.stop());
  } else {
    log.info(`updates off: ${updates.reason}`);
  }
}

main().catch((e: unknown) => {
  console.error(`ConfSync: fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  try {
    dialog.showErrorBox('ConfSync could not start', describe(e));
  } finally {
    app.exit(1);
  }
});
