import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import type { OutgoingNotification } from '../../../electron/shell/notifications';
import {
  CHECK_INTERVAL_MS,
  FIRST_CHECK_DELAY_MS,
  UpdateController,
  updatesEnabled,
  type UpdaterClock,
  type UpdaterPort,
} from '../../../electron/shell/updater';

/**
 * Behaves like electron-updater's AppUpdater where the controller can tell: a check emits
 * `update-available`, and with autoDownload the download finishes later with `update-downloaded`;
 * a failed check emits `error` AND rejects with the same error (AppUpdater.checkForUpdates does both).
 */
class FakeUpdater extends EventEmitter implements UpdaterPort {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  latest: string | null = null;
  failWith: Error | null = null;
  downloadFailsWith: Error | null = null;
  inFlight: Promise<unknown> | null = null;
  private release: (() => void) | null = null;
  /** When true, checks stay pending until `finish()`. */
  hold = false;

  checkForUpdates(): Promise<{ downloadPromise?: Promise<unknown> | null } | null> {
    this.checks++;
    const run = async () => {
      if (this.hold) await new Promise<void>((r) => (this.release = r));
      if (this.failWith) {
        this.emit('error', this.failWith);
        throw this.failWith;
      }
      if (!this.latest) return { downloadPromise: null };
      const version = this.latest;
      this.emit('update-available', { version });
      if (!this.autoDownload) return { downloadPromise: null };
      const downloadPromise = Promise.resolve().then(() => {
        if (this.downloadFailsWith) {
          this.emit('error', this.downloadFailsWith);
          throw this.downloadFailsWith;
        }
        this.emit('update-downloaded', { version });
        return [`/cache/ConfSync-${version}.zip`];
      });
      return { downloadPromise };
    };
    this.inFlight = run();
    return this.inFlight as Promise<{ downloadPromise?: Promise<unknown> | null } | null>;
  }

  finish(): void {
    this.release?.();
    this.release = null;
  }
}

const clock: UpdaterClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

describe('updatesEnabled', () => {
  it('off when not packaged, on every platform', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      expect(updatesEnabled({ isPackaged: false, platform, appImage: '/x.AppImage' })).toEqual({ enabled: false, reason: 'the app is not packaged' });
    }
  });

  it('packaged: on for macOS and Windows; on Linux only as an AppImage', () => {
    expect(updatesEnabled({ isPackaged: true, platform: 'darwin' })).toEqual({ enabled: true });
    expect(updatesEnabled({ isPackaged: true, platform: 'win32' })).toEqual({ enabled: true });
    expect(updatesEnabled({ isPackaged: true, platform: 'linux', appImage: '/home/me/ConfSync.AppImage' })).toEqual({ enabled: true });
    expect(updatesEnabled({ isPackaged: true, platform: 'linux' })).toMatchObject({ enabled: false, reason: expect.stringMatching(/AppImage/) });
    expect(updatesEnabled({ isPackaged: true, platform: 'linux', appImage: '' })).toMatchObject({ enabled: false });
    expect(updatesEnabled({ isPackaged: true, platform: 'freebsd' })).toMatchObject({ enabled: false });
  });
});

describe('UpdateController', () => {
  let updater: FakeUpdater;
  let sent: OutgoingNotification[];
  let logged: Array<[string, string]>;
  let mayNotify: boolean;
  let controller: UpdateController;

  const log = {
    info: (m: string) => logged.push(['info', m]),
    warn: (m: string) => logged.push(['warn', m]),
    error: (m: string) => logged.push(['error', m]),
  };

  beforeEach(() => {
    vi.useFakeTimers();
    updater = new FakeUpdater();
    sent = [];
    logged = [];
    mayNotify = true;
    controller = new UpdateController({ updater, notify: (n) => sent.push(n), mayNotify: () => mayNotify, log, clock });
  });

  afterEach(() => {
    controller.stop();
    vi.useRealTimers();
  });

  it('turns on download and install-on-quit', () => {
    controller.start();
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(true);
  });

  it('checks a short while after start, not during it, then every 24 hours', async () => {
    controller.start();
    expect(updater.checks).toBe(0);
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS - 1);
    expect(updater.checks).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(updater.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS - FIRST_CHECK_DELAY_MS - 1);
    expect(updater.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS + 1);
    expect(updater.checks).toBe(2);
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS * 3);
    expect(updater.checks).toBe(5);
  });

  it('start is idempotent; stop ends the schedule', async () => {
    controller.start();
    controller.start();
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS);
    expect(updater.checks).toBe(1);
    expect(updater.listenerCount('update-downloaded')).toBe(1);
    controller.stop();
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS * 2);
    expect(updater.checks).toBe(1);
  });

  it('tells the person once per downloaded version that it installs on quit', async () => {
    updater.latest = '1.2.3';
    controller.start();
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS);
    expect(sent).toEqual([{ title: 'Update ready', body: 'ConfSync 1.2.3 will be installed when you quit.', tab: 'general' }]);
    // The daily check finds the same version again (already downloaded): no second notification.
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS);
    expect(updater.checks).toBe(2);
    expect(sent).toHaveLength(1);
    // A newer release is announced in its turn.
    updater.latest = '1.3.0';
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS);
    expect(sent.map((n) => n.body)).toEqual(['ConfSync 1.2.3 will be installed when you quit.', 'ConfSync 1.3.0 will be installed when you quit.']);
    expect(logged).toContainEqual(['info', 'update: ConfSync 1.3.0 downloaded; it will be installed on quit']);
  });

  it('says nothing when nothing is newer', async () => {
    controller.start();
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS + CHECK_INTERVAL_MS);
    expect(updater.checks).toBe(2);
    expect(sent).toEqual([]);
    expect(logged.filter(([l]) => l !== 'info')).toEqual([]);
  });

  it('notifications turned off: the update is logged and still installs, but nothing is shown', async () => {
    mayNotify = false;
    updater.latest = '2.0.0';
    controller.start();
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS);
    expect(sent).toEqual([]);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(logged).toContainEqual(['info', 'update: ConfSync 2.0.0 downloaded; it will be installed on quit']);
  });

  it('a failing check is logged once (event and rejection are the same error), never thrown, and the next check still runs', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      updater.failWith = new Error('net::ERR_INTERNET_DISCONNECTED');
      controller.start();
      await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS);
      expect(logged.filter(([l]) => l === 'warn')).toEqual([['warn', 'update check failed: net::ERR_INTERNET_DISCONNECTED']]);
      expect(sent).toEqual([]);
      updater.failWith = null;
      updater.latest = '1.0.1';
      await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS);
      expect(updater.checks).toBe(2);
      expect(sent).toHaveLength(1);
      await vi.runOnlyPendingTimersAsync();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('a failing download is logged, not left as an unhandled rejection, and nobody is told', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      updater.latest = '1.0.1';
      updater.downloadFailsWith = new Error('sha512 checksum mismatch');
      controller.start();
      await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS);
      await Promise.resolve();
      expect(logged.filter(([l]) => l === 'warn')).toEqual([['warn', 'update check failed: sha512 checksum mismatch']]);
      expect(sent).toEqual([]);
      // Give Node a turn to report unhandled rejections, if there were any.
      vi.useRealTimers();
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('an error the updater only emits (no promise) is logged too', () => {
    controller.start();
    updater.emit('error', new Error('Cannot find latest-mac.yml'));
    expect(logged).toContainEqual(['warn', 'update check failed: Cannot find latest-mac.yml']);
  });

  it('a check still running when the next one is due is not doubled', async () => {
    updater.hold = true;
    controller.start();
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS);
    expect(updater.checks).toBe(1);
    await controller.check();
    await vi.advanceTimersByTimeAsync(CHECK_INTERVAL_MS);
    expect(updater.checks).toBe(1);
    updater.finish();
    await updater.inFlight;
    updater.hold = false;
    await controller.check();
    expect(updater.checks).toBe(2);
  });

  it('a notifier that throws does not break the updater', async () => {
    controller = new UpdateController({
      updater,
      notify: () => {
        throw new Error('Notification not supported');
      },
      log,
      clock,
    });
    updater.latest = '1.0.1';
    controller.start();
    await vi.advanceTimersByTimeAsync(FIRST_CHECK_DELAY_MS);
    expect(logged).toContainEqual(['warn', 'update: could not show the notification: Notification not supported']);
  });
});
