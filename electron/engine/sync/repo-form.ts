/**
 * The repo's files in the current repo form. Binary plists are stored as canonical XML
 * (formats/plist-form.ts); a repo written by an older version holds them as binary blobs. A machine
 * whose live file has the same settings would then meet different bytes (the XML it stores against
 * the binary blob) and, when it joins, see a conflict for a file nobody changed. So the binary plists
 * HEAD still holds are converted, in one commit, with nothing else changed:
 *   - once per clone (a flag file, `.git/confsync-repo-form`, records that it was done);
 *   - after a joining machine adopted the remote's history (the remote may never have been converted),
 *     before its own files are compared with the repo's.
 * Only exact conversions are made (what plistRepoForm converts); encrypted files are left alone. Blobs
 * an older version commits later are converted by the next edit, or merged by value (the plist codec).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncContext } from './context.js';
import { lsTree } from '../git/tree.js';
import { BlobReader, writeBlob } from '../git/objects.js';
import { commitEntries, type IndexChange } from '../git/commit.js';
import { readHead } from '../git/refs.js';
import { plistRepoForm } from '../formats/plist-form.js';
import { pushActivity } from '../state/app-store.js';
import { plural } from '../../../shared/meanings.js';

const FLAG = 'confsync-repo-form';
/** Raised when a new conversion is added, so every clone looks again once. */
const FORM_VERSION = '1';
const PLIST_NAME = /\.(plist|kmmacros|kmlibrary)$/i;
const BPLIST = Buffer.from('bplist00', 'latin1');

export function isPlistName(path: string): boolean {
  return PLIST_NAME.test(path);
}

/**
 * Whether two versions hold the same content once in the repo form: 'a' or 'b' names the one to keep
 * (the one already in the repo form, else 'a'); null when they differ.
 */
export function sameInRepoForm(a: Buffer, b: Buffer, maxBytes: number): 'a' | 'b' | null {
  const ra = plistRepoForm(a, maxBytes);
  const rb = plistRepoForm(b, maxBytes);
  if (!ra.equals(rb)) return null;
  return ra === a || rb !== b ? 'a' : 'b';
}

export interface RepoFormResult {
  /** Repo paths converted (empty: nothing to do). */
  converted: string[];
  commit: string | null;
}

/**
 * Converts what HEAD still holds in an older repo form, in one commit. `force`: look again even when this
 * clone did already (after adopting a remote's history). The caller holds the repo mutex.
 */
export async function convertRepoForms(c: SyncContext, opts: { force?: boolean } = {}): Promise<RepoFormResult> {
  const flag = join(c.repoDir, '.git', FLAG);
  const none: RepoFormResult = { converted: [], commit: null };
  if (!opts.force && existsSync(flag) && readFileSync(flag, 'utf8').trim() === FORM_VERSION) return none;
  const head = readHead(c.repoDir);
  const changes: IndexChange[] = [];
  if (head) {
    const tree = await lsTree(c.git, head);
    const max = c.settings().sync.maxFileBytes;
    // One `cat-file --batch` for every plist (a repo with a Keyboard Maestro export holds thousands).
    const reader = new BlobReader(c.git);
    try {
      for (const [path, e] of tree) {
        if ((e.mode !== '100644' && e.mode !== '100755') || !PLIST_NAME.test(path) || c.sealed.isSealed(path)) continue;
        const bytes = await reader.read(e.oid);
        if (!bytes.subarray(0, 8).equals(BPLIST)) continue;
        const repo = plistRepoForm(bytes, max);
        if (repo === bytes) continue;
        changes.push({ path, mode: e.mode, oid: await writeBlob(c.git, repo) });
      }
    } finally {
      await reader.close();
    }
  }
  let commit: string | null = null;
  if (changes.length) {
    const r = await commitEntries(c.git, changes, `${c.host}: store ${plural(changes.length, 'binary plist')} as XML (the same settings; each machine keeps its file binary)`, c.host);
    if (r.kind === 'disk-full' || r.kind === 'error') throw new Error(`could not store binary plists as XML: ${r.message}`);
    if (r.kind === 'committed') {
      commit = r.oid;
      c.events.emit('committed', { oid: r.oid, paths: changes.map((x) => x.path), reason: 'repo-form' });
      pushActivity(c.store, 'info', `Stored ${plural(changes.length, 'binary plist')} in the repo as XML (the same settings)`);
    }
  }
  writeFileSync(flag, `${FORM_VERSION}\n`);
  return { converted: changes.map((x) => x.path), commit };
}
