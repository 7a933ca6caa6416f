/** Creating or opening the sync repo, its local config (committer identity included), and its remote. */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GitRunner, classifyGitError, gitMessage } from './runner.js';
import type { SyncResultKind } from '../../../shared/state.js';

export const MARKER_DIR = '.confsync';

export async function isRepo(dir: string): Promise<boolean> {
  return existsSync(join(dir, '.git'));
}

/** Creates an empty repo on `branch`, or does nothing when one exists. */
export async function ensureRepo(git: GitRunner, branch: string): Promise<{ created: boolean }> {
  if (await isRepo(git.dir)) return { created: false };
  mkdirSync(git.dir, { recursive: true });
  await git.raw(['init', '-q', '-b', branch]);
  return { created: true };
}

/**
 * The repo's own local config, set at every open (not only at init): the sync repo never depends on the
 * person's global git config. In particular it carries its own committer identity, so losing or
 * replacing `~/.gitconfig` (itself a synced file) never stops a commit ("Author identity unknown").
 * One process reads the local config; only what differs is written.
 */
export function repoIdentity(host: string): { name: string; email: string } {
  return { name: `ConfSync (${host})`, email: `confsync@${host.toLowerCase().replace(/[^a-z0-9.-]/g, '-') || 'localhost'}.invalid` };
}

export async function configureRepo(git: GitRunner, host: string): Promise<void> {
  const id = repoIdentity(host);
  const want: Record<string, string> = {
    'core.autocrlf': 'false',
    'core.quotepath': 'false',
    'core.symlinks': 'true',
    'merge.conflictstyle': 'merge',
    'gc.auto': '256',
    'user.name': id.name,
    'user.email': id.email,
  };
  const have = new Map<string, string>();
  const out = await git.raw(['config', '--local', '--list', '-z'], { readonly: true }).catch(() => '');
  for (const rec of out.split('\0')) {
    const nl = rec.indexOf('\n');
    if (nl > 0) have.set(rec.slice(0, nl).toLowerCase(), rec.slice(nl + 1));
  }
  for (const [k, v] of Object.entries(want)) if (have.get(k) !== v) await git.raw(['config', '--local', k, v]);
  await ensureSparse(git);
}

/**
 * The working tree holds only ConfSync's own files (the shared profile list, conflicts, modes, the
 * ignore file, the Keyboard Maestro export): synced files live in the repo's objects and index, never
 * copied into a second place on disk. A sparse checkout (non-cone patterns) does that with git's own
 * machinery; checkouts, merges and resets leave everything else out of the working tree.
 */
export const SPARSE_PATTERNS = ['/.confsync/', '/.confsyncignore', '/keyboard-maestro-macros/'];

/**
 * True when the working tree's top level holds anything but `.git` and the sparse checkout's own
 * paths: a synced file checked out there (by hand, or by a git that ignored the patterns).
 */
export function strayOutsideSparse(repoDir: string): boolean {
  const own = new Set(['.git', ...SPARSE_PATTERNS.map((p) => p.replace(/^\/|\/$/g, ''))]);
  try {
    return readdirSync(repoDir).some((n) => !own.has(n));
  } catch {
    return false;
  }
}

async function ensureSparse(git: GitRunner): Promise<void> {
  const read = (f: string) => (existsSync(join(git.dir, '.git', f)) ? readFileSync(join(git.dir, '.git', f), 'utf8') : '');
  const want = SPARSE_PATTERNS.join('\n') + '\n';
  // `sparse-checkout set` keeps its switches in the worktree config (.git/config.worktree).
  const on = /sparsecheckout\s*=\s*true/i.test(read('config.worktree')) && /sparsecheckoutcone\s*=\s*false/i.test(read('config.worktree'));
  if (on && read('info/sparse-checkout') === want) return;
  await git.raw(['sparse-checkout', 'set', '--no-cone', ...SPARSE_PATTERNS]);
}

/** Points `origin` at `url` (or removes it). Reads the current URL first, so an unchanged remote costs one process. */
export async function setRemote(git: GitRunner, url: string | null): Promise<void> {
  const cur = (await git.raw(['config', '--local', '--get', 'remote.origin.url'], { readonly: true, allowExit: [1] }).catch(() => '')).trim() || null;
  if (cur === url) return;
  if (url === null) {
    await git.raw(['remote', 'remove', 'origin']);
    return;
  }
  if (cur !== null) await git.raw(['remote', 'set-url', 'origin', url]);
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
