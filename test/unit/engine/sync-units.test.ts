/** Pure pieces of the sync engine: backoff, git error classification, commit messages, merges, names. */
import { describe, it, expect } from 'vitest';
import { SyncScheduler } from '../../../electron/engine/scheduler/scheduler.js';
import { classifyGitError } from '../../../electron/engine/git/runner.js';
import { renderCommitMessage, withHostTrailer } from '../../../electron/engine/git/commit.js';
import { merge3, Formats } from '../../../electron/engine/formats/index.js';
import { conflictCopyName, isConflictCopy } from '../../../electron/engine/sync/conflicts.js';

const formats = new Formats();
const mergeContents = (path: string, base: Buffer | null, mine: Buffer, theirs: Buffer) => formats.merge(path, base, mine, theirs);

describe('sync backoff', () => {
  it('is the interval when healthy, grows exponentially with jitter after failures, capped at the interval', () => {
    const interval = 300_000;
    expect(SyncScheduler.backoff(0, interval, 5000, () => 0.5)).toBe(interval);
    const lo = [1, 2, 3, 4, 5].map((n) => SyncScheduler.backoff(n, interval, 5000, () => 0));
    const hi = [1, 2, 3, 4, 5].map((n) => SyncScheduler.backoff(n, interval, 5000, () => 0.999999));
    expect(hi).toEqual([5000, 10000, 20000, 40000, 80000]);
    expect(lo).toEqual([2500, 5000, 10000, 20000, 40000]);
    expect(SyncScheduler.backoff(30, interval, 5000, () => 0.999999)).toBe(interval);
  });
});

describe('git error classification', () => {
  const cases: [string, string][] = [
    ['fatal: unable to access https://x/: Could not resolve host: x', 'offline'],
    ["fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused", 'offline'],
    ["fatal: '/gone/remote.git' does not appear to be a git repository", 'offline'],
    ['git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'auth-failed'],
    ["fatal: could not read Username for 'https://github.com': terminal prompts disabled", 'auth-failed'],
    ['remote: HTTP Basic: Access denied\nfatal: Authentication failed for', 'auth-failed'],
    ['@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.', 'host-key-changed'],
    [' ! [rejected]        HEAD -> main (fetch first)\nerror: failed to push some refs', 'rejected'],
    [' ! [remote rejected] HEAD -> main (pre-receive hook declined)', 'rejected'],
    ['error: unable to write file: No space left on device', 'disk-full'],
    ['something else entirely', 'error'],
  ];
  for (const [msg, kind] of cases) {
    it(`${kind}: ${msg.split('\n')[0].slice(0, 60)}`, () => expect(classifyGitError(new Error(msg))).toBe(kind));
  }
  it('ENOSPC by code', () => expect(classifyGitError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe('disk-full'));
});

describe('commit messages', () => {
  it('fills the template, shortens long file lists, stays one line and bounded', () => {
    expect(renderCommitMessage('{host}: {count} files changed ({files})', { host: 'mac', files: ['zsh/.zshrc', 'git/.gitconfig'] })).toBe('mac: 2 files changed (.zshrc, .gitconfig)');
    const many = Array.from({ length: 9 }, (_, i) => `p/f${i}`);
    expect(renderCommitMessage('{files}', { host: 'h', files: many })).toBe('f0, f1, f2, f3, f4, ...');
    expect(renderCommitMessage('{date}', { host: 'h', files: [], date: new Date(0) })).toBe('1970-01-01T00:00:00.000Z');
    expect(renderCommitMessage('a\nb', { host: 'h', files: [] })).toBe('a b');
    expect(renderCommitMessage('{files}'.repeat(400), { host: 'h', files: ['x'.repeat(100)] }).length).toBeLessThanOrEqual(1000);
    expect(withHostTrailer('m', 'mac')).toBe('m\n\nConfSync-Host: mac\n');
    expect(renderCommitMessage('{host}: {nfiles} changed ({files})', { host: 'mac', files: ['zsh/.zshrc'] })).toBe('mac: 1 file changed (.zshrc)');
    expect(renderCommitMessage('{nfiles}', { host: 'mac', files: ['a', 'b'] })).toBe('2 files');
  });
});

describe('structured three-way merge', () => {
  it('takes one-sided changes by key, recursively', () => {
    const r = merge3({ a: 1, n: { x: 1, y: 1 }, gone: 1 }, { a: 2, n: { x: 1, y: 1 }, gone: 1 }, { a: 1, n: { x: 1, y: 2 }, add: true });
    expect(r.conflicts).toEqual([]);
    expect(r.merged).toEqual({ a: 2, n: { x: 1, y: 2 }, add: true });
  });
  it('reports a key changed differently on both sides and keeps mine there', () => {
    const r = merge3({ a: 1 }, { a: 2 }, { a: 3 });
    expect(r.conflicts).toEqual([{ path: ['a'] }]);
    expect(r.merged).toEqual({ a: 2 });
  });
  it('treats arrays as values and merges with no base (both added)', () => {
    expect(merge3(undefined, { l: [1, 2], m: 1 }, { l: [1, 2], t: 1 })).toEqual({ merged: { l: [1, 2], m: 1, t: 1 }, conflicts: [] });
    expect(merge3({ l: [1] }, { l: [1, 2] }, { l: [0, 1] }).conflicts).toEqual([{ path: ['l'] }]);
  });
  it('mergeContents: JSON by key keeps indentation; text via git merge-file; binary is a conflict', async () => {
    const base = Buffer.from('{\n    "a": 1,\n    "b": 1\n}\n');
    const m = await mergeContents('x.json', base, Buffer.from('{\n    "a": 2,\n    "b": 1\n}\n'), Buffer.from('{\n    "b": 1,\n    "a": 1,\n    "c": 3\n}\n'));
    expect(m.clean && m.content.toString()).toBe('{\n    "a": 2,\n    "b": 1,\n    "c": 3\n}\n');
    const t = await mergeContents('x.txt', Buffer.from('1\n2\n3\n4\n5\n'), Buffer.from('one\n2\n3\n4\n5\n'), Buffer.from('1\n2\n3\n4\nfive\n'));
    expect(t.clean && t.content.toString()).toBe('one\n2\n3\n4\nfive\n');
    const c = await mergeContents('x.txt', Buffer.from('1\n'), Buffer.from('a\n'), Buffer.from('b\n'));
    expect(c.clean).toBe(false);
    const b = await mergeContents('x.bin', Buffer.from([0, 1]), Buffer.from([0, 2]), Buffer.from([0, 3]));
    expect(b).toMatchObject({ clean: false, how: 'binary' });
  });
});

describe('conflict copy names', () => {
  const at = new Date(Date.UTC(2026, 10, 22, 3, 4, 5));
  it('follows <name>.conflict-<host>-<YYYYMMDD-HHMMSS>.<ext>', () => {
    expect(conflictCopyName('vscode/settings.json', 'mac-mini', at)).toBe('vscode/settings.conflict-mac-mini-20261122-030405.json');
    expect(conflictCopyName('zsh/.zshrc', 'mac', at)).toBe('zsh/.zshrc.conflict-mac-20261122-030405');
    expect(conflictCopyName('a/Makefile', 'h/ost', at)).toBe('a/Makefile.conflict-h-ost-20261122-030405');
  });
  it('recognises copies and only copies', () => {
    expect(isConflictCopy('vscode/settings.conflict-mac-mini-20261122-030405.json')).toBe(true);
    expect(isConflictCopy('zsh/.zshrc.conflict-mac-20261122-030405')).toBe(true);
    expect(isConflictCopy('zsh/.zshrc')).toBe(false);
    expect(isConflictCopy('notes/conflict-resolution.md')).toBe(false);
  });
});
