/**
 * Where the refs point, cheaply: HEAD's commit read from the repo's own files (no process), and the
 * refs a sync cycle needs in one `for-each-ref`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitRunner } from './runner.js';

const HEX40 = /^[0-9a-f]{40}$/;

/** What .git/HEAD says: a commit (detached), a branch's ref name, or null when unreadable or neither. */
function headFile(gitDir: string): { oid: string } | { ref: string } | null {
  let head: string;
  try {
    head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  } catch {
    return null;
  }
  if (HEX40.test(head)) return { oid: head };
  const m = /^ref: (refs\/\S+)$/.exec(head);
  return m ? { ref: m[1] } : null;
}

/** The loose ref file's text, or null when there is none (`unreadable`: it is there but cannot be read). */
function looseRef(gitDir: string, ref: string): { text: string | null; unreadable: boolean } {
  try {
    return { text: readFileSync(join(gitDir, ...ref.split('/')), 'utf8').trim(), unreadable: false };
  } catch (e) {
    return { text: null, unreadable: (e as NodeJS.ErrnoException).code !== 'ENOENT' };
  }
}

/** The id packed-refs gives `ref` (as written, valid or not), or undefined when it lists none. */
function packedRef(gitDir: string, ref: string): string | undefined {
  try {
    for (const line of readFileSync(join(gitDir, 'packed-refs'), 'utf8').split('\n')) {
      const [oid, name] = line.split(' ');
      if (name === ref) return oid;
    }
  } catch {
    // no packed refs
  }
  return undefined;
}

/**
 * HEAD's commit id from .git/HEAD and the branch's loose ref (or packed-refs), or null when unborn or
 * unreadable. No git process: callers use it to tell whether anything moved HEAD since they looked.
 */
export function readHead(repoDir: string): string | null {
  const h = headFile(join(repoDir, '.git'));
  if (!h) return null;
  return 'oid' in h ? h.oid : readRef(repoDir, h.ref);
}

/**
 * Why HEAD has no commit, when it has none: `unborn` (a new repo: the branch's ref exists nowhere),
 * or `damaged` (HEAD or the branch's ref file is there but holds no commit id: a crash before the
 * disk was written leaves an empty file). A pass must never read a damaged HEAD as an empty tree:
 * every synced file would look deleted by the repo.
 */
export function headProblem(repoDir: string): { kind: 'unborn' } | { kind: 'damaged'; file: string } | null {
  const gitDir = join(repoDir, '.git');
  const h = headFile(gitDir);
  if (!h) return { kind: 'damaged', file: '.git/HEAD' };
  if ('oid' in h) return null;
  if (readRef(repoDir, h.ref)) return null;
  const loose = looseRef(gitDir, h.ref);
  if (loose.text !== null || loose.unreadable) return { kind: 'damaged', file: `.git/${h.ref}` };
  if (packedRef(gitDir, h.ref) !== undefined) return { kind: 'damaged', file: '.git/packed-refs' };
  return { kind: 'unborn' };
}

/** A ref's commit id from the repo's files (loose ref, else packed-refs), or null. No git process. */
export function readRef(repoDir: string, ref: string): string | null {
  const gitDir = join(repoDir, '.git');
  const loose = looseRef(gitDir, ref).text;
  if (loose !== null && HEX40.test(loose)) return loose;
  const packed = packedRef(gitDir, ref);
  return packed !== undefined && HEX40.test(packed) ? packed : null;
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
