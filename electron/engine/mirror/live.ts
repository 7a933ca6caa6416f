/**
 * Reading and writing live files. Reads never follow symlinks (a link is content: its target). Writes
 * are atomic (temp file in the same directory + rename) and re-check, right before the rename, that
 * the live path still holds what the caller saw; if an app wrote it meanwhile, the write is abandoned
 * and the caller decides again instead of clobbering the app's edit.
 *
 * Links: a link whose target is inside the home folder is stored relative to home (`~/dotfiles/zshrc`)
 * and re-rooted on each machine; a relative target that stays inside home is stored as it is. A link
 * that points outside home is not synced (its target differs per machine), and says so.
 */
import { lstat, mkdir, readFile, readdir, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, readlinkSync, renameSync, rmSync, readdirSync, rmdirSync } from 'node:fs';
import { dirname, basename, join, isAbsolute, resolve, relative, sep } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { blobOid } from '../snapshot/hash.js';
import { faultPoint } from '../util/fault.js';

export type LiveRead =
  | { kind: 'file'; content: Buffer; oid: string; perm: number; size: number; mtimeMs: number; ctimeMs: number }
  | { kind: 'link'; target: string; oid: string; size: number; mtimeMs: number; ctimeMs: number }
  /** `empty`: holds nothing at all (it then counts as absent). */
  | { kind: 'dir'; empty: boolean }
  | { kind: 'absent' }
  | { kind: 'too-large'; size: number; mtimeMs: number }
  | { kind: 'special'; what: string }
  | { kind: 'error'; message: string; code?: string };

/**
 * Files up to this size are read with one synchronous call each: a configuration file takes a few
 * microseconds, while the promise API queues four operations (open, fstat, read, close) on libuv's
 * four threads, and at 100,000 files that queue was most of a first run. Larger files stay async.
 */
const SYNC_READ_MAX = 256 * 1024;

export async function readLive(abs: string, maxBytes: number): Promise<LiveRead> {
  const quick = readRegularFile(abs, maxBytes);
  if (quick) return quick;
  try {
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) {
      const target = readlinkSync(abs);
      return { kind: 'link', target, oid: blobOid(Buffer.from(target, 'utf8')), size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
    }
    if (st.isDirectory()) return { kind: 'dir', empty: (await readdir(abs)).length === 0 };
    if (!st.isFile()) return { kind: 'special', what: 'not a regular file (a socket, pipe or device)' };
    if (st.size > maxBytes) return { kind: 'too-large', size: st.size, mtimeMs: st.mtimeMs };
    const content = st.size <= SYNC_READ_MAX ? readFileSync(abs) : await readFile(abs);
    if (content.length > maxBytes) return { kind: 'too-large', size: content.length, mtimeMs: st.mtimeMs };
    return { kind: 'file', content, oid: blobOid(content), perm: st.mode & 0o777, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    return { kind: 'error', message: (e as Error).message, code };
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The common case in one open, fstat, read and close, with no lstat before it: a regular file up to
 * SYNC_READ_MAX. Opened without following a link (a link fails with ELOOP) and without waiting on a
 * pipe; its size and times come from the open file itself, before its bytes are read (an edit while it
 * is read shows as a newer time next pass, never as an older one). Anything else (a link, a folder,
 * a large or special file, an error) returns null and goes the long way.
 */
function readRegularFile(abs: string, maxBytes: number): LiveRead | null {
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'absent' } : null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > SYNC_READ_MAX || st.size > maxBytes) return null;
    let buf = Buffer.allocUnsafeSlow(st.size);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        // Grew while being read: read on to its end, as readFileSync would.
        if (n > maxBytes) return { kind: 'too-large', size: n, mtimeMs: st.mtimeMs };
        const more = Buffer.allocUnsafeSlow(Math.max(8192, buf.length));
        const r = readSync(fd, more, 0, more.length, null);
        if (r === 0) break;
        buf = Buffer.concat([buf, more.subarray(0, r)]);
        n += r;
        continue;
      }
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    const content = n === buf.length ? buf : buf.subarray(0, n);
    if (content.length > maxBytes) return { kind: 'too-large', size: content.length, mtimeMs: st.mtimeMs };
    return { kind: 'file', content, oid: blobOid(content), perm: st.mode & 0o777, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

// ------------------------------------------------------------------------------------ links

function inside(root: string, p: string): string | null {
  const rel = relative(root, p);
  if (rel === '' ) return '';
  if (rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel;
}

/** A live link's target → what the repo stores, or why it is not synced. */
export function encodeLinkTarget(target: string, linkAbs: string, home: string): { ok: true; stored: string } | { ok: false; reason: string } {
  if (isAbsolute(target)) {
    const rel = inside(home, target);
    if (rel === null) return { ok: false, reason: `a link to ${target}, outside your home folder: links are synced only when they point inside home (their target differs per machine)` };
    return { ok: true, stored: rel === '' ? '~' : `~/${rel.split(sep).join('/')}` };
  }
  const resolved = resolve(dirname(linkAbs), target);
  if (inside(home, resolved) === null) return { ok: false, reason: `a link to ${target} (${resolved}), outside your home folder: links are synced only when they point inside home` };
  return { ok: true, stored: target };
}

/** What the repo stores → this machine's link target (`~/x` is re-rooted in this home). */
export function decodeLinkTarget(stored: string, home: string): string {
  if (stored === '~') return home;
  if (stored.startsWith('~/')) return join(home, ...stored.slice(2).split('/'));
  return stored;
}

// ------------------------------------------------------------------------------------ writes

/**
 * Current identity of a live path: the blob id of a file's bytes or a link's raw target, null when
 * absent, '(empty folder)' / '(folder)' for folders. Synchronous on purpose: the callers check and
 * then rename/remove in one turn of this thread, so nothing else this process does can run between
 * the check and the change, and another process only has the gap between two system calls. (Done with
 * promises, the rename waited in libuv's queue after the check, and an edit saved meanwhile was lost;
 * found by test/reliability/model.test.ts.)
 */
export function currentLiveId(abs: string): string | null {
  let st;
  try {
    st = lstatSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
  if (st.isSymbolicLink()) return blobOid(Buffer.from(readlinkSync(abs), 'utf8'));
  if (st.isDirectory()) return readdirSync(abs).length === 0 ? EMPTY_FOLDER : '(folder)';
  if (!st.isFile()) return '(special file)';
  return blobOid(readFileSync(abs));
}

export const EMPTY_FOLDER = '(empty folder)';

/** Names of the temp files writeLive creates beside a live file (left behind only by a crash). */
export const LIVE_TEMP_RE = /^\..+\.confsync-[0-9a-f]{8}\.tmp$/;

export type LiveWrite = { kind: 'written'; size: number; mtimeMs: number; ctimeMs: number } | { kind: 'moved' } | { kind: 'error'; message: string; code?: string };

export type LiveContent = { kind: 'file'; content: Buffer; perm: number } | { kind: 'link'; target: string };

/**
 * Writes `what` to `abs` only if the live path still is `expected` (a live id from currentLiveId or a
 * read; null = must be absent; an empty folder there is replaced).
 */
export async function writeLive(abs: string, what: LiveContent, expected: string | null): Promise<LiveWrite> {
  const dir = dirname(abs);
  // Named after the file (so a crash leftover is recognisable beside it); a name near the 255-byte
  // limit gets a short stand-in, or the temp name itself would be too long to create.
  const name = basename(abs);
  const stem = Buffer.byteLength(name) > 200 ? createHash('sha1').update(name).digest('hex').slice(0, 16) : name;
  const tmp = join(dir, `.${stem}.confsync-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    if (what.kind === 'link') {
      await symlink(what.target, tmp);
    } else {
      await writeFile(tmp, what.content, { mode: what.perm });
      await chmod(tmp, what.perm);
    }
    faultPoint('apply');
    const cur = currentLiveId(abs);
    if (cur !== expected && !(cur === EMPTY_FOLDER && expected === null)) {
      rmSync(tmp, { force: true });
      return { kind: 'moved' };
    }
    if (cur === EMPTY_FOLDER) rmdirSync(abs);
    renameSync(tmp, abs);
    const st = await lstat(abs);
    return { kind: 'written', size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    return { kind: 'error', message: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
  }
}

/** Changes only a file's permission bits, if it still holds `expected`. */
export async function chmodLive(abs: string, perm: number, expected: string): Promise<LiveWrite> {
  try {
    if (currentLiveId(abs) !== expected) return { kind: 'moved' };
    await chmod(abs, perm);
    const st = await lstat(abs);
    return { kind: 'written', size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  } catch (e) {
    return { kind: 'error', message: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
  }
}

/** Deletes `abs` only if it still is `expected` (its content is then in git history). */
export async function deleteLive(abs: string, expected: string): Promise<LiveWrite | { kind: 'deleted' }> {
  try {
    faultPoint('apply');
    const cur = currentLiveId(abs);
    if (cur === null || cur === EMPTY_FOLDER) {
      if (cur === EMPTY_FOLDER) rmdirSync(abs);
      return { kind: 'deleted' };
    }
    if (cur !== expected) return { kind: 'moved' };
    rmSync(abs, { force: true });
    return { kind: 'deleted' };
  } catch (e) {
    return { kind: 'error', message: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
  }
}
