/**
 * Reading and writing live files. Reads never follow symlinks (a link is content: its target string).
 * Writes are atomic (temp file in the same directory + rename) and re-check, right before the rename,
 * that the live file still holds the content we expect; if an app wrote it meanwhile, the write is
 * abandoned and the caller records a conflict instead of clobbering the app's edit.
 */
import { lstat, mkdir, readFile, readlink, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { lstatSync, readFileSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { blobOid } from '../snapshot/hash.js';
import { faultPoint } from '../util/fault.js';

export interface LiveFile {
  content: Buffer;
  oid: string;
  mode: '100644' | '100755' | '120000';
  size: number;
  mtimeMs: number;
}

export type LiveRead = { kind: 'file'; file: LiveFile } | { kind: 'absent' } | { kind: 'too-large'; size: number } | { kind: 'not-a-file'; what: string } | { kind: 'error'; message: string; code?: string };

export async function readLive(abs: string, maxBytes: number): Promise<LiveRead> {
  try {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) {
      const target = await readlink(abs);
      const content = Buffer.from(target, 'utf8');
      return { kind: 'file', file: { content, oid: blobOid(content), mode: '120000', size: st.size, mtimeMs: st.mtimeMs } };
    }
    if (st.isDirectory()) return { kind: 'not-a-file', what: 'a directory' };
    if (!st.isFile()) return { kind: 'not-a-file', what: 'a special file' };
    if (st.size > maxBytes) return { kind: 'too-large', size: st.size };
    const content = await readFile(abs);
    if (content.length > maxBytes) return { kind: 'too-large', size: content.length };
    const mode = st.mode & 0o111 ? '100755' : '100644';
    return { kind: 'file', file: { content, oid: blobOid(content), mode, size: st.size, mtimeMs: st.mtimeMs } };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    return { kind: 'error', message: (e as Error).message, code };
  }
}

/**
 * Current blob id of a live path, or null when absent. Throws on unreadable. Synchronous on purpose:
 * the callers check and then rename/remove in one turn of this thread, so nothing else this process
 * does (a watcher callback, a settings write, a host's file write) can run between the check and the
 * change, and another process only has the gap between two system calls. (Done with promises, the
 * rename waited in libuv's queue after the check, and an edit saved meanwhile was overwritten and
 * lost; found by test/reliability/model.test.ts.)
 */
function currentOidSync(abs: string): string | null {
  let st;
  try {
    st = lstatSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
  if (st.isSymbolicLink()) return blobOid(Buffer.from(readlinkSync(abs), 'utf8'));
  if (st.isDirectory()) return '(a directory)';
  if (!st.isFile()) return '(a special file)';
  return blobOid(readFileSync(abs));
}

/** Names of the temp files writeLiveIfUnchanged creates beside a live file (left behind only by a crash). */
export const LIVE_TEMP_RE = /^\..+\.confsync-[0-9a-f]{8}\.tmp$/;

export type LiveWrite = { kind: 'written'; size: number; mtimeMs: number } | { kind: 'moved' } | { kind: 'error'; message: string; code?: string };

/**
 * Writes `content` to `abs` only if the live file still has `expectedOid` (null = must be absent).
 */
export async function writeLiveIfUnchanged(abs: string, content: Buffer, mode: string, expectedOid: string | null): Promise<LiveWrite> {
  const dir = dirname(abs);
  // Named after the file (so a crash leftover is recognisable beside it); a name near the 255-byte
  // limit gets a short stand-in, or the temp name itself would be too long to create.
  const name = basename(abs);
  const stem = Buffer.byteLength(name) > 200 ? createHash('sha1').update(name).digest('hex').slice(0, 16) : name;
  const tmp = join(dir, `.${stem}.confsync-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    if (mode === '120000') {
      await symlink(content.toString('utf8'), tmp);
    } else {
      await writeFile(tmp, content, { mode: mode === '100755' ? 0o755 : 0o644 });
      await chmod(tmp, mode === '100755' ? 0o755 : 0o644);
    }
    faultPoint('apply');
    if (currentOidSync(abs) !== expectedOid) {
      rmSync(tmp, { force: true });
      return { kind: 'moved' };
    }
    renameSync(tmp, abs);
    const st = await lstat(abs);
    return { kind: 'written', size: st.size, mtimeMs: st.mtimeMs };
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    return { kind: 'error', message: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
  }
}

/** Deletes `abs` only if it still has `expectedOid` (its content is then in git history). */
export async function deleteLiveIfUnchanged(abs: string, expectedOid: string): Promise<LiveWrite | { kind: 'deleted' }> {
  try {
    faultPoint('apply');
    const cur = currentOidSync(abs);
    if (cur === null) return { kind: 'deleted' };
    if (cur !== expectedOid) return { kind: 'moved' };
    rmSync(abs, { force: true });
    return { kind: 'deleted' };
  } catch (e) {
    return { kind: 'error', message: (e as Error).message, code: (e as NodeJS.ErrnoException).code };
  }
}
