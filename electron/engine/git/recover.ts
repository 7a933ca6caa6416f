/**
 * Crash recovery, run while holding the app lock and before any git process of ours starts:
 * a stale index.lock is removed, an interrupted merge/rebase/cherry-pick is aborted (every local change
 * was committed before merging, so aborting loses nothing; the merge is simply redone), and a detached
 * HEAD is put back on the branch.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GitRunner } from './runner.js';
import { isAncestor, revParse } from './tree.js';

export interface RecoveryReport {
  removedIndexLock: boolean;
  abortedMerge: boolean;
  abortedRebase: boolean;
  reattachedHead: boolean;
  notes: string[];
}

export async function recoverRepo(git: GitRunner, branch: string, opts: { minLockAgeMs?: number } = {}): Promise<RecoveryReport> {
  const gitDir = join(git.dir, '.git');
  const r: RecoveryReport = { removedIndexLock: false, abortedMerge: false, abortedRebase: false, reattachedHead: false, notes: [] };
  if (!existsSync(gitDir)) return r;

  const indexLock = join(gitDir, 'index.lock');
  if (existsSync(indexLock)) {
    const age = Date.now() - statSync(indexLock).mtimeMs;
    if (age >= (opts.minLockAgeMs ?? 0)) {
      rmSync(indexLock, { force: true });
      r.removedIndexLock = true;
      r.notes.push('removed a stale .git/index.lock left by an interrupted git process');
    }
  }
  // Temporary indexes of merges and commits built by ConfSync (git/build-commit.ts) a crash left.
  for (const name of readdirSync(gitDir)) {
    if (/^confsync-[0-9a-f]{8}\.index(\.lock)?$/.test(name)) rmSync(join(gitDir, name), { force: true });
  }
  for (const ref of ['HEAD.lock', `refs/heads/${branch}.lock`]) {
    const p = join(gitDir, ref);
    if (existsSync(p)) {
      rmSync(p, { force: true });
      r.notes.push(`removed a stale .git/${ref}`);
    }
  }

  if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply'))) {
    await git.raw(['rebase', '--abort']).catch(() => rmSync(join(gitDir, 'rebase-merge'), { recursive: true, force: true }));
    r.abortedRebase = true;
    r.notes.push('aborted an interrupted rebase');
  }
  if (existsSync(join(gitDir, 'MERGE_HEAD'))) {
    await git.raw(['merge', '--abort']).catch(async () => {
      await git.raw(['reset', '--hard', '-q', 'HEAD']);
    });
    r.abortedMerge = true;
    r.notes.push('aborted an interrupted merge (it will be redone)');
  }
  if (existsSync(join(gitDir, 'CHERRY_PICK_HEAD'))) {
    await git.raw(['cherry-pick', '--abort']).catch(() => undefined);
    r.notes.push('aborted an interrupted cherry-pick');
  }

  // A damaged index (a crash mid-write, a full disk) fails every git command that reads it, so every
  // sync failed for ever. It holds nothing of the person's: the working tree is ours, and a pass writes
  // the index and commits at once (live files still hold anything a crash left uncommitted). It is set
  // aside and rebuilt from HEAD, with sparse checkout's skip-worktree bits put back.
  const index = join(gitDir, 'index');
  if (existsSync(index)) {
    const check = await git.exitCode(['ls-files', '-z', '--', '.confsync']);
    if (check.code !== 0 && (await revParse(git, 'HEAD'))) {
      const aside = `index.damaged-${Date.now()}`;
      renameSync(index, join(gitDir, aside));
      await git.raw(['read-tree', 'HEAD']);
      await git.raw(['sparse-checkout', 'reapply']).catch(() => undefined);
      r.notes.push(`rebuilt the repo's index from HEAD: it could not be read (the damaged one is kept as .git/${aside})`);
    }
  }

  // Detached HEAD: keep its commits by moving the branch there when that loses nothing, else merge it.
  const symbolic = await git.raw(['symbolic-ref', '-q', 'HEAD']).catch(() => '');
  if (!symbolic.trim()) {
    const head = await revParse(git, 'HEAD');
    const tip = await revParse(git, `refs/heads/${branch}`);
    if (head) {
      const contains = tip ? await isAncestor(git, tip, head) : true;
      if (contains) {
        await git.raw(['checkout', '-q', '-B', branch, head]);
      } else {
        await git.raw(['checkout', '-q', branch]);
        await git.raw(['merge', '-q', '--no-edit', '-m', `Keep commits made on a detached HEAD (${head.slice(0, 8)})`, head]).catch(async () => {
          await git.raw(['merge', '--abort']).catch(() => undefined);
          r.notes.push(`detached commits ${head.slice(0, 8)} could not be merged automatically; they are kept in refs/confsync/detached`);
          await git.raw(['update-ref', 'refs/confsync/detached', head]);
        });
      }
      r.reattachedHead = true;
      r.notes.push(`HEAD was detached; put it back on ${branch}`);
    }
  }

  // The working tree must equal HEAD: it is ours alone, and live files are the truth for local edits.
  if ((r.abortedMerge || r.abortedRebase || r.removedIndexLock) && (await revParse(git, 'HEAD'))) {
    await git.raw(['reset', '-q', '--hard', 'HEAD']).catch(() => undefined);
  }
  return r;
}
