/**
 * commitEntries against a real repo: removals go first (a file replacing a folder of the same name),
 * paths with spaces, tabs and non-ASCII names are taken byte for byte, entries outside the sparse
 * checkout get the skip-worktree bit, and a Stage's index map and the same changes as a list make the
 * same tree. Many entries (more than one 64 KiB chunk of input) all arrive.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRunner } from '../../../electron/engine/git/runner.js';
import { commitEntries, indexInput, type IndexChange } from '../../../electron/engine/git/commit.js';

const git = (dir: string, args: string[], input?: string) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', input }).trim();

function repo(): { dir: string; blob: (s: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'cs-commit-'));
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 't']);
  git(dir, ['config', 'user.email', 't@t']);
  return { dir, blob: (s) => git(dir, ['hash-object', '-w', '--stdin'], s) };
}

describe('commitEntries', () => {
  it('commits a map of changes: removals first, names byte for byte, skip-worktree outside the sparse set', async () => {
    const { dir, blob } = repo();
    const g = new GitRunner({ dir });
    const a = blob('a\n');
    const first = new Map<string, { mode: string; oid: string } | null>([
      ['x/inner.txt', { mode: '100644', oid: a }],
      ['keep me.txt', { mode: '100755', oid: a }],
    ]);
    expect((await commitEntries(g, first, 'one', 'alpha')).kind).toBe('committed');
    // `x` becomes a file: its folder's entry is removed in the same commit.
    const names = ['x', 'tab\there.conf', 'ünï/日本.json'];
    const second = new Map<string, { mode: string; oid: string } | null>(names.map((n) => [n, { mode: '100644', oid: blob(n) }]));
    second.set('x/inner.txt', null);
    expect((await commitEntries(g, second, 'two', 'alpha')).kind).toBe('committed');
    const listed = git(dir, ['-c', 'core.quotePath=false', 'ls-tree', '-r', '-z', '--name-only', 'HEAD']).split('\0').filter(Boolean).sort();
    expect(listed).toEqual(['keep me.txt', ...names].sort());
    expect(git(dir, ['show', 'HEAD:tab\there.conf'])).toBe('tab\there.conf');
    // Every entry the commit added is marked skip-worktree (`S`).
    const tags = git(dir, ['ls-files', '-t', '-z']).split('\0').filter(Boolean);
    expect(tags.every((t) => t.startsWith('S '))).toBe(true);
  });

  it('makes the same input from a list and from a map, and carries every one of many entries', async () => {
    const oid = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'; // the empty blob
    const list: IndexChange[] = [];
    for (let i = 0; i < 5000; i++) list.push({ path: `dir${i % 50}/file number ${i}.txt`, mode: '100644', oid });
    list.push({ path: 'gone.txt', remove: true });
    const map = new Map(list.map((c) => [c.path, 'remove' in c ? null : { mode: c.mode, oid: c.oid }]));
    const a = indexInput(list);
    const b = indexInput(map);
    expect(a.info.equals(b.info)).toBe(true);
    expect(a.info.length).toBeGreaterThan(65536 * 3);
    const lines = a.info.toString('utf8').split('\0').filter(Boolean);
    expect(lines[0]).toBe(`0 ${'0'.repeat(40)}\tgone.txt`);
    expect(lines).toHaveLength(5001);
    const { dir } = repo();
    git(dir, ['hash-object', '-w', '--stdin'], '');
    expect((await commitEntries(new GitRunner({ dir }), map, 'many', 'alpha')).kind).toBe('committed');
    expect(git(dir, ['ls-tree', '-r', '--name-only', 'HEAD']).split('\n')).toHaveLength(5000);
  });
});
