/**
 * Turning a revision a person typed into a commit, or a clear reason why not. An unknown or ambiguous
 * revision is never taken as "nothing there": that is how a restore once deleted a live file.
 */
import type { GitRunner } from './runner.js';

export type RevResult =
  | { kind: 'ok'; oid: string }
  | { kind: 'unknown'; rev: string }
  | { kind: 'ambiguous'; rev: string; candidates: string[] }
  | { kind: 'not-a-commit'; rev: string };

const HEXISH = /^[0-9a-fA-F]{4,40}$/;

export async function resolveCommit(git: GitRunner, rev: string): Promise<RevResult> {
  if (!rev || rev.startsWith('-') || rev.includes('\0')) return { kind: 'unknown', rev };
  const r = await git.run(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`], { readonly: true, allowExit: [128] }).catch(() => null);
  if (r && r.code === 0) return { kind: 'ok', oid: r.stdout.toString('utf8').trim() };
  if (HEXISH.test(rev) && rev.length < 40) {
    // A short id matching several objects: name the commits it could mean.
    const d = await git.run(['rev-parse', '--disambiguate=' + rev.toLowerCase()], { readonly: true, allowExit: [128] }).catch(() => null);
    const objects = d && d.code === 0 ? d.stdout.toString('utf8').split('\n').filter(Boolean) : [];
    if (objects.length > 1) {
      const commits: string[] = [];
      for (const o of objects) {
        const t = await git.run(['cat-file', '-t', o], { readonly: true, allowExit: [128] }).catch(() => null);
        if (t?.stdout.toString('utf8').trim() === 'commit') commits.push(o);
      }
      if (commits.length > 1) return { kind: 'ambiguous', rev, candidates: commits };
      if (commits.length === 1) return { kind: 'ok', oid: commits[0] };
    }
    if (objects.length === 1) return { kind: 'not-a-commit', rev };
  }
  // Exists, but is not a commit (a blob or tree id)?
  const t = await git.run(['cat-file', '-t', '--end-of-options', rev], { readonly: true, allowExit: [128] }).catch(() => null);
  if (t && t.code === 0) return { kind: 'not-a-commit', rev };
  return { kind: 'unknown', rev };
}

/** Words for a failed resolution, naming what was wrong. */
export function revProblem(r: Exclude<RevResult, { kind: 'ok' }>): string {
  switch (r.kind) {
    case 'unknown':
      return `unknown revision "${r.rev}"`;
    case 'ambiguous':
      return `revision "${r.rev}" is ambiguous: it could be ${r.candidates.map((c) => c.slice(0, 12)).join(', ')}; give more characters`;
    case 'not-a-commit':
      return `"${r.rev}" is not a commit`;
  }
}
