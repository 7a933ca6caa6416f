/**
 * Restore and resolve write over a live file: they first commit what is live (so the choice is
 * undoable), but a version that cannot be committed (held: a half-saved file, a secret, over the size
 * limit) is in no history. Writing over it would lose it for good, so the action refuses, names the
 * file and why, and changes nothing. An edit made since a conflict was shown is committed by that first
 * pass; resolving over it refuses once, so the person looks before choosing. A path that became a
 * folder is refused in words, never with a raw EISDIR, and a whole-change restore leaves such files out
 * before it writes anything.
 *
 * Found by a probe of restore and resolve flows (alpha and bravo, distinct hosts): before the fix each
 * held version was overwritten with no error and was then neither live nor in the repo.
 */
import { describe, it, expect, afterEach, vi } from 'vitest';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { Machine, bareRemote, git } from '../helpers/machine.js';
import { startWithDots } from './helpers.js';
import { positiveCorpus } from '../unit/secrets/corpus.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

/** A real-format (generated) AWS access key id: no literal key in this source. */
const AKID = positiveCorpus().find((c) => c.name === 'aws credentials key id')!.secret;

async function alpha(files: Record<string, string>, settings: Record<string, unknown> = {}, remote: string | null = null): Promise<Machine> {
  const a = new Machine('alpha', { remote, profiles: ['dots'], settings });
  open.push(a);
  for (const [rel, content] of Object.entries(files)) a.write(rel, content);
  await startWithDots(a);
  return a;
}

const head = (m: Machine) => git(m.repo, 'rev-parse', 'HEAD').trim();
const everCommitted = (m: Machine, content: string) => git(m.repo, 'log', '--all', '-p', '--format=').includes(content.trim());

describe('restore never overwrites a version that is in no history', () => {
  const cases: { name: string; file: string; held: string; why: RegExp; settings?: Record<string, unknown> }[] = [
    { name: 'a half-saved JSON file', file: 'dots/s.json', held: '{"v": 3, "work": tru\n', why: /JSON/i },
    { name: 'a file with a secret in it', file: 'dots/creds.conf', held: `aws_access_key_id = ${AKID}\n`, why: /secret|key/i },
    { name: 'a file over the size limit', file: 'dots/big.conf', held: `${'x'.repeat(3000)}\n`, why: /limit|large|bytes/i, settings: { sync: { maxFileBytes: 2048 } } },
  ];
  for (const k of cases) {
    it(`${k.name}: refused with the file and the reason; after the file is fixed, restored`, async () => {
      const first = k.file.endsWith('.json') ? '{"v": 1}\n' : 'v = 1\n';
      const a = await alpha({ [k.file]: first }, k.settings);
      const v1 = head(a);
      a.write(k.file, k.file.endsWith('.json') ? '{"v": 2}\n' : 'v = 2\n');
      await a.sync();
      a.write(k.file, k.held);
      const r = await a.sync();
      expect(r.skipped.some((x) => x.unsynced)).toBe(true);
      const before = head(a);
      const repoPath = `dots/${k.file}`;
      const err = await a.invoke('history:restore', { path: repoPath, rev: v1 }).then(() => null, (e: Error) => e.message);
      expect(err).toMatch(/holds changes that cannot be synced/);
      expect(err).toMatch(k.why);
      expect(err).toContain(k.file.split('/').pop()!);
      expect(a.read(k.file)).toBe(k.held);
      expect(head(a)).toBe(before);
      expect(everCommitted(a, k.held)).toBe(false);
      // Fixed (or moved away): the restore goes ahead.
      a.write(k.file, k.file.endsWith('.json') ? '{"v": 4}\n' : 'v = 4\n');
      await a.invoke('history:restore', { path: repoPath, rev: v1 });
      expect(a.read(k.file)).toBe(first);
    });
  }

  it('a whole-change restore leaves the held file and a file that is a folder now out, and restores the rest', async () => {
    const a = await alpha({ 'dots/s.json': '{"v": 1}\n', 'dots/a.conf': 'a = 1\n', 'dots/k': 'k = 1\n' });
    a.write('dots/s.json', '{"v": 2}\n');
    a.write('dots/a.conf', 'a = 2\n');
    a.write('dots/k', 'k = 2\n');
    await a.sync();
    const change = head(a);
    a.write('dots/s.json', '{"v": 3}\n');
    a.write('dots/a.conf', 'a = 3\n');
    a.remove('dots/k');
    mkdirSync(a.path('dots/k'));
    a.write('dots/k/inner.conf', 'inner\n');
    await a.sync();
    a.write('dots/s.json', '{"v": half\n');
    const r = await a.invoke('history:restore-change', { rev: change });
    expect(r.message).toMatch(/a\.conf/);
    expect(r.message).toMatch(/s\.json not restored: it holds changes that cannot be synced/);
    expect(r.message).toMatch(/k not restored: a folder is there now/);
    expect(r.message).not.toMatch(/EISDIR/);
    expect(a.read('dots/a.conf')).toBe('a = 2\n');
    expect(a.read('dots/s.json')).toBe('{"v": half\n');
    expect(a.read('dots/k/inner.conf')).toBe('inner\n');
  });

  it('a single file that is a folder now: refused in words, the folder kept', async () => {
    const a = await alpha({ 'dots/k': 'k = 1\n' });
    const v1 = head(a);
    a.remove('dots/k');
    mkdirSync(a.path('dots/k'));
    a.write('dots/k/inner.conf', 'inner\n');
    await a.sync();
    const err = await a.invoke('history:restore', { path: 'dots/dots/k', rev: v1 }).then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/~\/dots\/k is a folder now; restoring the file there would replace the folder, so nothing was restored/);
    expect(a.read('dots/k/inner.conf')).toBe('inner\n');
  });
});

/** alpha and bravo both change f.conf; bravo finds out and keeps its own at the path, alpha's beside it. */
async function conflicted() {
  const remote = bareRemote();
  const a = await alpha({ 'dots/f.conf': 'base\n' }, {}, remote);
  const b = new Machine('bravo', { remote, profiles: ['dots'] });
  open.push(b);
  await b.open();
  await b.sync();
  a.write('dots/f.conf', 'alpha\n');
  await a.sync();
  b.write('dots/f.conf', 'bravo\n');
  expect((await b.sync()).conflicts).toBe(1);
  expect(b.read('dots/f.conf')).toBe('bravo\n');
  return { a, b };
}

describe('resolve never overwrites a held version, nor an edit made since the conflict was shown', () => {
  it('a held version at the path: "theirs" is refused and the held file stays', async () => {
    const { b } = await conflicted();
    const held = `bravo\naws_access_key_id = ${AKID}\n`;
    b.write('dots/f.conf', held);
    await b.sync();
    const err = await b.invoke('conflicts:resolve', { path: 'dots/dots/f.conf', keep: 'theirs' }).then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/~\/dots\/f\.conf holds changes that cannot be synced .*resolving the conflict would overwrite them/);
    expect(b.read('dots/f.conf')).toBe(held);
    expect(b.engine.store.getState().conflicts).toHaveLength(1);
  });

  it('an edit made since the conflict was shown: refused once, then the person’s second choice stands', async () => {
    const { a, b } = await conflicted();
    b.write('dots/f.conf', 'bravo edited after looking\n');
    const err = await b.invoke('conflicts:resolve', { path: 'dots/dots/f.conf', keep: 'theirs' }).then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/~\/dots\/f\.conf changed since the conflict was shown; sync, then choose again/);
    expect(b.read('dots/f.conf')).toBe('bravo edited after looking\n');
    // The edit is committed now (in history), and the conflict still waits: choosing again goes ahead.
    expect(everCommitted(b, 'bravo edited after looking\n')).toBe(true);
    await b.invoke('conflicts:resolve', { path: 'dots/dots/f.conf', keep: 'theirs' });
    await a.sync();
    expect(b.read('dots/f.conf')).toBe('alpha\n');
    expect(a.read('dots/f.conf')).toBe('alpha\n');
  });
});

describe('a new conflict in the same second as the copy a resolution removed', () => {
  it('gets a copy of its own: both versions live on both machines, the conflict shown', async () => {
    // One frozen wall clock for both machines: every copy name made now carries the same stamp.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-05T10:00:00Z'));
    try {
      const { a, b } = await conflicted();
      await a.sync();
      // bravo edits again; alpha resolves with its own version (removing the copy) in the same second.
      b.write('dots/f.conf', 'bravo fresh\n');
      await a.invoke('conflicts:resolve', { path: 'dots/dots/f.conf', keep: 'mine' });
      expect((await b.sync()).kind).toBe('conflict');
      await a.sync();
      await b.sync();
      const versions = (m: Machine) => {
        const names = git(m.repo, 'ls-tree', '--name-only', 'HEAD', 'dots/dots/').split('\n').filter((n) => n.includes('f.conflict-') || n.endsWith('/f.conf'));
        return names.map((n) => m.read(n.replace(/^dots\//, ''))).sort();
      };
      for (const m of [a, b]) {
        expect(versions(m)).toEqual(['alpha\n', 'bravo fresh\n']);
        expect(m.engine.store.getState().conflicts).toHaveLength(1);
      }
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a restored version keeps its mode', () => {
  it('a version that was private (0600) comes back private, on both machines', async () => {
    const remote = bareRemote();
    const a = new Machine('alpha', { remote, profiles: ['dots'] });
    open.push(a);
    a.write('dots/token.conf', 'token = 1\n');
    chmodSync(a.path('dots/token.conf'), 0o600);
    await startWithDots(a);
    const v1 = head(a);
    const b = new Machine('bravo', { remote, profiles: ['dots'] });
    open.push(b);
    await b.open();
    await b.sync();
    expect(statSync(b.path('dots/token.conf')).mode & 0o777).toBe(0o600);
    // Made public on alpha, then the private version restored.
    a.write('dots/token.conf', 'public = 1\n');
    chmodSync(a.path('dots/token.conf'), 0o644);
    await a.sync();
    await b.sync();
    await a.invoke('history:restore', { path: 'dots/dots/token.conf', rev: v1 });
    await b.sync();
    for (const m of [a, b]) {
      expect(m.read('dots/token.conf')).toBe('token = 1\n');
      expect(statSync(m.path('dots/token.conf')).mode & 0o777).toBe(0o600);
    }
    expect(git(a.repo, 'show', 'HEAD:.confsync/modes.json')).toContain('dots/dots/token.conf');
  });
});
