/**
 * The ONE composition root. Every host calls openHost(): the Electron app (electron/main.ts), the
 * headless daemon (`confsync daemon`), one-shot CLI commands (local mode), the tests and the bench.
 * So every host runs the same engine with the same features (the Keyboard Maestro live-write guard and
 * the secrets guard included), and every long-running host serves the same loopback API and writes
 * `daemon.json` (port + token, 0600), so the `confsync` CLI talks to whichever host is running, the
 * menu-bar app included.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Engine, type EngineOptions } from './engine/engine.js';
import { openHeadlessSettings } from './engine/config/conf-store.js';
import { configFiles } from './engine/config/paths.js';
import type { SettingsStore } from './engine/config/settings-store.js';
import type { HostPorts } from './engine/ports.js';
import { defaultFeatures, type Feature } from './engine/features/index.js';
import type { Keychain } from './engine/secrets/identity.js';
import { logStoreChanges, type Logger } from './engine/log.js';
import { loadUiToken, rememberPort, rememberedPort, startUiServer, type UiServer } from './cli/server.js';

export interface HostOptions {
  configDir: string;
  home?: string;
  platform?: NodeJS.Platform;
  version: string;
  /** Default: the headless settings store (`conf`) over `<configDir>/config.json`. */
  settings?: SettingsStore;
  ports?: HostPorts;
  /** Watch files, run the schedule and the features (false: a one-shot command). Default true. */
  watch?: boolean;
  /** Default: defaultFeatures() (secrets, Keyboard Maestro, peers). */
  features?: Feature[];
  /** The secrets identity's keychain (default features only). Default: the OS keychain; null: a file only. */
  keychain?: Keychain | null;
  /**
   * Serve the contract on 127.0.0.1 (and the renderer, with `staticDir`) and write daemon.json.
   * Default: serve the API when watching, not for one-shot commands.
   */
  /**
   * The port: `port`, else the `ui.port` setting, else (0) the port used last time when it is free
   * (remembered in the config dir, so a bookmark keeps working), else any free port. The token:
   * `token`, else the one kept in the config dir (`newToken` makes a new one).
   */
  serve?: false | { port?: number; staticDir?: string | null; token?: string; newToken?: boolean };
  lockWaitMs?: number;
  onLockWait?: EngineOptions['onLockWait'];
  /** Logs state changes (activity, errors) to a file logger. */
  log?: Logger;
}

export interface Host {
  engine: Engine;
  server: UiServer | null;
  /** The UI's address with its token (when serving pages), or the API's. */
  url: string | null;
  /** Finishes the job (commit and push, bounded), stops serving, removes daemon.json. */
  stop(opts?: { flushTimeoutMs?: number }): Promise<void>;
}

export interface DaemonFile {
  pid: number;
  port: number;
  token: string;
  url: string;
  startedAt: number;
  /** Which host wrote it: 'daemon' or 'app'. */
  kind?: string;
}

export async function openHost(o: HostOptions & { kind?: string }): Promise<Host> {
  const settings = o.settings ?? openHeadlessSettings(o.configDir);
  const watch = o.watch ?? true;
  // The preferences feature asks which profile (app, applyWhen) holds a live path: the engine's answer.
  let opened: Engine | null = null;
  const prefs = { home: o.home, platform: o.platform, profileFor: (live: string) => opened?.definitionForLive(live) ?? null };
  const engine = await Engine.open({
    configDir: o.configDir,
    home: o.home,
    platform: o.platform,
    version: o.version,
    settings,
    ports: o.ports,
    watch,
    features: o.features ?? defaultFeatures({ prefs, secretFiles: { configDir: o.configDir, keychain: o.keychain } }),
    lockWaitMs: o.lockWaitMs,
    onLockWait: o.onLockWait,
  });
  opened = engine;
  if (o.log) {
    const logState = logStoreChanges(o.log, { ...engine.store.getState(), activity: [], errors: [] });
    logState(engine.store.getState());
    engine.store.subscribe(logState);
  }
  const files = configFiles(o.configDir);
  let server: UiServer | null = null;
  const serve = o.serve ?? (watch ? {} : false);
  if (serve) {
    try {
      const fixedPort = serve.port ?? (settings.get().ui.port || undefined);
      const port = fixedPort ?? rememberedPort(files.uiPort) ?? 0;
      // A config dir that cannot keep the token still serves, with a token for this run only.
      const token = serve.token ?? (() => {
        try {
          return loadUiToken(files.uiToken, { renew: serve.newToken }).token;
        } catch {
          return undefined;
        }
      })();
      server = await startUiServer({ handle: engine.handle, store: engine.store, staticDir: serve.staticDir ?? null, port, anyPortIfTaken: fixedPort === undefined, token });
      if (fixedPort === undefined) rememberPort(files.uiPort, server.port);
      const info: DaemonFile = { pid: process.pid, port: server.port, token: server.token, url: server.url, startedAt: Date.now(), kind: o.kind ?? 'daemon' };
      writeFileSync(files.daemon, JSON.stringify(info), { mode: 0o600 });
    } catch (e) {
      await engine.stop();
      throw e;
    }
  }
  await engine.start(); // a one-shot host only marks itself running (no watchers, no schedule)
  let stopped = false;
  return {
    engine,
    server,
    url: server?.url ?? null,
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      try {
        await engine.stop(opts);
      } finally {
        await server?.close().catch(() => undefined);
        if (server) removeDaemonFile(files.daemon, process.pid);
      }
    },
  };
}

/** Removes daemon.json only when it is this process's. */
export function removeDaemonFile(file: string, pid: number): void {
  try {
    if (!existsSync(file)) return;
    const info = JSON.parse(readFileSync(file, 'utf8')) as DaemonFile;
    if (info.pid === pid) rmSync(file, { force: true });
  } catch {
    rmSync(file, { force: true });
  }
}
