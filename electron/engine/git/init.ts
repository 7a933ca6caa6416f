/** Creating or opening the sync repo, and pointing it at a remote. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { GitRunner, classifyGitError, gitMessage } from './runner.js';
import type { SyncResultKind } from '../../../shared/state.js';

export const MARKER_DIR = '.confsync';

export async function isRepo(dir: string): Promise<boolean> {
  return existsSync(join(dir, '.git'));
}

/** Creates a repo with one initial commit on `branch`, or does nothing when one exists. */
export async function ensureRepo(git: GitRunner, branch: string): Promise<{ created: boolean }> {
  if (await isRepo(git.dir)) return { created: false };
  mkdirSync(git.dir, { recursive: true });
  await git.raw(['init', '-q', '-b', branch]);
  await configureRepo(git);
  return { created: true };
}

/** Local config the engine relies on. Identity falls back to ConfSync's when the person has none. */
export async function configureRepo(git: GitRunner): Promise<void> {
  const set = (k: string, v: string) => git.raw(['config', '--local', k, v]);
  await set('core.autocrlf', 'false');
  await set('core.quotePath', 'false');
  await set('core.symlinks', 'true');
  await set('merge.conflictStyle', 'merge');
  await set('gc.auto', '256');
  const name = await git.raw(['config', '--get', 'user.name']).catch(() => '');
  if (!name.trim()) await set('user.name', 'ConfSync');
  const email = await git.raw(['config', '--get', 'user.email']).catch(() => '');
  if (!email.trim()) await set('user.email', 'confsync@localhost');
}

export async function setRemote(git: GitRunner, url: string | null): Promise<void> {
  const remotes = (await git.raw(['remote'])).split('\n').map((s) => s.trim());
  if (url === null) {
    if (remotes.includes('origin')) await git.raw(['remote', 'remove', 'origin']);
    return;
  }
  if (remotes.includes('origin')) await git.raw(['remote', 'set-url', 'origin', url]);
  else await git.raw(['remote', 'add', 'origin', url]);
}

export type LsRemoteResult =
  | { kind: 'ok'; heads: Map<string, string> }
  | { kind: Exclude<SyncResultKind, 'ok'>; message: string };

/** Lists the remote's branches without touching the repo (Test connection, joining). */
export async function lsRemote(git: GitRunner, url: string): Promise<LsRemoteResult> {
  try {
    const out = await git.raw(['ls-remote', '--heads', url], { readonly: true, network: true });
    const heads = new Map<string, string>();
    for (const line of out.split('\n')) {
      const [oid, ref] = line.trim().split(/\s+/);
      if (oid && ref?.startsWith('refs/heads/')) heads.set(ref.slice('refs/heads/'.length), oid);
    }
    return { kind: 'ok', heads };
  } catch (e) {
    return { kind: classifyGitError(e) as Exclude<SyncResultKind, 'ok'>, message: gitMessage(e) };
  }
}
