/** Fetching the remote branch, and telling whether its history was rewritten since we last merged it. */
import type { GitRunner } from './runner.js';
import { classifyGitError, gitMessage } from './runner.js';
import { isAncestor, revParse } from './tree.js';
import { readRef } from './refs.js';
import { faultPoint } from '../util/fault.js';
import { progressOption } from './push.js';
import type { Transfer } from './progress.js';
import type { SyncResultKind } from '../../../shared/state.js';

export type FetchResult =
  | { kind: 'ok'; remoteHead: string | null }
  | { kind: Exclude<SyncResultKind, 'ok' | 'nothing-to-do' | 'local-only' | 'conflict' | 'busy'>; message: string };

export const REMOTE_REF = (branch: string) => `refs/remotes/origin/${branch}`;
/** The last remote head we merged: a rewrite is a new head that does not contain it. */
export const SEEN_REF = 'refs/confsync/last-remote';

export async function fetchRemote(git: GitRunner, branch: string, onTransfer?: (t: Transfer) => void): Promise<FetchResult> {
  try {
    faultPoint('fetch');
    // --progress and index-pack (unpackLimit=1) make git report received bytes about once a second
    // even inside one big blob, so a slow transfer that still moves is never taken for silence.
    await git.raw(['-c', 'fetch.unpackLimit=1', 'fetch', '--progress', '--no-tags', '--prune', 'origin', `+refs/heads/${branch}:${REMOTE_REF(branch)}`], { network: true, ...progressOption(onTransfer) });
    return { kind: 'ok', remoteHead: readRef(git.dir, REMOTE_REF(branch)) ?? (await revParse(git, REMOTE_REF(branch))) };
  } catch (e) {
    const m = gitMessage(e);
    // An empty remote has no such branch yet: that is fine, the first push creates it.
    if (/couldn't find remote ref|Couldn't find remote ref/i.test(m)) return { kind: 'ok', remoteHead: null };
    return { kind: classifyGitError(e) as 'error', message: m };
  }
}

/** True when the remote head no longer contains the last head we merged (force-push, rewrite). */
export async function remoteWasRewritten(git: GitRunner, remoteHead: string | null): Promise<boolean> {
  const seen = await revParse(git, SEEN_REF);
  if (!seen) return false;
  if (!remoteHead) return true; // branch deleted on the remote
  return !(await isAncestor(git, seen, remoteHead));
}

export async function markRemoteSeen(git: GitRunner, remoteHead: string): Promise<void> {
  await git.raw(['update-ref', SEEN_REF, remoteHead]);
}
