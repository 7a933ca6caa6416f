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
