/**
 * `confsync daemon`: the headless host. Opens the engine (taking the config dir's lock), starts the
 * loopback server (the contract over WebSocket for the CLI and, with --ui, the renderer), writes
 * `daemon.json` (port + token, mode 0600) so CLI commands can find it, and on SIGINT/SIGTERM flushes
 * every pending change before it exits.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfigDir, configFiles } from '../engine/config/paths.js';
import { openHeadlessSettings } from '../engine/config/conf-store.js';
import { Engine } from '../engine/engine.js';
import { startUiServer } from './server.js';
import { headlessPorts } from './headless-ports.js';
import { startPlugins } from '../engine/plugins.js';
import { VERSION } from './version.js';
import { fileLogger, logStoreChanges } from '../engine/log.js';

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
  const engine = await Engine.open({ configDir: dir, settings, version: VERSION, ports: headlessPorts((line) => {
    process.stdout.write(line + '\n');
    log.info(line);
  }) });
  engine.store.subscribe(logStoreChanges(log, engine.store.getState()));
  const staticDir = o.ui ? rendererDir() : null;
  if (o.ui && !staticDir) process.stderr.write('confsync: the UI is not built (run `npm run build`); serving the API only\n');
  const server = await startUiServer({ handle: engine.handle, store: engine.store, staticDir, port: o.port ?? settings.get().ui.port });
  writeFileSync(files.daemon, JSON.stringify({ pid: process.pid, port: server.port, token: server.token, url: server.url, startedAt: Date.now() }), { mode: 0o600 });
  await startPlugins(engine);
  await engine.start();

  if (o.reason) process.stdout.write(`${o.reason}\n`);
  if (o.ui) process.stdout.write(`ConfSync UI: ${server.url}\n`);
  process.stdout.write(`confsync daemon running (pid ${process.pid}, config ${dir}); Ctrl-C to stop\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (sig: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`confsync: ${sig}: flushing pending changes…\n`);
      try {
        await engine.stop({ flushTimeoutMs: 15_000 });
      } finally {
        await server.close().catch(() => undefined);
        rmSync(files.daemon, { force: true });
        process.stdout.write('confsync: stopped\n');
        resolve();
      }
    };
    // `on`, not `once`: signal-exit (via proper-lockfile) re-raises a signal when it sees no other
    // listener left, which would kill us mid-flush.
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}
