/**
 * A stand-in for the 'electron' module, for running the real composition root (electron/main.ts,
 * bundled) under plain Node where no Electron binary exists. It implements just enough of each API
 * for main.ts, electron-store and electron-log, records what main.ts does, and drives a short
 * scenario once the app is wired up (IPC calls, app:// requests, tray clicks, a menu click, quit).
 * The record is written as JSON to $FAKE_ELECTRON_REPORT when the app exits.
 *
 * electron-updater is bundled with this fake too: the unpackaged app must never touch it, and if it
 * did, its `require('electron')` lands here (recorded in `report.updater`) instead of the real
 * 'electron' package, which would try to download Electron.
 *
 * Used only by main-composition.test.ts.
 */
import { EventEmitter } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';

const report = {
  events: [],
  paths: {},
  windows: [],
  trays: [],
  handlers: [],
  scenario: {},
  errorBoxes: [],
  notifications: [],
  loginItem: [],
  protocol: { privileged: null, privilegedBeforeReady: null, handled: [] },
  updater: [],
  sessionHardened: { permissionRequest: false, permissionCheck: false, beforeRequest: false },
  exitCode: null,
};
const note = (e) => report.events.push(e);

let nextId = 1;

class FakeWebContents extends EventEmitter {
  constructor(win) {
    super();
    this.id = nextId++;
    this.win = win;
    this.windowOpenHandler = null;
    this.sent = {};
  }
  setWindowOpenHandler(h) {
    this.windowOpenHandler = h;
  }
  isDestroyed() {
    return false;
  }
  isLoading() {
    return false;
  }
  send(channel) {
    this.sent[channel] = (this.sent[channel] ?? 0) + 1;
  }
}

export class BrowserWindow extends EventEmitter {
  static all = [];
  static getAllWindows() {
    return BrowserWindow.all;
  }
  constructor(options) {
    super();
    this.options = options;
    this.url = null;
    this.visible = false;
    this.position = null;
    this.size = [options.width ?? 800, options.height ?? 600];
    this.webContents = new FakeWebContents(this);
    app.emit('web-contents-created', {}, this.webContents);
    BrowserWindow.all.push(this);
  }
  async loadURL(url) {
    this.url = url;
  }
  isDestroyed() {
    return false;
  }
  isVisible() {
    return this.visible;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  setPosition(x, y) {
    this.position = [x, y];
  }
  getSize() {
    return this.size;
  }
  getBounds() {
    return { x: this.position?.[0] ?? 0, y: this.position?.[1] ?? 0, width: this.size[0], height: this.size[1] };
  }
}

export class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.images = [image.path];
    this.tooltip = null;
    this.title = null;
    this.contextMenus = [];
    this.popups = [];
    report.trays.push(this);
    Tray.current = this;
  }
  setImage(image) {
    this.images.push(image.path);
  }
  setToolTip(t) {
    this.tooltip = t;
  }
  setTitle(t) {
    this.title = t;
  }
  setContextMenu(menu) {
    this.contextMenus.push(menu);
  }
  popUpContextMenu(menu) {
    this.popups.push(menu);
  }
  getBounds() {
    return { x: 1200, y: 0, width: 24, height: 24 };
  }
  destroy() {}
  toJSON() {
    return { images: this.images, tooltip: this.tooltip, title: this.title, contextMenus: this.contextMenus.length, popups: this.popups.length };
  }
}

export const Menu = {
  buildFromTemplate: (template) => ({ template }),
};

export const nativeImage = {
  createFromPath: (path) => ({ path, exists: existsSync(path), setTemplateImage() {} }),
};

export class Notification {
  static isSupported() {
    return true;
  }
  constructor(opts) {
    this.opts = opts;
  }
  on() {}
  show() {
    report.notifications.push(this.opts);
  }
}

export const dialog = {
  showErrorBox: (title, body) => report.errorBoxes.push({ title, body }),
};

export const shell = {
  openPath: async (p) => {
    note(`openPath ${p}`);
    return '';
  },
  showItemInFolder: (p) => note(`showItemInFolder ${p}`),
  openExternal: async () => {},
};

const handlers = new Map();
export const ipcMain = Object.assign(new EventEmitter(), {
  handle(channel, fn) {
    if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    handlers.set(channel, fn);
  },
  removeHandler(channel) {
    handlers.delete(channel);
  },
});

export const screen = {
  getDisplayMatching: () => ({ workArea: { x: 0, y: 25, width: 1440, height: 875 } }),
  getDisplayNearestPoint: () => ({ workArea: { x: 0, y: 25, width: 1440, height: 875 } }),
  getCursorScreenPoint: () => ({ x: 0, y: 0 }),
  getAllDisplays: () => [{ workArea: { x: 0, y: 25, width: 1440, height: 875 } }],
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h) => {
      report.sessionHardened.permissionRequest = !!h;
      session.defaultSession.permissionRequest = h;
    },
    setPermissionCheckHandler: (h) => {
      report.sessionHardened.permissionCheck = !!h;
    },
    webRequest: {
      onBeforeRequest: (l) => {
        report.sessionHardened.beforeRequest = true;
        session.defaultSession.beforeRequest = l;
      },
    },
  },
};

const protocolHandlers = new Map();
export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    if (report.protocol.privileged) throw new Error('registerSchemesAsPrivileged called twice');
    report.protocol.privileged = schemes;
    report.protocol.privilegedBeforeReady = !ready;
  },
  handle(scheme, handler) {
    if (!ready) throw new Error('protocol.handle before ready');
    if (protocolHandlers.has(scheme)) throw new Error(`second handler for ${scheme}:`);
    protocolHandlers.set(scheme, handler);
    report.protocol.handled.push(scheme);
  },
};

/** Electron's own (Squirrel) autoUpdater and net: only electron-updater would reach for them. */
export const autoUpdater = Object.assign(new EventEmitter(), {
  setFeedURL: () => report.updater.push('autoUpdater.setFeedURL'),
  checkForUpdates: () => report.updater.push('autoUpdater.checkForUpdates'),
  quitAndInstall: () => report.updater.push('autoUpdater.quitAndInstall'),
});
export const net = {
  request: (o) => {
    report.updater.push(`net.request ${typeof o === 'string' ? o : (o?.url ?? o?.hostname)}`);
    throw new Error('no network in the fake');
  },
};

export const webContents = { getAllWebContents: () => BrowserWindow.all.map((w) => w.webContents) };

const paths = new Map([['userData', '/nonexistent/userData']]);
let ready = false;
let exiting = false;

class FakeApp extends EventEmitter {
  isPackaged = false;
  name = 'confsync';
  dock = { hide: () => note('dock.hide') };
  setName(n) {
    this.name = n;
  }
  getName() {
    return this.name;
  }
  getVersion() {
    return '0.1.0';
  }
  getAppPath() {
    return process.cwd();
  }
  setPath(name, p) {
    paths.set(name, p);
    report.paths[name] = p;
  }
  getPath(name) {
    return paths.get(name) ?? `/nonexistent/${name}`;
  }
  setAppLogsPath(p) {
    report.paths.logs = p;
  }
  requestSingleInstanceLock() {
    note(`singleInstanceLock userData=${paths.get('userData')}`);
    return true;
  }
  setAppUserModelId() {}
  setLoginItemSettings(s) {
    report.loginItem.push(s);
  }
  focus() {}
  isReady() {
    return ready;
  }
  whenReady() {
    return new Promise((resolve) => {
      if (ready) return resolve();
      this.once('ready', () => resolve());
    });
  }
  quit() {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.exit(0);
  }
  exit(code = 0) {
    if (exiting) return;
    exiting = true;
    this.emit('will-quit', { preventDefault() {} });
    report.exitCode = code;
    report.windows = BrowserWindow.all.map((w) => ({
      url: w.url,
      options: w.options,
      visible: w.visible,
      position: w.position,
      sent: w.webContents.sent,
      windowOpen: w.webContents.windowOpenHandler ? w.webContents.windowOpenHandler({ url: 'https://example.com' }) : null,
      navigationListeners: w.webContents.listenerCount('will-navigate'),
      webviewListeners: w.webContents.listenerCount('will-attach-webview'),
    }));
    report.handlers = [...handlers.keys()];
    if (process.env.FAKE_ELECTRON_REPORT) writeFileSync(process.env.FAKE_ELECTRON_REPORT, JSON.stringify(report, null, 1));
    process.exit(code);
  }
}

export const app = new FakeApp();

/** Sleep and wake: the scenario emits 'suspend' and 'resume'. */
export const powerMonitor = new EventEmitter();

setTimeout(() => {
  ready = true;
  app.emit('ready');
  void drive();
}, 10);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function call(channel, event, payload) {
  try {
    return { ok: true, value: await handlers.get(channel)(event, payload) };
  } catch (e) {
    return { ok: false, error: `${e.name}: ${e.message}`, code: e.code };
  }
}

async function drive() {
  const s = report.scenario;
  try {
    await waitFor('wiring', () => Tray.current && handlers.size > 0 && BrowserWindow.all.length >= 2);
    const popover = BrowserWindow.all.find((w) => w.url?.endsWith('/popover.html'));
    const trusted = { sender: popover.webContents, senderFrame: { url: popover.url, parent: null } };

    const state = await call('state:get', trusted);
    s.stateGet = state.ok ? { configDir: state.value.configDir, phase: state.value.phase } : state;
    s.untrusted = await call('state:get', { sender: { id: 999 }, senderFrame: { url: popover.url, parent: null } });
    s.foreignFrame = await call('state:get', { sender: popover.webContents, senderFrame: { url: 'https://evil.example/', parent: null } });
    s.invalid = await call('sync:set-paused', trusted, { paused: 'yes' });

    const tray = Tray.current;
    // Popover: tray click toggles (it is open already in E2E mode: close, then open).
    tray.emit('click');
    s.afterFirstClick = popover.visible;
    await sleep(400);
    tray.emit('click');
    s.afterSecondClick = { visible: popover.visible, position: popover.position };

    // Right click pops the context menu; click "Pause syncing".
    tray.emit('right-click');
    const menu = (tray.popups.at(-1) ?? tray.contextMenus.at(-1)).template;
    s.menuLabels = menu.map((i) => i.label ?? i.type);
    menu.find((i) => i.id === 'pause').click();
    await waitFor('paused tooltip', () => tray.tooltip === 'Paused', 10_000);
    s.tooltipAfterPause = tray.tooltip;
    s.stateChangedPushes = popover.webContents.sent['state:changed'] ?? 0;
    menu.find((i) => i.id === 'show-logs').click();
    menu.find((i) => i.id === 'open-sync-folder').click();
    await sleep(200);

    // Navigation guard on a real window of ours.
    let prevented = false;
    popover.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://example.com/');
    s.navigationPrevented = prevented;
    const guardFile = { prevented: false };
    popover.webContents.emit('will-navigate', { preventDefault: () => (guardFile.prevented = true) }, 'file:///etc/passwd');
    s.fileNavigationPrevented = guardFile.prevented;
    const guardOwn = { prevented: false };
    popover.webContents.emit('will-navigate', { preventDefault: () => (guardOwn.prevented = true) }, 'app://confsync/preferences.html#general');
    s.ownNavigationPrevented = guardOwn.prevented;

    // app:// as the windows load it: our pages from dist/renderer, with the CSP header; nothing else.
    const appHandler = protocolHandlers.get('app');
    const fetchApp = async (url, method = 'GET') => {
      const res = await appHandler({ url, method, headers: new Headers() });
      const body = method === 'HEAD' ? '' : await res.text();
      return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), length: body.length, body };
    };
    if (appHandler) {
      const page = await fetchApp(popover.url);
      s.appPopover = { ...page, body: page.body.slice(0, 200) };
      const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
      s.appAsset = asset ? { path: asset, ...(await fetchApp(`app://confsync/${asset}`)), body: undefined } : null;
      s.appTraversal = await fetchApp('app://confsync/%2e%2e/%2e%2e/package.json');
      s.appEncodedSlash = await fetchApp('app://confsync/..%2f..%2fpackage.json');
      s.appOtherHost = await fetchApp('app://evil/popover.html');
      s.appMissing = await fetchApp('app://confsync/missing.html');
      s.appPost = await fetchApp('app://confsync/popover.html', 'POST');
    }
    // Permission request answered no.
    await new Promise((resolve) =>
      session.defaultSession.permissionRequest({}, 'media', (granted) => {
        s.permissionGranted = granted;
        resolve();
      }),
    );
    session.defaultSession.beforeRequest({ url: 'https://tracker.example/x.gif' }, (r) => (s.networkCancelled = r.cancel));

    // The app serves the same loopback API as the daemon and writes daemon.json: the real CLI,
    // run while the app runs, talks to it (it must not refuse, nor open the repo itself).
    const { readFileSync, existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { spawnSync } = await import('node:child_process');
    const daemonFile = join(process.env.CONFSYNC_CONFIG_DIR, 'daemon.json');
    s.daemonFile = existsSync(daemonFile) ? JSON.parse(readFileSync(daemonFile, 'utf8')) : null;
    const cli = spawnSync(process.execPath, [join(process.cwd(), 'bin', 'confsync.mjs'), 'status', '--json'], { env: process.env, encoding: 'utf8', timeout: 30_000 });
    s.cliStatus = { code: cli.status, stderr: cli.stderr.slice(0, 500), pidSeen: cli.status === 0 ? JSON.parse(cli.stdout).configDir : null };

    // Sleep: the host finishes the job; wake: it syncs. Neither may break anything.
    powerMonitor.emit('suspend');
    powerMonitor.emit('resume');
    await sleep(100);
  } catch (e) {
    s.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
  app.quit();
}

export const contextBridge = { exposeInMainWorld() {} };
export const ipcRenderer = { invoke: async () => undefined, on() {}, removeListener() {} };

export default { app, autoUpdater, BrowserWindow, Menu, Notification, Tray, dialog, ipcMain, nativeImage, net, powerMonitor, protocol, screen, session, shell, webContents, contextBridge, ipcRenderer };
