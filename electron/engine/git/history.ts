/**
 * Versions of one repo path: commit, host (from the ConfSync-Host trailer), date, size.
 * Both sides of every merge are followed (`--full-history --simplify-merges`), so the other machine's
 * version of a resolved conflict stays listed. A merge commit that only carries one side's content
 * forward is left out; a merge that produced new content (a structured merge) is listed.
 */
import type { GitRunner } from './runner.js';
import type { HistoryEntry } from '../../../shared/contract.js';

export async function fileHistory(git: GitRunner, path: string, limit = 200): Promise<HistoryEntry[]> {
  let out: string;
  try {
    out = await git.raw(
      [
        'log',
        `-n${limit}`,
        '--full-history',
        '--simplify-merges',
        '--format=%H%x1f%P%x1f%ct%x1f%an%x1f%(trailers:key=ConfSync-Host,valueonly,separator=%x2C)%x1f%s%x1e',
        '--',
        path,
      ],
      { readonly: true },
    );
  } catch {
    return [];
  }
  const rows: (HistoryEntry & { oid: string | null; merge: boolean })[] = [];
  for (const rec of out.split('\x1e')) {
    const t = rec.trim();
    if (!t) continue;
    const [rev, parents, ct, author, trailer, subject] = t.split('\x1f');
    const [oid, size] = await blobInfo(git, rev, path);
    rows.push({ rev, at: Number(ct) * 1000, host: (trailer || '').trim() || author, size, message: subject ?? '', oid, merge: parents.trim().split(/\s+/).length > 1 });
  }
  // A merge whose content equals a listed version just carries it forward: that version is shown in
  // the merge's place (so the current content comes first), and only once.
  const entries: HistoryEntry[] = [];
  const shown = new Set<number>();
  for (let i = 0; i < rows.length; i++) {
    if (shown.has(i)) continue;
    const r = rows[i];
    const orig = r.merge ? rows.findIndex((o) => !o.merge && o.oid === r.oid) : -1;
    const pick = orig >= 0 ? orig : i;
    shown.add(pick);
    const e = rows[pick];
    entries.push({ rev: e.rev, at: e.at, host: e.host, size: e.size, message: e.message });
  }
  return entries;
}

async function blobInfo(git: GitRunner, rev: string, path: string): Promise<[string | null, number | null]> {
  try {
    const oid = (await git.raw(['rev-parse', '-q', '--verify', `${rev}:${path}`], { readonly: true })).trim();
    if (!oid) return [null, null]; // deleted in this commit
    const size = Number((await git.raw(['cat-file', '-s', oid], { readonly: true })).trim());
    return [oid, size];
  } catch {
    return [null, null];
  }
}
