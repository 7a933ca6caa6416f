/** Reading what a commit holds: tree listings, blobs, heads, ancestry. Read-only, no index lock. */
import type { GitRunner } from './runner.js';

export interface TreeEntry {
  mode: string;
  oid: string;
}

export async function revParse(git: GitRunner, rev: string): Promise<string | null> {
  try {
    return (await git.raw(['rev-parse', '--verify', '-q', `${rev}^{commit}`], { readonly: true })).trim() || null;
  } catch {
    return null;
  }
}

/** Every blob/link in a commit's tree, by repo-relative path. Empty map for an unborn branch. */
export async function lsTree(git: GitRunner, rev = 'HEAD'): Promise<Map<string, TreeEntry>> {
  const map = new Map<string, TreeEntry>();
  if (!(await revParse(git, rev))) return map;
  const out = await git.raw(['ls-tree', '-r', '-z', '--full-tree', rev], { readonly: true });
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, type, oid] = rec.slice(0, tab).split(' ');
    if (type !== 'blob') continue;
    map.set(rec.slice(tab + 1), { mode, oid });
  }
  return map;
}

export async function isAncestor(git: GitRunner, a: string, b: string): Promise<boolean> {
  return (await git.exitCode(['merge-base', '--is-ancestor', a, b])).code === 0;
}

/** The merge base of two commits, or null when their histories are unrelated. */
export async function mergeBase(git: GitRunner, a: string, b: string): Promise<string | null> {
  const r = await git.exitCode(['merge-base', a, b]);
  return r.code === 0 ? r.stdout.trim() || null : null;
}

export async function countCommits(git: GitRunner, range: string): Promise<number> {
  try {
    return Number((await git.raw(['rev-list', '--count', range], { readonly: true })).trim()) || 0;
  } catch {
    return 0;
  }
}

export async function rootCommit(git: GitRunner): Promise<string | null> {
  try {
    const out = (await git.raw(['rev-list', '--max-parents=0', 'HEAD'], { readonly: true })).trim().split('\n');
    return out.sort()[0] || null;
  } catch {
    return null;
  }
}

/** Content of `path` at `rev`, or null when absent there. */
export async function blobAt(git: GitRunner, rev: string, path: string): Promise<Buffer | null> {
  try {
    const oid = (await git.raw(['rev-parse', '-q', '--verify', `${rev}:${path}`], { readonly: true })).trim();
    if (!oid) return null;
    return await git.catBlob(oid);
  } catch {
    return null;
  }
}
