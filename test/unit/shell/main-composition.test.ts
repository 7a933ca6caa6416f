/**
 * The composition root, run for real without Electron: electron/main.ts is bundled (as the build does)
 * with 'electron' answered by fake-electron.mjs, and started under plain Node with a temp HOME and
 * config dir. The real engine, settings (electron-store), IPC wrappers, tray and window controllers
 * run; the fake records what main.ts asked of Electron and drives a short scenario: IPC from trusted
 * and untrusted senders, tray clicks, "Pause syncing" from the menu, a navigation attempt, quit.
 *
 * This is what can be checked of main.ts here; the real Electron run is test/e2e/electron.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Plugin } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUEST_CHANNELS } from '../../../shared/channels';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fakeElectron = fileURLToPath(new URL('./fake-electron.mjs', import.meta.url));

// Same depth under the repo as dist/main/main.js, so main.ts finds ../preload, ../renderer and
// ../../assets/tray exactly as in a real build.
const outDir = join(root, 'dist', `test-main-${process.pid}`);

/**
 * 'electron' → the fake; electron-store and electron-updater are bundled so their own 'electron'
 * imports reach the fake too (the real 'electron' package would try to download Electron).
 */
const BUNDLED = /^(electron-store|electron-updater)(\/|$)/;
const fakeElectronPlugin: Plugin = {
  name: 'fake-electron',
  setup(b) {
    b.onResolve({ filter: /^electron$/ }, () => ({ path: fakeElectron }));
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (BUNDLED.test(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

interface Report {
  events: string[];
  paths: Record<string, string>;
  windows: Array<{
    url: string;
    options: { webPreferences: Record<string, unknown>; show: boolean };
    visible: boolean;
    position: [number, number] | null;
    sent: Record<string, number>;
    windowOpen: unknown;
    navigationListeners: number;
    webviewListeners: number;
  }>;
  trays: Array<{ images: string[]; tooltip: string; contextMenus: number; popups: number }>;
  handlers: string[];
  scenario: Record<string, unknown> & { error?: string };
  errorBoxes: unknown[];
  loginItem: unknown[];
  sessionHardened: Record<string, boolean>;
  protocol: { privileged: unknown; privilegedBeforeReady: boolean | null; handled: string[] };
  updater: string[];
  exitCode: number | null;
}

let report: Report;
let configDir: string;
let exitCode: number | null;
let stderr = '';

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['electron/main.ts'],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    plugins: [fakeElectronPlugin],
    banner: { js: "import { createRequire as __csCreateRequire } from 'node:module'; const require = __csCreateRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const base = mkdtempSync(join(tmpdir(), 'confsync-main-'));
  configDir = join(base, 'config');
  const reportFile = join(base, 'report.json');
  const home = join(base, 'home');
  mkdirSync(home, { recursive: true });
  exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [join(outDir, 'main.js')], {
      cwd: root,
      env: {
        ...process.env,
        HOME: home,
        USERPROFILE: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        CONFSYNC_CONFIG_DIR: configDir,
        CONFSYNC_E2E: '1',
        FAKE_ELECTRON_REPORT: reportFile,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main.js did not exit within 60 s\n${stderr}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  if (!existsSync(reportFile)) throw new Error(`no report written (exit ${exitCode})\n${stderr}`);
  report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
}, 90_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('electron/main.ts composition (fake Electron, real engine)', () => {
  it('runs the scenario and quits cleanly with exit code 0', () => {
    expect(report.scenario.error, stderr).toBeUndefined();
    expect(report.errorBoxes).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.exitCode).toBe(0);
  });

  it('serves the loopback API with daemon.json, so the confsync CLI talks to the running app', () => {
    expect(report.scenario.daemonFile).toMatchObject({ pid: expect.any(Number), port: expect.any(Number), token: expect.any(String), kind: 'app' });
    expect(report.scenario.cliStatus).toMatchObject({ code: 0, pidSeen: configDir });
    // The app removes its daemon.json when it quits.
    expect(existsSync(join(configDir, 'daemon.json'))).toBe(false);
  });

  it('userData is the config dir, set before the single-instance lock', () => {
    expect(report.paths.userData).toBe(configDir);
    expect(report.events).toContain(`singleInstanceLock userData=${configDir}`);
    expect(report.paths.logs).toBe(join(configDir, 'logs'));
    expect(report.paths.sessionData).toBe(join(configDir, 'chromium'));
  });

  it('settings went through electron-store into <configDir>/config.json (Pause from the tray menu persisted)', () => {
    const saved = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { paused: boolean };
    expect(saved.paused).toBe(true);
  });

  it('registers exactly the contract channels and checks senders', () => {
    expect([...report.handlers].sort()).toEqual([...REQUEST_CHANNELS].sort());
    expect(report.scenario.stateGet).toEqual({ configDir, phase: expect.any(String) });
    expect(report.scenario.untrusted).toMatchObject({ ok: false, code: 'forbidden', error: expect.stringMatching(/untrusted sender/) });
    expect(report.scenario.foreignFrame).toMatchObject({ ok: false, code: 'forbidden' });
    expect(report.scenario.invalid).toMatchObject({ ok: false, error: expect.stringMatching(/^ContractError: invalid payload for sync:set-paused/) });
  });

  it('opens both windows (E2E mode) on app://confsync with the secure preferences and dist/preload', () => {
    const urls = report.windows.map((w) => w.url).sort();
    expect(urls).toEqual(['app://confsync/popover.html', 'app://confsync/preferences.html']);
    for (const w of report.windows) {
      expect(w.options.show).toBe(false);
      expect(w.options.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        preload: join(root, 'dist', 'preload', 'preload.cjs'),
      });
      expect(w.windowOpen).toEqual({ action: 'deny' });
      expect(w.navigationListeners).toBe(1); // hardened once, though both the factory and web-contents-created ask
      expect(w.webviewListeners).toBe(1);
    }
    expect(report.scenario.navigationPrevented).toBe(true);
    expect(report.scenario.fileNavigationPrevented).toBe(true);
    expect(report.scenario.ownNavigationPrevented).toBe(false);
  });

  it('app://: privileged before ready, handled after; serves dist/renderer with the CSP header and nothing else', () => {
    expect(report.protocol.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(report.protocol.privilegedBeforeReady).toBe(true);
    expect(report.protocol.handled).toEqual(['app']);
    const page = readFileSync(join(root, 'dist', 'renderer', 'popover.html'), 'utf8');
    expect(report.scenario.appPopover).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', length: page.length, body: page.slice(0, 200) });
    expect((report.scenario.appPopover as { csp: string }).csp).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    const asset = report.scenario.appAsset as { path: string; status: number; type: string; length: number };
    expect(asset).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(asset.length).toBe(readFileSync(join(root, 'dist', 'renderer', asset.path), 'utf8').length);
    for (const key of ['appTraversal', 'appEncodedSlash', 'appOtherHost', 'appMissing', 'appPost']) {
      const r = report.scenario[key] as { status: number; length: number };
      expect(r.status, key).toBeGreaterThanOrEqual(400);
      expect(r.length, key).toBe(0);
    }
    expect(report.scenario.appOtherHost).toMatchObject({ status: 403 });
    expect(report.scenario.appPost).toMatchObject({ status: 405 });
  });

  it('the unpackaged app does not check for updates (and never touched the updater)', () => {
    expect(report.updater).toEqual([]);
    const log = readFileSync(join(configDir, 'logs', 'confsync.log'), 'utf8');
    expect(log).toMatch(/INFO {2}updates off: the app is not packaged/);
    expect(log).not.toMatch(/updater:|update check/);
  });

  it('session: permissions denied, foreign network requests cancelled', () => {
    expect(report.sessionHardened).toEqual({ permissionRequest: true, permissionCheck: true, beforeRequest: true });
    expect(report.scenario.permissionGranted).toBe(false);
    expect(report.scenario.networkCancelled).toBe(true);
  });

  it('tray: icons from assets/tray that exist, popover toggles below the tray, menu works, state reaches tray and windows', () => {
    expect(report.trays).toHaveLength(1);
    const tray = report.trays[0];
    const variant = process.platform === 'darwin' ? 'Template' : '';
    for (const img of tray.images) {
      expect(img.startsWith(join(root, 'assets', 'tray'))).toBe(true);
      expect(img.endsWith(`${variant}.png`)).toBe(true);
      expect(existsSync(img)).toBe(true);
    }
    expect(report.scenario.afterFirstClick).toBe(false);
    // Fake tray at x 1200..1224, y 0..24, work area from y 25: centred below it (4 px gap off macOS).
    expect(report.scenario.afterSecondClick).toEqual({ visible: true, position: [1032, process.platform === 'darwin' ? 25 : 28] });
    expect(report.scenario.menuLabels).toEqual(expect.arrayContaining(['Sync now', 'Pause syncing', 'Preferences…', 'Open sync folder', 'Show logs', 'Quit ConfSync']));
    expect(report.scenario.tooltipAfterPause).toBe('Paused');
    expect(report.scenario.stateChangedPushes).toBeGreaterThan(0);
  });

  it('"Show logs" reveals confsync.log, "Open sync folder" opens the repo', () => {
    expect(report.events).toContain(`showItemInFolder ${join(configDir, 'logs', 'confsync.log')}`);
    expect(report.events).toContain(`openPath ${join(configDir, 'repo')}`);
  });

  it('applies the login item setting at start', () => {
    if (process.platform === 'linux') expect(existsSync(join(process.env.HOME ?? '', '.config', 'autostart', 'confsync.desktop'))).toBe(false);
    else expect(report.loginItem).toContainEqual({ openAtLogin: false });
  });

  it('quit went through the engine flush', () => {
    const log = readFileSync(join(configDir, 'logs', 'confsync.log'), 'utf8');
    expect(log).toMatch(/INFO {2}ConfSync 0\.1\.0 starting; config dir /);
    expect(log).toMatch(/INFO {2}quit: engine stopped/);
  });
});
