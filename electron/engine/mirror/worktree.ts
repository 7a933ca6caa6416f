/** Writing into the sync repo's working tree (ours alone): atomic writes, modes kept, links as links. */
import { lstat, mkdir, rm, symlink, rename, writeFile, rmdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { faultPoint } from '../util/fault.js';

export function repoAbs(repoDir: string, repoPath: string): string {
  const abs = join(repoDir, ...repoPath.split('/'));
  const rel = relative(repoDir, abs);
  if (!rel || rel.startsWith('..') || rel.split(sep).includes('..') || rel.split(sep)[0] === '.git') {
    throw new Error(`refusing a path outside the sync repo: ${JSON.stringify(repoPath)}`);
  }
  return abs;
}

export async function writeRepoFile(repoDir: string, repoPath: string, content: Buffer, mode: string): Promise<void> {
  const abs = repoAbs(repoDir, repoPath);
  faultPoint('worktree-write');
  await mkdir(dirname(abs), { recursive: true });
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
