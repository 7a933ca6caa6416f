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
import { openHost } from '../host.js';
import { headlessPorts } from './headless-ports.js';
import { VERSION } from './version.js';
import { fileLogger } from '../engine/log.js';

export function rendererDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [join(here, '..', 'renderer'), join(here, '..', '..', 'dist', 'renderer')]) {
    if (existsSync(join(c, 'index.html'))) return c;
  }
  return null;
}

export async function runDaemon(o: { ui: boolean; port?: number; reason?: string }): Promise<void> {
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
  const host = await openHost({
    configDir: dir,
    version: VERSION,
    settings,
    ports: headlessPorts((line) => {
      process.stdout.write(line + '\n');
      log.info(line);
    }),
    serve: { port: o.port ?? settings.get().ui.port, staticDir },
    lockWaitMs: 120_000,
    onLockWait: (why) => process.stdout.write(`confsync: ${why}; waiting for it to finish…\n`),
    log,
    kind: 'daemon',
  });
  if (o.reason) process.stdout.write(`${o.reason}\n`);
  if (o.ui && host.url) process.stdout.write(`ConfSync UI: ${host.url}\n`);
  process.stdout.write(`confsync daemon running (pid ${process.pid}, config ${dir}); Ctrl-C to stop\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (sig: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`confsync: ${sig}: committing and pushing pending changes…\n`);
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
