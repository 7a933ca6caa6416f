/**
 * Where the refs point, cheaply: HEAD's commit read from the repo's own files (no process), and the
 * refs a sync cycle needs in one `for-each-ref`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitRunner } from './runner.js';

/**
 * HEAD's commit id from .git/HEAD and the branch's loose ref (or packed-refs), or null when unborn or
 * unreadable. No git process: callers use it to tell whether anything moved HEAD since they looked.
 */
export function readHead(repoDir: string): string | null {
  try {
    const head = readFileSync(join(repoDir, '.git', 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const m = /^ref: (refs\/\S+)$/.exec(head);
    return m ? readRef(repoDir, m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Why HEAD has no commit, when it has none: `unborn` (a new repo: the branch's ref exists nowhere),
 * or `damaged` (HEAD or the branch's ref file is there but holds no commit id: a crash before the
 * disk was written leaves an empty file). A pass must never read a damaged HEAD as an empty tree:
 * every synced file would look deleted by the repo.
 */
export function headProblem(repoDir: string): { kind: 'unborn' } | { kind: 'damaged'; file: string } | null {
  if (readHead(repoDir)) return null;
  const gitDir = join(repoDir, '.git');
  let head: string;
  try {
    head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  } catch {
    return { kind: 'damaged', file: '.git/HEAD' };
  }
  const m = /^ref: (refs\/\S+)$/.exec(head);
  if (!m) return { kind: 'damaged', file: '.git/HEAD' };
  const file = `.git/${m[1]}`;
  try {
    readFileSync(join(gitDir, ...m[1].split('/')));
    return { kind: 'damaged', file };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'damaged', file };
  }
  try {
    if (readFileSync(join(gitDir, 'packed-refs'), 'utf8').split('\n').some((l) => l.split(' ')[1] === m[1])) return { kind: 'damaged', file: '.git/packed-refs' };
  } catch {
    // no packed refs
  }
  return { kind: 'unborn' };
}

/** A ref's commit id from the repo's files (loose ref, else packed-refs), or null. No git process. */
export function readRef(repoDir: string, ref: string): string | null {
  const gitDir = join(repoDir, '.git');
  try {
    const oid = readFileSync(join(gitDir, ...ref.split('/')), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(oid)) return oid;
  } catch {
    // not loose: look in packed-refs
  }
  try {
    for (const line of readFileSync(join(gitDir, 'packed-refs'), 'utf8').split('\n')) {
      const [oid, name] = line.split(' ');
      if (name === ref && /^[0-9a-f]{40}$/.test(oid)) return oid;
    }
  } catch {
    // no packed refs
  }
  return null;
}

/** The commits `refs` point to (missing refs are absent from the map), in one process. */
export async function readRefs(git: GitRunner, refs: string[]): Promise<Map<string, string>> {
  const out = await git.raw(['for-each-ref', '--format=%(refname) %(objectname)', ...refs], { readonly: true });
  const map = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [ref, oid] = line.trim().split(' ');
    if (ref && oid) map.set(ref, oid);
  }
  return map;
}
