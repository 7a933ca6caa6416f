/** Revisions a person typed: an unknown or ambiguous one is an error that names it, never "nothing there". */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRunner } from '../../../electron/engine/git/runner.js';
import { resolveCommit, revProblem } from '../../../electron/engine/git/rev.js';

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cs-rev-'));
  const g = (...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
  g('init', '-q', '-b', 'main');
  g('commit', '-q', '--allow-empty', '-m', 'one');
  return dir;
}

describe('resolveCommit', () => {
  it('resolves full, short and relative revisions', async () => {
    const dir = repo();
    const git = new GitRunner({ dir });
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    expect(await resolveCommit(git, head)).toEqual({ kind: 'ok', oid: head });
    expect(await resolveCommit(git, head.slice(0, 7))).toEqual({ kind: 'ok', oid: head });
    expect(await resolveCommit(git, 'HEAD')).toEqual({ kind: 'ok', oid: head });
  });

  it('unknown, not a commit, and option-looking input are errors that name the input', async () => {
    const dir = repo();
    const git = new GitRunner({ dir });
    const r = await resolveCommit(git, 'deadbeef');
    expect(r.kind).toBe('unknown');
    expect(revProblem(r as Exclude<typeof r, { kind: 'ok' }>)).toBe('unknown revision "deadbeef"');
    const tree = execFileSync('git', ['rev-parse', 'HEAD^{tree}'], { cwd: dir, encoding: 'utf8' }).trim();
    expect((await resolveCommit(git, tree)).kind).toBe('not-a-commit');
    expect((await resolveCommit(git, '--all')).kind).toBe('unknown');
    expect((await resolveCommit(git, 'HEAD~5')).kind).toBe('unknown');
  });

  it('an ambiguous short id lists the commits it could mean', async () => {
    const dir = repo();
    const git = new GitRunner({ dir });
    // Commits until two share a 4-character prefix (commit-tree is cheap; ~300 expected).
    const tree = execFileSync('git', ['rev-parse', 'HEAD^{tree}'], { cwd: dir, encoding: 'utf8' }).trim();
    const seen = new Map<string, string>();
    let pair: [string, string] | null = null;
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    for (let i = 0; i < 5000 && !pair; i++) {
      const oid = execFileSync('git', ['commit-tree', tree, '-m', `c${i}`], { cwd: dir, encoding: 'utf8', env }).trim();
      const p = oid.slice(0, 4);
      if (seen.has(p)) pair = [seen.get(p)!, oid];
      seen.set(p, oid);
    }
    expect(pair).not.toBeNull();
    const r = await resolveCommit(git, pair![0].slice(0, 4));
    expect(r.kind).toBe('ambiguous');
    expect(r.kind === 'ambiguous' && r.candidates.sort()).toEqual([...pair!].sort());
    expect(revProblem(r as Exclude<typeof r, { kind: 'ok' }>)).toMatch(/is ambiguous: it could be .*; give more characters/);
  }, 60_000);
});
