/**
 * chokidar 5 backend. Default for single files: a `files` host watches the parent directory at
 * depth 0 with everything but the wanted names ignored, so the watch survives delete+recreate and
 * rename-over atomic saves (chokidar re-arms its per-file watch when the inode changes).
 * A single-file target that is a symlink is followed (content changes of the file it points to are
 * reported under the link's path). Also usable for trees (one inotify watch per file and per directory on Linux — costly for big trees).
 *
 * Errors before `ready` (ENOSPC, EMFILE, EPERM, ...) reject the subscription so the caller can fall
 * back to polling; ENOSPC/EMFILE later (a new directory could not be watched) are fatal too.
 *
 * Settle check: chokidar drops a second rename-over save that lands within ~50 ms of the first
 * (measured: 19 of 40 two-save sequences with a 5–30 ms gap reported only the first save, so the
 * final state was never announced). Every file event therefore records the entry's (mtime,size,ino)
 * signature, and SETTLE_MS later the entry is stat'ed again; if it differs, a catch-up event is
 * emitted (and checked again). One timer for all pending checks.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { FSWatcher } from 'chokidar';
import { sigOf } from './walk.js';
import type { BackendContext, BackendEvent, BackendSink, BackendSubscription, HostSpec, RawEventType, WatchBackend } from './types.js';

const FATAL_RUNTIME_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);
const SETTLE_MS = 150;

async function fileSig(p: string, follow: boolean): Promise<number | null> {
  try {
    const st = follow ? await fsp.stat(p).catch(() => fsp.lstat(p)) : await fsp.lstat(p);
    return st.isDirectory() ? null : sigOf(st);
  } catch {
    return null;
  }
}

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
        // a single-file target that is a symlink (GNU stow, dotfile managers) is followed so edits of
        // the file it points to are seen; depth 0 + the name filter mean nothing is traversed. Trees
        // never follow symlinks.
        followSymlinks: names !== null,
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
        if (!isDir) void noteForSettle(p);
      };

      // ---- settle check ----
      const settle = new Map<string, { sig: number | null; due: number }>();
      let settleTimer: NodeJS.Timeout | null = null;
      const armSettle = () => {
        if (settleTimer || closed || settle.size === 0) return;
        let due = Infinity;
        for (const v of settle.values()) due = Math.min(due, v.due);
        settleTimer = setTimeout(() => void runSettle(), Math.max(0, due - Date.now()));
      };
      async function noteForSettle(p: string): Promise<void> {
        const sig = await fileSig(p, names !== null);
        if (closed) return;
        settle.set(p, { sig, due: Date.now() + SETTLE_MS });
        armSettle();
      }
      async function runSettle(): Promise<void> {
        settleTimer = null;
        const now = Date.now();
        const due = [...settle].filter(([, v]) => v.due <= now);
        for (const [p] of due) settle.delete(p);
        const sigs = await Promise.all(due.map(([p]) => fileSig(p, names !== null)));
        if (closed) return;
        const catchUp: BackendEvent[] = [];
        due.forEach(([p, v], i) => {
          const sig = sigs[i]!;
          if (sig === v.sig) return;
          catchUp.push({ type: sig === null ? 'unlink' : v.sig === null ? 'add' : 'change', path: p, isDir: false });
          settle.set(p, { sig, due: Date.now() + SETTLE_MS });
        });
        if (catchUp.length > 0) {
          pending.push(...catchUp);
          if (!scheduled) {
            scheduled = true;
            setImmediate(flush);
          }
        }
        armSettle();
      }

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
          if (settleTimer) clearTimeout(settleTimer);
          settle.clear();
          await w.close();
        },
      };
    },
  };
}
