/**
 * chokidar 5 backend. Default for single files: a `files` host watches the parent directory at
 * depth 0 with everything but the wanted names ignored, so the watch survives delete+recreate and
 * rename-over atomic saves (chokidar re-arms its per-file watch when the inode changes).
 * Also usable for trees (one inotify watch per file and per directory on Linux — costly for big trees).
 *
 * Errors before `ready` (ENOSPC, EMFILE, EPERM, ...) reject the subscription so the caller can fall
 * back to polling; ENOSPC/EMFILE later (a new directory could not be watched) are fatal too.
 */
import path from 'node:path';
import type { FSWatcher } from 'chokidar';
import type { BackendContext, BackendEvent, BackendSink, BackendSubscription, HostSpec, RawEventType, WatchBackend } from './types.js';

const FATAL_RUNTIME_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);

export function createChokidarBackend(): WatchBackend {
  return {
    name: 'chokidar',
    async subscribe(spec: HostSpec, ctx: BackendContext, sink: BackendSink): Promise<BackendSubscription> {
      const { watch } = await import('chokidar');
      const root = spec.dir;
      const names = spec.mode === 'files' ? spec.names : null;
      const ignored =
        names !== null
          ? (p: string) => p !== root && !(path.dirname(p) === root && names.has(path.basename(p)))
          : (p: string, stats?: import('node:fs').Stats) =>
              p !== root && ctx.isIgnored(p, stats ? stats.isDirectory() : undefined);

      const w: FSWatcher = watch(root, {
        ignoreInitial: true,
        followSymlinks: false,
        persistent: true,
        ignorePermissionErrors: false,
        atomic: true,
        ...(names !== null ? { depth: 0 } : {}),
        ignored,
      });

      let ready = false;
      let closed = false;
      let pending: BackendEvent[] = [];
      let scheduled = false;
      const flush = () => {
        scheduled = false;
        if (closed || pending.length === 0) return;
        const out = pending;
        pending = [];
        sink.events(out);
      };
      const push = (type: RawEventType, p: string, isDir: boolean) => {
        if (!ready || closed) return;
        pending.push({ type, path: p, isDir });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      };
      w.on('add', (p) => push('add', p, false));
      w.on('change', (p) => push('change', p, false));
      w.on('unlink', (p) => push('unlink', p, false));
      w.on('addDir', (p) => push('addDir', p, true));
      w.on('unlinkDir', (p) => push('unlinkDir', p, true));

      await new Promise<void>((resolve, reject) => {
        const onError = (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          if (!ready) {
            closed = true;
            void w.close();
            reject(e);
            return;
          }
          if (closed) return;
          const code = (e as NodeJS.ErrnoException).code;
          if (code && FATAL_RUNTIME_CODES.has(code)) sink.fatal(e);
          else sink.warn(e);
        };
        w.on('error', onError);
        w.once('ready', () => {
          if (closed) return;
          ready = true;
          resolve();
        });
      });

      return {
        async close() {
          if (closed) return;
          closed = true;
          await w.close();
        },
      };
    },
  };
}
