/**
 * Updates through electron-updater (GitHub Releases, the `publish` section of build/electron-builder.yml).
 *
 * - When: `updatesEnabled` decides once at start. Off when the app is not packaged (a dev run has no
 *   app-update.yml and nothing to replace) and on Linux unless it runs as an AppImage: that is
 *   electron-updater's own rule for its default Linux updater, and a .deb is updated by the package
 *   manager (electron-updater's DebUpdater would ask for root). The headless host never gets here: it
 *   does not use electron/shell/.
 * - What: `UpdateController` checks a short while after start and then every 24 h. Downloads happen on
 *   their own (`autoDownload`); a downloaded update is installed when the person quits
 *   (`autoInstallOnAppQuit`), never by restarting under them. When an update is ready the person is
 *   told once per version: "ConfSync X.Y.Z will be installed when you quit".
 * - Failures (offline, GitHub down, a bad signature) go to the log and never reach the person or crash
 *   the app: electron-updater both emits `error` and rejects the check's promises, and each error is
 *   logged once.
 *
 * The controller takes the updater, the clock and the notifier as ports, so it is tested with a fake
 * updater and fake timers; main.ts passes electron-updater's `autoUpdater`.
 */
import type { OutgoingNotification } from './notifications.js';

export const FIRST_CHECK_DELAY_MS = 30_000;
export const CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

export type UpdatesDecision = { enabled: true } | { enabled: false; reason: string };

export function updatesEnabled(opts: { isPackaged: boolean; platform: NodeJS.Platform; appImage?: string | undefined }): UpdatesDecision {
  if (!opts.isPackaged) return { enabled: false, reason: 'the app is not packaged' };
  if (opts.platform === 'linux' && !opts.appImage) return { enabled: false, reason: 'on Linux only the AppImage updates itself; other packages update through the package manager' };
  if (opts.platform !== 'darwin' && opts.platform !== 'win32' && opts.platform !== 'linux') return { enabled: false, reason: `no updates for ${opts.platform}` };
  return { enabled: true };
}

/** The part of electron-updater's AppUpdater the controller uses. */
export interface UpdaterPort {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<{ downloadPromise?: Promise<unknown> | null } | null>;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface UpdaterClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Real timers that do not keep the process alive. */
export const realUpdaterClock: UpdaterClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export interface UpdaterLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface UpdateControllerOptions {
  updater: UpdaterPort;
  /** Shows a desktop notification (main.ts: the same `electronNotifier` the notification grouper uses). */
  notify: (n: OutgoingNotification) => void;
  /** False when the person turned notifications off: the update still installs on quit, silently. */
  mayNotify?: () => boolean;
  log: UpdaterLog;
  clock?: UpdaterClock;
  firstCheckDelayMs?: number;
  intervalMs?: number;
}

export function updateReadyNotification(version: string): OutgoingNotification {
  return { title: 'Update ready', body: `ConfSync ${version} will be installed when you quit.`, tab: 'general' };
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class UpdateController {
  private readonly clock: UpdaterClock;
  private readonly told = new Set<string>();
  private readonly reported = new WeakSet<object>();
  private firstTimer: unknown = null;
  private interval: unknown = null;
  private checking = false;
  private started = false;

  constructor(private readonly opts: UpdateControllerOptions) {
    this.clock = opts.clock ?? realUpdaterClock;
  }

  /** Configures the updater, listens to it and schedules the checks (first after a short delay, then daily). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const u = this.opts.updater;
    u.autoDownload = true;
    u.autoInstallOnAppQuit = true;
    u.on('update-available', (info) => this.opts.log.info(`update: ConfSync ${info.version} is available; downloading`));
    u.on('update-downloaded', (info) => this.downloaded(info.version));
    u.on('error', (e) => this.report(e));
    this.firstTimer = this.clock.setTimeout(() => {
      this.firstTimer = null;
      void this.check();
    }, this.opts.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS);
    this.interval = this.clock.setInterval(() => void this.check(), this.opts.intervalMs ?? CHECK_INTERVAL_MS);
  }

  /** Checks now (and downloads what it finds). Never rejects; a check already running is not doubled. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const result = await this.opts.updater.checkForUpdates();
      // With autoDownload the download runs on; its failure is reported, not left unhandled.
      result?.downloadPromise?.catch((e: unknown) => this.report(e));
    } catch (e) {
      this.report(e);
    } finally {
      this.checking = false;
    }
  }

  stop(): void {
    if (this.firstTimer !== null) this.clock.clearTimeout(this.firstTimer);
    if (this.interval !== null) this.clock.clearInterval(this.interval);
    this.firstTimer = null;
    this.interval = null;
  }

  private downloaded(version: string): void {
    this.opts.log.info(`update: ConfSync ${version} downloaded; it will be installed on quit`);
    if (this.told.has(version)) return;
    this.told.add(version);
    if (this.opts.mayNotify && !this.opts.mayNotify()) return;
    try {
      this.opts.notify(updateReadyNotification(version));
    } catch (e) {
      this.opts.log.warn(`update: could not show the notification: ${describe(e)}`);
    }
  }

  /** Logs an updater error once (electron-updater emits `error` and also rejects with the same error). */
  private report(e: unknown): void {
    if (e !== null && typeof e === 'object') {
      if (this.reported.has(e)) return;
      this.reported.add(e);
    }
    this.opts.log.warn(`update check failed: ${describe(e)}`);
  }
}
