/**
 * PresenceGuard: tells when the entry `name` inside directory `dir` may have appeared, vanished or
 * been replaced. Used (1) for a target whose path does not exist yet — `dir` is then the nearest
 * existing ancestor and `name` the next path component — and (2) for an existing host directory,
 * to notice the watched root itself being deleted or swapped, which native watchers cannot survive.
 *
 * A non-recursive fs.watch on `dir` gives low latency; a cheap periodic poke (one lstat by the
 * caller) covers fs.watch failing (ENOSPC...), missing events, and `dir` itself disappearing.
 * The guard never decides anything: it only pokes; the caller re-checks the file system.
 */
import fs from 'node:fs';

export interface PresenceGuardOptions {
  dir: string;
  name: string;
  /** false for the polling backend: interval only, no watch handle. */
  useFsWatch: boolean;
  intervalMs: number;
  onPoke: () => void;
}

export class PresenceGuard {
  readonly dir: string;
  readonly name: string;
  private watcher: fs.FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly opts: PresenceGuardOptions) {
    this.dir = opts.dir;
    this.name = opts.name;
    if (opts.useFsWatch) {
      try {
        this.watcher = fs.watch(opts.dir, { persistent: true }, (_type, filename) => {
          if (this.closed) return;
          if (filename === null || filename === undefined || filename.toString() === opts.name) opts.onPoke();
        });
        this.watcher.on('error', () => {
          // e.g. the directory itself was deleted: the interval keeps us honest; poke now
          this.watcher?.close();
          this.watcher = null;
          if (!this.closed) opts.onPoke();
        });
      } catch {
        this.watcher = null; // ENOSPC/EACCES/...: interval only
      }
    }
    this.timer = setInterval(() => {
      if (!this.closed) opts.onPoke();
    }, Math.max(50, opts.intervalMs));
  }

  get usesFsWatch(): boolean {
    return this.watcher !== null;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
