/** Pushing one commit (by oid, so what was pushed is exactly known) to the remote branch; never forced. */
import type { GitRunner } from './runner.js';
import { classifyGitError, gitMessage } from './runner.js';
import { faultPoint } from '../util/fault.js';
import type { SyncResultKind } from '../../../shared/state.js';

export type PushResult = { kind: 'ok' } | { kind: Exclude<SyncResultKind, 'ok'>; message: string };

export async function pushCommit(git: GitRunner, oid: string, branch: string): Promise<PushResult> {
  try {
    faultPoint('push');
    await git.raw(['push', '--progress', '--porcelain', 'origin', `${oid}:refs/heads/${branch}`], { network: true });
    return { kind: 'ok' };
  } catch (e) {
    return { kind: classifyGitError(e) as Exclude<SyncResultKind, 'ok'>, message: gitMessage(e) };
  }
}
