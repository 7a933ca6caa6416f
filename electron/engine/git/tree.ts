/** Reading what a commit holds: tree listings, blobs, heads, ancestry. Read-only, no index lock. */
import type { GitRunner } from './runner.js';

export interface TreeEntry {
  mode: string;
  oid: string;
  /** Blob size in bytes, when listed with sizes. */
  size?: number;
}

/** The empty tree's id (sha1 repos): the base of a merge between unrelated histories. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export async function revParse(git: GitRunner, rev: string): Promise<string | null> {
  try {
    return (await git.raw(['rev-parse', '--verify', '-q', `${rev}^{commit}`], { readonly: true })).trim() || null;
  } catch {
    return null;
  }
}

/** Every blob/link in a commit's tree, by repo-relative path (with sizes when asked: slower). Empty for an unborn branch or a missing revision. */
export async function lsTree(git: GitRunner, rev = 'HEAD', opts: { sizes?: boolean; intern?: (path: string) => string; strict?: boolean } = {}): Promise<Map<string, TreeEntry>> {
  const args = ['ls-tree', '-r', ...(opts.sizes ? ['-l'] : []), '-z', '--full-tree', rev];
  // strict: the revision is known to exist, so a failure is an error, never an empty tree.
  if (opts.strict) return parseLsTree((await git.run(args, { readonly: true })).stdout, opts.intern);
  const r = await git.run(args, { readonly: true, allowExit: [128] }).catch(() => null);
  if (!r || r.code !== 0) return new Map();
  return parseLsTree(r.stdout, opts.intern);
}

const MODES = new Map(['100644', '100755', '120000', '160000', '040000'].map((m) => [m, m]));

/**
 * `ls-tree -r -z [-l]` output → entries of blobs and links. Each path and id is decoded from the bytes
 * on its own: strings cut from one decoded listing (split, slice) keep the whole listing alive for as
 * long as any of them lives, and a cached HEAD tree lives for the engine's life (at 100,000 files,
 * 8 MB of listing kept behind the map). `intern` may give an equal string already held elsewhere.
 */
export function parseLsTree(out: Buffer, intern?: (path: string) => string): Map<string, TreeEntry> {
  const map = new Map<string, TreeEntry>();
  let at = 0;
  while (at < out.length) {
    let end = out.indexOf(0, at);
    if (end < 0) end = out.length;
    const tab = out.indexOf(9, at);
    if (tab > at && tab < end) {
      // `<mode> SP <type> SP <oid>[ SP* <size>] TAB <path>`
      const sp1 = out.indexOf(32, at);
      const sp2 = out.indexOf(32, sp1 + 1);
      if (sp1 > at && sp2 > sp1 && sp2 < tab && out.toString('latin1', sp1 + 1, sp2) === 'blob') {
        const modeText = out.toString('latin1', at, sp1);
        const mode = MODES.get(modeText) ?? modeText;
        let oidEnd = out.indexOf(32, sp2 + 1);
        if (oidEnd < 0 || oidEnd > tab) oidEnd = tab;
        const oid = out.toString('latin1', sp2 + 1, oidEnd);
        const decoded = out.toString('utf8', tab + 1, end);
        const path = intern ? intern(decoded) : decoded;
        if (oidEnd < tab) map.set(path, { mode, oid, size: Number(out.toString('latin1', oidEnd, tab).trim()) });
        else map.set(path, { mode, oid });
      }
    }
    at = end + 1;
  }
  return map;
}

/** Every folder that holds entries in a tree listing (`a/b/c` → `a`, `a/b`). */
export function foldersOf(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    let i = p.indexOf('/');
    while (i > 0) {
      out.add(p.slice(0, i));
      i = p.indexOf('/', i + 1);
    }
  }
  return out;
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

/** Content of `path` at `rev`, or null when absent there (one process). */
export async function blobAt(git: GitRunner, rev: string, path: string): Promise<Buffer | null> {
  const r = await git.run(['cat-file', 'blob', `${rev}:${path}`], { readonly: true, allowExit: [128] }).catch(() => null);
  return r && r.code === 0 ? r.stdout : null;
}

/** The entry (mode, blob id) of `path` at `rev`, or null when absent there. */
export async function entryAt(git: GitRunner, rev: string, path: string): Promise<TreeEntry | null> {
  const r = await git.run(['ls-tree', '-z', '-l', '--full-tree', rev, '--', path], { readonly: true, allowExit: [128] }).catch(() => null);
  if (!r || r.code !== 0) return null;
  for (const rec of r.stdout.toString('utf8').split('\0')) {
    const tab = rec.indexOf('\t');
    if (tab < 0 || rec.slice(tab + 1) !== path) continue;
    const [mode, type, oid, size] = rec.slice(0, tab).split(/ +/);
    if (type === 'blob') return { mode, oid, size: Number(size) };
  }
  return null;
}

/** Paths in the index (= HEAD: the working tree is ours and clean) matching glob pathspecs, in one process. */
export async function listPaths(git: GitRunner, globs: string[]): Promise<string[]> {
  const out = await git.raw(['ls-files', '-z', '--', ...globs.map((g) => `:(glob)${g}`)], { readonly: true }).catch(() => '');
  return out.split('\0').filter(Boolean);
}
