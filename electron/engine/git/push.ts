/** Pushing one commit (by oid, so what was pushed is exactly known) to the remote branch; never forced. */
import type { GitRunner } from './runner.js';
import { classifyGitError, gitMessage } from './runner.js';
import { faultPoint } from '../util/fault.js';
import type { SyncResultKind } from '../../../shared/state.js';
import { parseProgress, type Transfer } from './progress.js';

/** The runner's progress callback, reporting only object counts. */
export function progressOption(onTransfer?: (t: Transfer) => void): { onProgress?: (line: string) => void } {
  if (!onTransfer) return {};
  return {
    onProgress: (line) => {
      const t = parseProgress(line);
      if (t) onTransfer(t);
    },
  };
}

export type PushResult = { kind: 'ok' } | { kind: Exclude<SyncResultKind, 'ok'>; message: string };

export async function pushCommit(git: GitRunner, oid: string, branch: string, onTransfer?: (t: Transfer) => void): Promise<PushResult> {
  try {
    faultPoint('push');
    await git.raw(['push', '--progress', '--porcelain', 'origin', `${oid}:refs/heads/${branch}`], { network: true, ...progressOption(onTransfer) });
    return { kind: 'ok' };
  } catch (e) {
    return { kind: classifyGitError(e) as Exclude<SyncResultKind, 'ok'>, message: gitMessage(e) };
  }
}
