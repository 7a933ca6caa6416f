/**
 * Keeping the object store packed. Every commit writes its new objects loose: one zlib-compressed file
 * each, whole. A 4 MB Keyboard Maestro library adds ~300 KB per edit that way, and git's own `gc --auto`
 * (gc.auto=256, estimated from one object folder) only packs them after several hundred objects: 20 MB
 * and more on disk for changes of a few KB (bench `--only growth`). Fetches (unpackLimit=1) leave one
 * small pack each, completed with whole copies of the objects its deltas need.
 *
 * Here: the sizes, read from the object folders (no process), and one repack:
 *   - `repack -a -d`: everything into one pack; existing deltas are reused and new objects are
 *     deltified against the versions before them, so the repo holds about what changed. Its cost grows
 *     with the repo, so it is for repos up to a size the caller picks;
 *   - `repack -d --geometric=2` above that: loose objects and small packs are rolled into packs that
 *     each hold at least twice the objects of the next smaller one: the work per repack stays about the
 *     size of what is new (git ≥ 2.32; older git falls back to `repack -d`, loose objects only).
 * Unreachable objects are never deleted here (`-a` drops only packed ones that nothing reaches, as
 * `git gc` does after its grace period; loose ones stay loose). The caller serializes repo work; the
 * repack also holds git's own gc lock (`.git/gc.pid`, "<pid> <host>"), so a `git gc --auto` that one
 * of git's commands starts meanwhile waits its turn, and one that runs already makes this one wait.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { GitRunner } from './runner.js';
import { gitMessage } from './runner.js';

export interface StoreSize {
  looseCount: number;
  looseBytes: number;
  packs: number;
  packBytes: number;
  /** Objects in the packs (from each index's header). */
  packObjects: number;
  /** Bytes of every pack but the largest (what a repack would fold into it). */
  smallPackBytes: number;
}

/** The object store's loose objects and packs, from its folders. */
export function storeSize(repoDir: string): StoreSize {
  const objects = join(repoDir, '.git', 'objects');
  let looseCount = 0;
  let looseBytes = 0;
  let dirs: string[] = [];
  try {
    dirs = readdirSync(objects).filter((d) => /^[0-9a-f]{2}$/.test(d));
  } catch {
    /* no object store yet */
  }
  for (const d of dirs) {
    let names: string[];
    try {
      names = readdirSync(join(objects, d));
    } catch {
      continue;
    }
    for (const n of names) {
      if (n.length !== 38) continue;
      try {
        looseBytes += statSync(join(objects, d, n)).size;
        looseCount++;
      } catch {
        /* packed and removed meanwhile */
      }
    }
  }
  const sizes: number[] = [];
  let packObjects = 0;
  try {
    for (const n of readdirSync(join(objects, 'pack'))) {
      if (!n.endsWith('.pack')) continue;
      try {
        sizes.push(statSync(join(objects, 'pack', n)).size);
        packObjects += idxObjects(join(objects, 'pack', `${n.slice(0, -5)}.idx`));
      } catch {
        /* replaced meanwhile */
      }
    }
  } catch {
    /* no packs */
  }
  const packBytes = sizes.reduce((a, b) => a + b, 0);
  return { looseCount, looseBytes, packs: sizes.length, packBytes, packObjects, smallPackBytes: packBytes - (sizes.length ? Math.max(...sizes) : 0) };
}

/** Objects in a pack index (v2: the last fan-out entry, after the 8-byte header); 0 when unreadable. */
function idxObjects(idx: string): number {
  let fd: number | null = null;
  try {
    fd = openSync(idx, 'r');
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 8 + 255 * 4) === 4 ? b.readUInt32BE(0) : 0;
  } catch {
    return 0;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export type RepackResult = { kind: 'ok'; how: 'all' | 'geometric' | 'loose' } | { kind: 'busy' } | { kind: 'error'; message: string };

/** git's gc lock: still held when its process lives (on this host) and it is younger than 12 h, as git decides. */
function gcLockHeld(file: string): boolean {
  try {
    const st = statSync(file);
    if (Date.now() - st.mtimeMs > 12 * 3600_000) return false;
    const [pid, host] = readFileSync(file, 'utf8').trim().split(/\s+/);
    if (host !== hostname()) return true;
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  } catch {
    return false;
  }
}

/** Takes git's gc lock for `fn`; null when a gc holds it. */
async function withGcLock<T>(gitDir: string, fn: () => Promise<T>): Promise<T | null> {
  const file = join(gitDir, 'gc.pid');
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || gcLockHeld(file)) return null;
    rmSync(file, { force: true }); // left by a gc that is gone
    try {
      fd = openSync(file, 'wx');
    } catch {
      return null;
    }
  }
  try {
    writeSync(fd, `${process.pid} ${hostname()}`);
  } finally {
    closeSync(fd);
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

/** One repack (see above). `all`: everything into one pack; else the geometric roll-up. */
export async function repack(git: GitRunner, o: { all: boolean }): Promise<RepackResult> {
  return (await withGcLock(join(git.dir, '.git'), () => repackNow(git, o))) ?? { kind: 'busy' };
}

async function repackNow(git: GitRunner, o: { all: boolean }): Promise<RepackResult> {
  // One thread: this runs beside the person's work (and the sync), not as fast as possible.
  const base = ['-c', 'pack.threads=1', 'repack', '-d', '-q'];
  try {
    if (o.all) {
      await git.run([...base, '-a']);
      return { kind: 'ok', how: 'all' };
    }
    try {
      await git.run([...base, '--geometric=2']);
      return { kind: 'ok', how: 'geometric' };
    } catch (e) {
      if (!/geometric|unknown option|usage:/i.test(gitMessage(e))) throw e;
      await git.run(base);
      return { kind: 'ok', how: 'loose' };
    }
  } catch (e) {
    return { kind: 'error', message: gitMessage(e) };
  }
}
