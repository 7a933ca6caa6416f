/** Writing into the sync repo's working tree (ours alone): atomic writes, modes kept, links as links. */
import { lstat, rm, symlink, rename, writeFile, rmdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { faultPoint } from '../util/fault.js';

export function repoAbs(repoDir: string, repoPath: string): string {
  const abs = join(repoDir, ...repoPath.split('/'));
  const rel = relative(repoDir, abs);
  if (!rel || rel.startsWith('..') || rel.split(sep).includes('..') || rel.split(sep)[0] === '.git') {
    throw new Error(`refusing a path outside the sync repo: ${JSON.stringify(repoPath)}`);
  }
  return abs;
}

/**
 * Makes every folder between the repo root and `abs` a real directory. A committed symlink (or a
 * file) where the path now needs a folder is removed first (its content is in history): writing
 * through it would follow the link out of the repo, to wherever it points.
 */
export function ensureRepoParents(repoDir: string, abs: string): void {
  let cur = repoDir;
  for (const seg of relative(repoDir, dirname(abs)).split(sep).filter(Boolean)) {
    cur = join(cur, seg);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      st = null;
    }
    if (st && !st.isDirectory()) rmSync(cur, { force: true });
    if (!st || !st.isDirectory()) mkdirSync(cur);
  }
}

/** True when some folder between the repo root and `abs` is not a real directory (a link or a file). */
export function underNonDirectory(repoDir: string, abs: string): boolean {
  let cur = repoDir;
  for (const seg of relative(repoDir, dirname(abs)).split(sep).filter(Boolean)) {
    cur = join(cur, seg);
    try {
      if (!lstatSync(cur).isDirectory()) return true;
    } catch {
      return false;
    }
  }
  return false;
}

export async function writeRepoFile(repoDir: string, repoPath: string, content: Buffer, mode: string): Promise<void> {
  const abs = repoAbs(repoDir, repoPath);
  faultPoint('worktree-write');
  ensureRepoParents(repoDir, abs);
  // A directory where a file now goes (a directory replaced by a file): remove the stale tree first;
  // its files are in history.
  const st = await lstat(abs).catch(() => null);
  if (st?.isDirectory()) await rm(abs, { recursive: true, force: true });
  // A short temp name: the file's own name may already be at the 255-byte limit.
  const tmp = join(dirname(abs), `.confsync-${randomBytes(4).toString('hex')}.tmp`);
  if (mode === '120000') await symlink(content.toString('utf8'), tmp);
  else await writeFile(tmp, content, { mode: mode === '100755' ? 0o755 : 0o644 });
  await rename(tmp, abs);
}

export async function removeRepoFile(repoDir: string, repoPath: string): Promise<void> {
  const abs = repoAbs(repoDir, repoPath);
  // Beneath a link (or a file) the path is not in the repo at all: removing it would follow the link.
  if (underNonDirectory(repoDir, abs)) return;
  const st = await lstat(abs).catch(() => null);
  // Already replaced by a folder (a file turned into a directory in this same pass): nothing to remove.
  if (st?.isDirectory()) return;
  await rm(abs, { force: true });
  // Tidy empty parents up to the repo root.
  let dir = dirname(abs);
  while (dir.startsWith(repoDir) && dir !== repoDir) {
    try {
      await rmdir(dir);
    } catch {
      break;
    }
    dir = dirname(dir);
  }
}
