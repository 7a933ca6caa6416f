/**
 * `confsync daemon`: the headless host. openHost() opens the engine (waiting for the config dir's lock
 * when a one-shot command holds it), serves the contract on 127.0.0.1 (and with --ui the renderer),
 * writes `daemon.json` (port + token, mode 0600) so CLI commands can find it, and on SIGINT/SIGTERM
 * finishes the job (commits and pushes pending edits, bounded) before it exits.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfigDir, configFiles } from '../engine/config/paths.js';
import { openHeadlessSettings } from '../engine/config/conf-store.js';
import { openHost, type Host } from '../host.js';
import { EXIT_ALREADY_RUNNING, readDaemonInfo, type DaemonInfo } from './client.js';
import { headlessPorts } from './headless-ports.js';
import { VERSION } from './version.js';
import { fileLogger } from '../engine/log.js';
import { followLiveSettings } from '../engine/config/live.js';

export { EXIT_ALREADY_RUNNING };

/** A second long-running host for one config dir: refused with a clear message (EXIT_ALREADY_RUNNING). */
export class DaemonRefused extends Error {
  override name = 'DaemonRefused';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function rendererDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [join(here, '..', 'renderer'), join(here, '..', '..', 'dist', 'renderer')]) {
    if (existsSync(join(c, 'index.html'))) return c;
  }
  return null;
}

export interface DaemonOptions {
  ui: boolean;
  /** Exactly this port (0: any free port); default: the ui.port setting, else the port used last time. */
  port?: number;
  reason?: string;
  /** Make a new access token (the old address and bookmarks stop working). */
  newToken?: boolean;
  /**
   * Exit 0 rather than EXIT_ALREADY_RUNNING when ConfSync already runs: for launchd, whose KeepAlive
   * can only tell a zero exit (not restarted) from any other (restarted).
   */
  okIfRunning?: boolean;
}

export async function runDaemon(o: DaemonOptions): Promise<void> {
  const dir = resolveConfigDir();
  const files = configFiles(dir);
  const settings = openHeadlessSettings(dir);
  if (settings.loadError) {
    process.stderr.write(`confsync: ${settings.loadError.message}\nconfsync: running with default settings until the file is fixed; nothing will be written to it.\n`);
  }
  const log = fileLogger(files.log);
  const staticDir = o.ui ? rendererDir() : null;
  if (o.ui && !staticDir) process.stderr.write('confsync: the UI is not built (run `npm run build`); serving the API only\n');
  // Signals that arrive while opening are honoured once the host is up.
  let stopRequested: string | null = null;
  const early = (sig: string) => () => {
    stopRequested ??= sig;
  };
  const earlyInt = early('SIGINT');
  const earlyTerm = early('SIGTERM');
  process.on('SIGINT', earlyInt);
  process.on('SIGTERM', earlyTerm);
  // Another long-running host (a daemon, or the menu-bar app) already serves this config dir: say so.
  // A one-shot command holding the lock is waited for: it finishes in moments.
  const other = () => {
    const info = readDaemonInfo(files.daemon);
    return info && info.pid !== process.pid ? info : null;
  };
  const refuse = (info: DaemonInfo) => {
    throw new DaemonRefused(
      `ConfSync is already running for this config dir (process ${info.pid}, ${info.kind === 'app' ? 'the ConfSync app' : 'a confsync daemon'}); use \`confsync\` commands, which talk to it`,
      o.okIfRunning ? 0 : EXIT_ALREADY_RUNNING,
    );
  };
  const first = other();
  if (first) refuse(first);
  const deadline = Date.now() + 120_000;
  let told = false;
  let host: Host;
  for (;;) {
    try {
      host = await openHost({
        configDir: dir,
        version: VERSION,
        settings,
        ports: headlessPorts((line) => {
          process.stdout.write(line + '\n');
          log.info(line);
        }),
        serve: { port: o.port, staticDir, newToken: o.newToken },
        lockWaitMs: 1000,
        log,
        kind: 'daemon',
      });
      break;
    } catch (e) {
      if ((e as Error)?.name !== 'LockedError') throw e;
      const info = other();
      if (info) refuse(info);
      if (Date.now() > deadline) throw e;
      if (!told) {
        told = true;
        process.stdout.write(`confsync: ${(e as Error).message.replace(/; stop it first.*$/, '')}; waiting for it to finish…\n`);
      }
    }
  }
  const say = (line: string) => {
    process.stdout.write(`confsync: ${line}\n`);
    log.info(line);
  };
  // Settings changed through this daemon apply at once, or it says they wait for a restart.
  const unfollow = followLiveSettings(host.engine, say);
  if (o.reason) process.stdout.write(`${o.reason}\n`);
  if (o.newToken) say('a new access token was made: addresses and bookmarks with the old one no longer open the UI');
  if (host.server?.portTaken) say(`port ${host.server.portTaken} (used last time) is taken by another program; serving on port ${host.server.port} this time`);
  if (o.ui && host.url) process.stdout.write(`ConfSync UI: ${host.url}\n`);
  process.stdout.write(`confsync daemon running (pid ${process.pid}, config ${dir}); Ctrl-C to stop\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (sig: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`confsync: ${sig}: committing and pushing pending changes…\n`);
      unfollow();
      try {
        await host.stop({ flushTimeoutMs: 15_000 });
      } finally {
        process.stdout.write('confsync: stopped\n');
        resolve();
      }
    };
    // `on`, not `once`: signal-exit (via proper-lockfile) re-raises a signal when it sees no other
    // listener left, which would kill us mid-flush.
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.off('SIGINT', earlyInt);
    process.off('SIGTERM', earlyTerm);
    if (stopRequested) void stop(stopRequested);
  });
}
