/** Versions of one repo path: commit, host (from the ConfSync-Host trailer), date, size. */
import type { GitRunner } from './runner.js';
import type { HistoryEntry } from '../../../shared/contract.js';

export async function fileHistory(git: GitRunner, path: string, limit = 200): Promise<HistoryEntry[]> {
  let out: string;
  try {
    out = await git.raw(
      ['log', `-n${limit}`, '--format=%H%x1f%ct%x1f%an%x1f%(trailers:key=ConfSync-Host,valueonly,separator=%x2C)%x1f%s%x1e', '--', path],
      { readonly: true },
    );
  } catch {
    return [];
  }
  const entries: HistoryEntry[] = [];
  for (const rec of out.split('\x1e')) {
    const t = rec.trim();
    if (!t) continue;
    const [rev, ct, author, trailer, subject] = t.split('\x1f');
    let size: number | null;
    try {
      size = Number((await git.raw(['cat-file', '-s', `${rev}:${path}`], { readonly: true })).trim());
    } catch {
      size = null; // deleted in this commit
    }
    entries.push({ rev, at: Number(ct) * 1000, host: (trailer || '').trim() || author, size, message: subject ?? '' });
  }
  return entries;
}
