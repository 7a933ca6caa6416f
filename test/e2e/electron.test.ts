/**
 * End to end through the real Electron app (dist/main/main.js), driven by playwright-core's _electron,
 * with a temp HOME and config dir. CONFSYNC_E2E=1 makes main.ts open the popover and Preferences at
 * start.
 *
 * Runs only where the Electron binary exists. It is located through node_modules/electron/path.txt +
 * dist/ — deliberately NOT `require('electron')`, which tries to download the binary when it is
 * missing. Where it is absent (ELECTRON_SKIP_BINARY_DOWNLOAD installs) the suite is skipped with one
 * line saying why. On Linux it also needs a display (run under xvfb-run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ElectronApplication, Page } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const mainJs = join(root, 'dist', 'main', 'main.js');

function electronBinary(): string | null {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const rel = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(pkg, 'dist');
  const exe = join(distDir, rel);
  return existsSync(exe) ? exe : null;
}

function skipReason(): string | null {
  if (!electronBinary()) return 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD)';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display (run under xvfb-run)';
  return null;
}

const reason = skipReason();
if (reason) console.log(`electron e2e skipped: ${reason}`);

describe.skipIf(reason !== null)('Electron app', () => {
  let app: ElectronApplication;
  let configDir: string;

  async function windowFor(page: 'popover' | 'preferences'): Promise<Page> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = app.windows().find((w) => w.url().endsWith(`/${page}.html`) || w.url().includes(`/${page}.html#`));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${page} window; open: ${app.windows().map((w) => w.url()).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    expect(existsSync(mainJs), `${mainJs} missing: run node scripts/build.mjs first`).toBe(true);
    const base = mkdtempSync(join(tmpdir(), 'confsync-e2e-'));
    configDir = join(base, 'config');
    const { _electron } = await import('playwright-core');
    app = await _electron.launch({
      executablePath: electronBinary()!,
      // Chromium refuses to run as root with its OS sandbox (containers); renderer sandboxing by
      // webPreferences still applies.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), mainJs],
      env: {
        ...process.env,
        HOME: join(base, 'home'),
        USERPROFILE: join(base, 'home'),
        XDG_CONFIG_HOME: join(base, 'home', '.config'),
        CONFSYNC_CONFIG_DIR: configDir,
        CONFSYNC_E2E: '1',
      } as Record<string, string>,
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('opens the popover with its status header', async () => {
    const popover = await windowFor('popover');
    await popover.waitForSelector('[data-testid="header-state"]', { timeout: 30_000 });
    expect(await popover.locator('header').first().isVisible()).toBe(true);
  });

  it('opens Preferences', async () => {
    const prefs = await windowFor('preferences');
    await prefs.waitForLoadState('domcontentloaded');
    expect(await prefs.title()).not.toBe('');
  });

  it('exposes only the narrow preload API, no Node', async () => {
    const popover = await windowFor('popover');
    const seen = await popover.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown> & { confsync?: Record<string, unknown> };
      return {
        syncNow: typeof w.confsync?.syncNow,
        onStateChanged: typeof w.confsync?.onStateChanged,
        invoke: typeof w.confsync?.invoke,
        require: typeof w.require,
        process: typeof w.process,
      };
    });
    expect(seen).toEqual({ syncNow: 'function', onStateChanged: 'function', invoke: 'undefined', require: 'undefined', process: 'undefined' });
  });

  it('answers requests over IPC from the engine of this config dir', async () => {
    const popover = await windowFor('popover');
    const state = (await popover.evaluate(() => (globalThis as unknown as { confsync: { stateGet(): Promise<unknown> } }).confsync.stateGet())) as {
      configDir: string;
    };
    expect(state.configDir).toBe(configDir);
    const err = await popover.evaluate(() =>
      (globalThis as unknown as { confsync: { syncSetPaused(p: unknown): Promise<unknown> } }).confsync
        .syncSetPaused({ paused: 'yes' })
        .then(() => 'resolved', (e: Error) => e.message),
    );
    expect(err).toMatch(/invalid payload for sync:set-paused/);
  });

  it('refuses navigation away from our pages', async () => {
    const popover = await windowFor('popover');
    const before = popover.url();
    await popover.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(popover.url()).toBe(before);
  });
});
