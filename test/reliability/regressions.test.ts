/**
 * Deterministic cases for the engine bugs the randomized and fault suites found, so each stays fixed
 * without waiting for the right seed or the right moment. Each names the suite and fix it came from.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pbkdf2 } from 'node:crypto';
import { Machine, bareRemote, tmp, waitFor } from '../helpers/machine.js';
import { writeLive } from '../../electron/engine/mirror/live.js';
import { GitRunner, classifyGitError, gitMessage } from '../../electron/engine/git/runner.js';
import { blobOid } from '../../electron/engine/snapshot/hash.js';
import { git, reachableObjects } from './helpers.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

async function pair(profiles = ['zsh']) {
  const remote = bareRemote();
  const a = new Machine('alpha', { remote, profiles });
  const b = new Machine('bravo', { remote, profiles });
  open.push(a, b);
  return { remote, a, b };
}

describe('regressions found by the reliability suites', () => {
  it('both machines move the same file to different names: the merge completes and keeps both (model seed 2; git/merge.ts)', async () => {
    const { remote, a, b } = await pair();
    a.write('.zshrc', 'shared content line\nsecond line\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync();
    // Same content, moved away on each side: git's rename detection calls it rename/rename, and the
    // original path has only its base stage in the conflicted index.
    a.remove('.zshrc');
    a.write('.zshenv', 'shared content line\nsecond line\n');
    b.remove('.zshrc');
    b.write('.zprofile', 'shared content line\nsecond line\n');
    expect(['ok', 'nothing-to-do']).toContain((await a.sync()).kind);
    const r = await b.sync();
    expect(['ok', 'conflict'], `${r.kind}: ${r.message} ${r.detail ?? ''}`).toContain(r.kind);
    await a.sync();
    for (const m of [a, b]) {
      expect(m.read('.zshrc')).toBeNull();
      expect(m.read('.zshenv')).toBe('shared content line\nsecond line\n');
      expect(m.read('.zprofile')).toBe('shared content line\nsecond line\n');
    }
    expect(git(remote, 'ls-tree', '-r', '--name-only', 'main')).not.toMatch(/zsh\/\.zshrc\n/);
  });

  it('a delete-vs-modify conflict can be resolved "theirs" after the file is already gone (model seed 13; git/commit.ts)', async () => {
    const { a, b } = await pair();
    a.write('.zshrc', 'base\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync();
    a.remove('.zshrc');
    b.write('.zshrc', 'changed on bravo\n');
    await a.sync();
    const r = await b.sync();
    expect(r.conflicts).toBe(1);
    expect((await b.invoke('state:get')).conflicts[0]).toMatchObject({ path: 'zsh/.zshrc', kind: 'delete-vs-modify' });
    // The person deletes the file by hand, which syncs, and then answers the conflict.
    b.remove('.zshrc');
    await b.sync();
    expect(b.repoFile('zsh/.zshrc')).toBeNull();
    const resolved = await b.invoke('conflicts:resolve', { path: 'zsh/.zshrc', keep: 'theirs' });
    expect(['ok', 'nothing-to-do']).toContain(resolved.kind);
    expect((await b.invoke('state:get')).conflicts).toEqual([]);
    await a.sync();
    expect((await a.invoke('state:get')).conflicts).toEqual([]);
  });

  it('an edit saved while a remote version is being applied is never overwritten (model seeds 28, 34; mirror/live.ts)', async () => {
    // The engine checks the live file, then renames its temp file over it. With the check and the
    // rename as separate libuv jobs, a busy thread pool left the rename waiting in the queue after the
    // check had passed; an edit saved meanwhile was then overwritten. Here the pool is kept busy (as
    // hashing, reads and git I/O do in the engine) and the "editor" saves at a random moment.
    const dir = join(tmp('cs-race-'), 'home');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'settings.conf');
    let generation = 0;
    const hog = (gen: number) => {
      if (gen !== generation) return;
      pbkdf2('x', 'y', 3000, 32, 'sha256', () => hog(gen));
    };
    let lost = 0;
    let moved = 0;
    for (let i = 0; i < 80; i++) {
      const base = Buffer.from(`base ${i}\n`);
      writeFileSync(file, base);
      const mine = `saved by the person ${i}\n`;
      const gen = ++generation;
      for (let k = 0; k < 8; k++) hog(gen);
      const apply = writeLive(file, { kind: 'file', content: Buffer.from(`from the remote ${i}\n`), perm: 0o644 }, blobOid(base));
      await new Promise((r) => setTimeout(r, (i * 7) % 80));
      writeFileSync(file, mine);
      const w = await apply;
      generation++;
      if (w.kind === 'moved') moved++;
      if (readFileSync(file, 'utf8') !== mine) lost++;
      expect(['written', 'moved']).toContain(w.kind);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(lost, `edits overwritten by an apply that had already checked the file (${moved} applies saw the edit in time)`).toBe(0);
    expect(readdirSync(dir).filter((n) => n.includes('.confsync-'))).toEqual([]);
  });

  it('a network git ended by a signal without a word is a failure, classified offline (remote faults; git/runner.ts)', async () => {
    const dir = tmp('cs-sig-');
    git(dir, 'init', '-q');
    // `!` aliases run in a shell whose parent is git: this kills git itself with SIGPIPE, silently,
    // exactly like a push whose connection was reset.
    git(dir, 'config', 'alias.die', '!kill -PIPE $PPID');
    const runner = new GitRunner({ dir });
    const die = ['die'];
    await expect(runner.raw(die, { network: true })).rejects.toThrow(/remote end hung up/);
    const err = await runner.raw(die, { network: true }).catch((e: unknown) => e);
    expect(classifyGitError(err)).toBe('offline');
    expect(gitMessage(err)).toMatch(/ended by a signal/);
  });

  it('temp files a crash left beside live files are removed by the next scan and never committed (crash suite; engine scanAll)', async () => {
    const { remote, a } = await pair();
    a.write('.zshrc', 'one\n');
    await a.open();
    await a.sync();
    // What a kill between "write temp" and "rename" leaves (fault point 'apply'), beside an entry.
    a.write('..zshrc.confsync-0123abcd.tmp', 'half-applied\n');
    // Names that are not our temps of a synced file belong to the person and stay.
    a.write('..zshrc.confsync-old.tmp', 'x');
    a.write('.other.confsync-0123abcd.tmp', 'y');
    a.write('.zshrc', 'two\n');
    const r = await a.sync();
    expect(r.kind).toBe('ok');
    expect(existsSync(a.path('..zshrc.confsync-0123abcd.tmp'))).toBe(false);
    expect(git(remote, 'ls-tree', '-r', '--name-only', 'main')).not.toContain('confsync-');
    expect(reachableObjects(remote, 'main').has(blobOid(Buffer.from('half-applied\n')))).toBe(false);
    expect(a.read('..zshrc.confsync-old.tmp')).toBe('x');
    expect(a.read('.other.confsync-0123abcd.tmp')).toBe('y');
  });

  it('a profile that arrives with a merge is watched at once, without a restart (model set-up; engine syncCycle)', async () => {
    const remote = bareRemote();
    const a = new Machine('alpha', { remote, profiles: ['dots'] });
    const b = new Machine('bravo', { remote, profiles: ['dots'], watch: true, settings: { sync: { debounceMs: 50, maxWaitMs: 200, intervalSec: 3600 } } });
    open.push(a, b);
    mkdirSync(a.path('dots'), { recursive: true });
    mkdirSync(b.path('dots'), { recursive: true });
    await a.open();
    await a.invoke('profiles:save', { profile: { name: 'dots', paths: ['~/dots'] } });
    await a.sync();
    await b.open();
    await b.sync();
    b.write('dots/watched.conf', 'seen by the watcher\n');
    await waitFor(() => b.repoFile('dots/dots/watched.conf') === 'seen by the watcher\n', 'watched edit committed', 30_000);
  });

  it('a profile defined or changed on this machine is watched at once (model seed 68; ProfileSet onReload)', async () => {
    const m = new Machine('definer', { remote: bareRemote(), profiles: ['dots'], watch: true, settings: { sync: { debounceMs: 50, maxWaitMs: 200, intervalSec: 3600 } } });
    open.push(m);
    mkdirSync(m.path('dots'), { recursive: true });
    mkdirSync(m.path('more'), { recursive: true });
    await m.open();
    await m.invoke('profiles:save', { profile: { name: 'dots', paths: ['~/dots'] } });
    await m.sync();
    m.write('dots/first.conf', 'watched\n');
    await waitFor(() => m.repoFile('dots/dots/first.conf') === 'watched\n', 'edit under a profile defined here committed by the watcher', 30_000);
    // The profile gains a path: its files are watched as well.
    await m.invoke('profiles:save', { profile: { name: 'dots', paths: ['~/dots', '~/more'] } });
    await m.sync();
    m.write('more/second.conf', 'watched too\n');
    await waitFor(() => m.repoFile('dots/more/second.conf') === 'watched too\n', 'edit under an added path committed by the watcher', 30_000);
  });
});

