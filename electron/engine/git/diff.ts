/** What changed between two commits, entry by entry (no rename detection: a move is a delete and an add). */
import type { GitRunner } from './runner.js';
import { EMPTY_TREE, type TreeEntry } from './tree.js';

export interface EntryChange {
  path: string;
  before: TreeEntry | null;
  after: TreeEntry | null;
}

const ZERO = /^0+$/;

/** Blob-level changes from `from` (null: the empty tree) to `to`. */
export async function changedEntries(git: GitRunner, from: string | null, to: string): Promise<EntryChange[]> {
  const out = await git.raw(['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', '--raw', from ?? EMPTY_TREE, to], { readonly: true });
  const parts = out.split('\0');
  const changes: EntryChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = parts[i];
    const path = parts[i + 1];
    if (!meta.startsWith(':')) break;
    const [oldMode, newMode, oldOid, newOid] = meta.slice(1).split(' ');
    // Submodules (160000) and trees never appear with -r; blobs and links only.
    changes.push({
      path,
      before: ZERO.test(oldOid) || oldMode === '000000' ? null : { mode: oldMode, oid: oldOid },
      after: ZERO.test(newOid) || newMode === '000000' ? null : { mode: newMode, oid: newOid },
    });
  }
  return changes;
}
