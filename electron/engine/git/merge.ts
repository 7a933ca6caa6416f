/**
 * Bringing the remote branch in: fast-forward when possible, else a merge whose conflicts are resolved
 * here and now, before the function returns: a structured or text merge where it is clean, else keep
 * both (ours stays at the path, theirs goes to a conflict copy beside it). Any failure aborts the merge,
 * so the repo is never left mid-merge; a crash mid-merge is undone by recoverRepo at the next start.
 */
import { rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { ensureRepoParents, repoAbs, underNonDirectory } from '../mirror/worktree.js';
import type { GitRunner } from './runner.js';
import { classifyGitError, gitMessage } from './runner.js';
import { isAncestor, mergeBase, revParse } from './tree.js';
import { withHostTrailer } from './commit.js';
import { faultPoint } from '../util/fault.js';
import { mergeContents } from '../conflicts/merge-content.js';
import { conflictCopyName } from '../conflicts/names.js';
import type { Conflict } from '../../../shared/state.js';

export type MergeResult =
  | { kind: 'up-to-date' }
  | { kind: 'fast-forward'; from: string | null; to: string }
  | { kind: 'merged'; from: string; to: string; conflicts: Conflict[]; merged: string[] }
  | { kind: 'disk-full' | 'error'; message: string };

interface Stage {
  mode: string;
  oid: string;
}

async function stagesOf(git: GitRunner, path: string): Promise<{ base?: Stage; ours?: Stage; theirs?: Stage }> {
  const out = await git.raw(['ls-files', '-u', '-z', '--', path]);
  const r: { base?: Stage; ours?: Stage; theirs?: Stage } = {};
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const [meta] = rec.split('\t');
    const [mode, oid, stage] = meta.split(' ');
    const s = { mode, oid };
    if (stage === '1') r.base = s;
    else if (stage === '2') r.ours = s;
    else if (stage === '3') r.theirs = s;
  }
  return r;
}

export async function lastTouch(git: GitRunner, rev: string, path: string): Promise<{ host: string; at: number | null }> {
  try {
    const out = (await git.raw(['log', '-1', '--format=%ct%x1f%an%x1f%(trailers:key=ConfSync-Host,valueonly,separator=%x2C)', rev, '--', path], { readonly: true })).trim();
    if (!out) return { host: 'unknown', at: null };
    const [ct, an, host] = out.split('\x1f');
    return { host: (host || '').trim() || an || 'unknown', at: Number(ct) * 1000 };
  } catch {
    return { host: 'unknown', at: null };
  }
}

function writeWorktree(dir: string, path: string, content: Buffer, mode: string): void {
  const abs = repoAbs(dir, path);
  ensureRepoParents(dir, abs);
  rmSync(abs, { force: true });
  if (mode === '120000') symlinkSync(content.toString('utf8'), abs);
  else writeFileSync(abs, content, { mode: mode === '100755' ? 0o755 : 0o644 });
}

export async function mergeRemote(
  git: GitRunner,
  remoteRef: string,
  opts: { host: string; now?: () => Date; allowUnrelated: boolean },
): Promise<MergeResult> {
  const head = await revParse(git, 'HEAD');
  const remote = await revParse(git, remoteRef);
  if (!remote) return { kind: 'up-to-date' };
  if (head && (head === remote || (await isAncestor(git, remote, head)))) return { kind: 'up-to-date' };
  try {
    if (!head || (await isAncestor(git, head, remote))) {
      faultPoint('merge');
      if (head) await git.raw(['merge', '-q', '--ff-only', remote]);
      else await git.raw(['reset', '-q', '--hard', remote]);
      return { kind: 'fast-forward', from: head, to: remote };
    }
    const related = (await mergeBase(git, head, remote)) !== null;
    if (!related && !opts.allowUnrelated) {
      return { kind: 'error', message: 'the remote branch shares no history with this repo' };
    }
    const args = ['merge', '-q', '--no-ff', '--no-commit', ...(related ? [] : ['--allow-unrelated-histories']), remote];
    // Conflicts make git exit non-zero; we read them below. Keep its words for when it did not start.
    const refused = await git.raw(args).then(
      () => null,
      (e: unknown) => e,
    );
    faultPoint('merge');
    if (!(await revParse(git, 'MERGE_HEAD'))) {
      // git refused to start the merge at all (disk full, a path it will not check out such as
      // 'x/../../y' or '.git/…' in the remote's tree): nothing to abort; say why.
      const why = refused ? gitMessage(refused) : '';
      return { kind: classifyGitError(refused) === 'disk-full' ? 'disk-full' : 'error', message: `git could not start the merge${why ? `: ${why}` : ''}` };
    }
    const conflicted = (await git.raw(['diff', '--name-only', '--diff-filter=U', '-z'])).split('\0').filter(Boolean);
    const conflicts: Conflict[] = [];
    const merged: string[] = [];
    const now = opts.now?.() ?? new Date();
    for (const path of conflicted) {
      const st = await stagesOf(git, path);
      const theirsInfo = await lastTouch(git, remote, path);
      const mine = { host: opts.host, at: now.getTime() };
      const read = async (s?: Stage) => (s ? git.catBlob(s.oid) : null);
      const [b, o, t] = await Promise.all([read(st.base), read(st.ours), read(st.theirs)]);
      if (!o && !t) {
        // Gone on both sides (e.g. each side moved it somewhere else: git's rename/rename conflict
        // leaves only the base stage here). Its content lives on at the new paths and in history.
        await git.raw(['rm', '-q', '--cached', '--ignore-unmatch', '--', path]);
        const gone = repoAbs(git.dir, path);
        if (!underNonDirectory(git.dir, gone)) rmSync(gone, { force: true });
        continue;
      }
      if (!o || !t) {
        // Delete vs modify: keep the modified side, and say so.
        const kept = (o ?? t)!;
        const keptStage = (st.ours ?? st.theirs)!;
        writeWorktree(git.dir, path, kept, keptStage.mode);
        await git.raw(['add', '--', path]);
        conflicts.push({
          path,
          livePath: null,
          copyPath: null,
          kind: 'delete-vs-modify',
          mine,
          theirs: theirsInfo,
          summary: o
            ? `${path} was deleted on ${theirsInfo.host} but changed here; kept the changed version`
            : `${path} was deleted here but changed on ${theirsInfo.host}; kept the changed version`,
          detectedAt: now.getTime(),
        });
        continue;
      }
      const symlink = st.ours?.mode === '120000' || st.theirs?.mode === '120000';
      const m = symlink ? ({ clean: false, how: 'binary', details: ['symlink changed on both sides'] } as const) : await mergeContents(path, b, o, t);
      if (m.clean) {
        writeWorktree(git.dir, path, m.content, st.ours!.mode);
        await git.raw(['add', '--', path]);
        merged.push(path);
        continue;
      }
      const copy = conflictCopyName(path, theirsInfo.host, now);
      writeWorktree(git.dir, path, o, st.ours!.mode);
      writeWorktree(git.dir, copy, t, st.theirs!.mode);
      await git.raw(['add', '--', path, copy]);
      const isKm = m.how === 'structured' && /Keyboard Maestro Macros\.plist$/.test(path);
      conflicts.push({
        path,
        livePath: null,
        copyPath: copy,
        kind: isKm ? 'km-macro' : m.how === 'structured' ? 'structured' : 'text',
        mine,
        theirs: theirsInfo,
        summary: isKm ? m.details.join('; ') : `${path} changed here and on ${theirsInfo.host}: ${m.details.join('; ')}`,
        detectedAt: now.getTime(),
      });
    }
    faultPoint('merge-commit');
    await git.raw(['commit', '-q', '--no-verify', '-m', withHostTrailer(`${opts.host}: merge changes from the remote`, opts.host)]);
    const to = (await revParse(git, 'HEAD'))!;
    return { kind: 'merged', from: head, to, conflicts, merged };
  } catch (e) {
    await git.raw(['merge', '--abort']).catch(() => undefined);
    const kind = classifyGitError(e);
    return { kind: kind === 'disk-full' ? 'disk-full' : 'error', message: gitMessage(e) };
  }
}
