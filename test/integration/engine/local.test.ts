/**
 * The local half on real temp homes and real git: profiles, catch-up, hashing, commits, bad input.
 * Assertions are on repo contents and commit counts, never on timing.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, lstatSync, readlinkSync, utimesSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, git, recordingGit, waitFor } from '../../helpers/machine.js';
import { LockedError } from '../../../electron/engine/engine.js';
import { openHost } from '../../../electron/host.js';

const open: Machine[] = [];
async function machine(name = 'mac', opts: ConstructorParameters<typeof Machine>[1] = {}) {
  const m = new Machine(name, opts);
  open.push(m);
  return m;
}
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

/** A machine that synced `.zshrc` once and stopped. */
async function syncedAndStopped(content: string): Promise<Machine> {
  const m = await machine();
  m.write('.zshrc', content);
  await m.open();
  await m.sync();
  await m.stop();
  return m;
}

const DOTS = { name: 'dots', paths: ['~/dots'], exclude: ['*.secret-ignored'] };

describe('local sync', () => {
  it('commits the enabled profiles, one commit per pass, with the message template', async () => {
    const m = await machine('alpha', { settings: { sync: { commitTemplate: '{host} saved {count}: {files}' } } });
    m.write('.zshrc', 'export PATH=$HOME/bin:$PATH\n');
    m.write('.gitconfig', '[user]\n  name = Alpha\n');
    m.write('.bashrc', 'not enabled\n');
    await m.open();
    const r = await m.sync();
    expect(r.kind).toBe('local-only');
    expect(r.committed).toBe(2);
    expect(m.repoFile('zsh/.zshrc')).toBe('export PATH=$HOME/bin:$PATH\n');
    expect(m.repoFile('git/.gitconfig')).toContain('name = Alpha');
    expect(m.repoFile('bash/.bashrc')).toBeNull();
    expect(m.commits()[0]).toBe('alpha saved 2: .zshrc, .gitconfig');
    expect(git(m.repo, 'log', '-1', '--format=%B')).toContain('ConfSync-Host: alpha');
  });

  it('makes no commit for a touch or an identical rewrite (hash is the truth)', async () => {
    const m = await machine();
    m.write('.zshrc', 'a\n');
    await m.open();
    await m.sync();
    const n = m.commits().length;
    const future = new Date(Date.now() + 60_000);
    utimesSync(m.path('.zshrc'), future, future);
    await m.sync();
    m.write('.zshrc', 'a\n');
    await m.sync();
    expect(m.commits().length).toBe(n);
    m.write('.zshrc', 'b\n');
    await m.sync();
    expect(m.commits().length).toBe(n + 1);
  });

  it('answers a sync requested during a running sync with a cycle that sees edits made before the request', async () => {
    const m = await machine();
    m.write('.zshrc', 'one\n');
    await m.open();
    const first = m.sync();
    m.write('.zshenv', 'written while the first sync runs\n');
    const second = m.sync();
    const third = m.sync();
    expect(second).not.toBe(first); // a later cycle, not the one already running
    expect(third).toBe(second); // requests made meanwhile share the queued cycle
    await first;
    await second;
    expect(m.repoFile('zsh/.zshenv')).toBe('written while the first sync runs\n');
  });

  it('uses size+mtime as the fast path (files are not re-read), and hashes anything touched', async () => {
    const m = await machine();
    m.write('.zshrc', 'aaaa\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(m.path('.zshrc'), old, old);
    await m.open();
    await m.sync();
    const n = m.commits().length;
    // Untouched: taken as unchanged without reading it, like git's index.
    await m.sync();
    expect(m.commits().length).toBe(n);
    // Same size with the mtime put back (cp -p, rsync -t): git's index also compares ctime, which
    // the edit moved, so it is hashed and committed (never trusted on size+mtime alone).
    m.write('.zshrc', 'bbbb\n');
    utimesSync(m.path('.zshrc'), old, old);
    await m.sync();
    expect(m.repoFile('zsh/.zshrc')).toBe('bbbb\n');
    // Any mtime change makes it hashed again, and the edit is committed.
    m.write('.zshrc', 'cccc\n');
    const later = new Date(Date.now() - 30_000);
    utimesSync(m.path('.zshrc'), later, later);
    await m.sync();
    expect(m.repoFile('zsh/.zshrc')).toBe('cccc\n');
  });

  it('propagates deletions as deletions and keeps file modes', async () => {
    const m = await machine();
    m.write('.zshrc', 'x\n');
    m.write('.zprofile', '#!/bin/sh\n');
    chmodSync(m.path('.zprofile'), 0o755);
    await m.open();
    await m.sync();
    expect(git(m.repo, 'ls-tree', 'HEAD', 'zsh/.zprofile')).toMatch(/^100755 /);
    m.remove('.zshrc');
    await m.sync();
    expect(m.repoFile('zsh/.zshrc')).toBeNull();
    expect(m.repoFile('zsh/.zprofile')).toBe('#!/bin/sh\n');
  });

  it('finds edits made while it was not running (catch-up at start)', async () => {
    const m = await syncedAndStopped('one\n');
    m.write('.zshrc', 'two\n');
    m.write('.zshenv', 'new while stopped\n');
    await m.open();
    await m.sync();
    expect(m.repoFile('zsh/.zshrc')).toBe('two\n');
    expect(m.repoFile('zsh/.zshenv')).toBe('new while stopped\n');
  });

  it('syncs a whole tree 25 levels deep, globs and excludes, with a custom profile', async () => {
    const m = await machine('m', { profiles: [] });
    await m.open();
    let deep = 'dots';
    for (let i = 0; i < 25; i++) deep += `/d${i}`;
    m.write(`${deep}/leaf.conf`, 'deep\n');
    m.write('dots/keep.txt', 'keep\n');
    m.write('dots/x.secret-ignored', 'no\n');
    m.write('dots/.DS_Store', 'noise');
    m.write('dots/edit.swp', 'noise');
    m.write('dots/node_modules/pkg/index.js', 'noise');
    m.write('lua/init.lua', 'vim.o.number = true\n');
    m.write('lua/README.md', 'not matched by the glob\n');
    await m.invoke('profiles:save', { profile: DOTS });
    await m.invoke('profiles:save', { profile: { name: 'lua', paths: ['~/lua/**/*.lua'] } });
    await m.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await m.invoke('profiles:set-enabled', { name: 'lua', enabled: true });
    await m.sync();
    expect(m.repoFile(`dots/${deep}/leaf.conf`)).toBe('deep\n');
    expect(m.repoFile('dots/dots/keep.txt')).toBe('keep\n');
    expect(m.repoFile('dots/dots/x.secret-ignored')).toBeNull();
    expect(m.repoFile('dots/dots/.DS_Store')).toBeNull();
    expect(m.repoFile('dots/dots/edit.swp')).toBeNull();
    expect(m.repoFile('dots/dots/node_modules/pkg/index.js')).toBeNull();
    expect(m.repoFile('lua/lua/init.lua')).toBe('vim.o.number = true\n');
    expect(m.repoFile('lua/lua/README.md')).toBeNull();
    // Profile definitions live in the repo, so every machine shares them.
    expect(JSON.parse(m.repoFile('.confsync/profiles.json')!).profiles.map((p: { name: string }) => p.name)).toEqual(['dots', 'lua']);
  });

  it('honours the shared .confsyncignore', async () => {
    const m = await machine('m', { profiles: [] });
    await m.open();
    m.write('dots/a.conf', 'a');
    m.write('dots/cache/big.bin', 'cache');
    writeFileSync(join(m.repo, '.confsyncignore'), 'dots/dots/cache/\n');
    await m.invoke('profiles:save', { profile: DOTS });
    await m.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await m.sync();
    expect(m.repoFile('dots/dots/a.conf')).toBe('a');
    expect(m.repoFile('dots/dots/cache/big.bin')).toBeNull();
  });

  it('skips files over the size limit with a reason in state, never truncating', async () => {
    const m = await machine('m', { settings: { sync: { maxFileBytes: 1000 } } });
    m.write('.zshrc', 'x'.repeat(5000));
    m.write('.zshenv', 'small\n');
    await m.open();
    await m.sync();
    expect(m.repoFile('zsh/.zshrc')).toBeNull();
    expect(m.repoFile('zsh/.zshenv')).toBe('small\n');
    const st = await m.invoke('state:get');
    expect(st.skipped.some((s) => s.path === m.path('.zshrc') && /larger than/.test(s.reason))).toBe(true);
    expect(m.read('.zshrc')!.length).toBe(5000);
  });

  it('refuses a profile that matches more files than the limit, with a clear message', async () => {
    const m = await machine('m', { profiles: [], settings: { sync: { maxFilesPerProfile: 5 } } });
    await m.open();
    for (let i = 0; i < 8; i++) m.write(`dots/f${i}`, String(i));
    await m.invoke('profiles:save', { profile: DOTS });
    await m.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await m.sync();
    expect(m.repoFile('dots/dots/f0')).toBeNull();
    const st = await m.invoke('state:get');
    expect(st.errors.some((e) => /matches more than 5 files/.test(e.message))).toBe(true);
  });

  it('stores symlinks as links, never following them out of the profile, and survives loops', async () => {
    const m = await machine('m', { profiles: [] });
    await m.open();
    m.write('outside/secret.txt', 'outside\n');
    m.write('dots/real.conf', 'real\n');
    symlinkSync(m.path('outside'), m.path('dots/out-link'));
    symlinkSync('real.conf', m.path('dots/rel-link'));
    mkdirSync(m.path('dots/loop'), { recursive: true });
    symlinkSync('..', m.path('dots/loop/up'));
    await m.invoke('profiles:save', { profile: DOTS });
    await m.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    const r = await m.sync();
    expect(r.kind).toBe('local-only');
    expect(git(m.repo, 'ls-tree', 'HEAD', 'dots/dots/rel-link')).toMatch(/^120000 /);
    expect(m.repoFile('dots/dots/rel-link')).toBe('real.conf');
    // A link into home is stored relative to home, and re-rooted on every machine.
    expect(m.repoFile('dots/dots/out-link')).toBe('~/outside');
    expect(git(m.repo, 'ls-tree', '-r', '--name-only', 'HEAD')).not.toContain('secret.txt');
  });

  it('handles unicode and newline names, binary and empty files', async () => {
    const m = await machine('m', { profiles: [] });
    await m.open();
    m.write('dots/naïve ☃.conf', 'snow\n');
    m.write('dots/line\nbreak', 'nl\n');
    m.write('dots/blob.bin', Buffer.from([0, 1, 2, 255, 0, 7]));
    m.write('dots/empty', '');
    await m.invoke('profiles:save', { profile: DOTS });
    await m.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await m.sync();
    expect(m.repoFile('dots/dots/naïve ☃.conf')).toBe('snow\n');
    const names = git(m.repo, 'ls-tree', '-r', '-z', '--name-only', 'HEAD').split('\0');
    expect(names).toContain('dots/dots/line\nbreak');
    expect(names).toContain('dots/dots/empty');
    expect(Buffer.from(git(m.repo, 'cat-file', '-s', 'HEAD:dots/dots/blob.bin').trim()).toString()).toBe('6');
  });

  it('handles a directory replaced by a file and a pattern matching nothing', async () => {
    const m = await machine('m', { profiles: [] });
    await m.open();
    m.write('dots/thing/a', 'a');
    m.write('dots/thing/b', 'b');
    await m.invoke('profiles:save', { profile: DOTS });
    await m.invoke('profiles:save', { profile: { name: 'nothing', paths: ['~/does-not-exist/**/*.conf'] } });
    await m.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await m.invoke('profiles:set-enabled', { name: 'nothing', enabled: true });
    await m.sync();
    expect(m.repoFile('dots/dots/thing/a')).toBe('a');
    m.remove('dots/thing');
    m.write('dots/thing', 'now a file');
    const r = await m.sync();
    expect(r.kind).toBe('local-only');
    expect(m.repoFile('dots/dots/thing')).toBe('now a file');
    expect(m.repoFile('dots/dots/thing/a')).toBeNull();
  });

  it('rejects a profile path with .. with a clear message', async () => {
    const m = await machine('m', { profiles: [] });
    await m.open();
    await expect(m.invoke('profiles:save', { profile: { name: 'evil', paths: ['~/../etc/passwd'] } })).rejects.toThrow(/\.\./);
  });

  it('reports an unreadable file and keeps going', async () => {
    const m = await machine('m', { profiles: [] });
    await m.open();
    m.write('dots/ok.conf', 'ok');
    m.write('dots/locked.conf', 'locked');
    chmodSync(m.path('dots/locked.conf'), 0o000);
    await m.invoke('profiles:save', { profile: DOTS });
    await m.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    const r = await m.sync();
    expect(m.repoFile('dots/dots/ok.conf')).toBe('ok');
    if (process.getuid?.() === 0) {
      // root reads through mode 000; the EACCES path is covered by the profiles scanner's injected-fs test.
      expect(r.kind).toBe('local-only');
    } else {
      expect(m.repoFile('dots/dots/locked.conf')).toBeNull();
      const st = await m.invoke('state:get');
      expect(st.skipped.some((s) => s.path.endsWith('locked.conf'))).toBe(true);
    }
  });
});

describe('watching (daemon mode)', () => {
  it('commits a watched edit, survives atomic saves and delete+recreate, and flushes on stop', async () => {
    const m = await machine('w', { watch: true, settings: { sync: { debounceMs: 100, maxWaitMs: 1000 } } });
    m.write('.zshrc', 'v1\n');
    await m.open();
    await waitFor(() => m.repoFile('zsh/.zshrc') === 'v1\n', 'initial commit');
    m.write('.zshrc', 'v2\n');
    await waitFor(() => m.repoFile('zsh/.zshrc') === 'v2\n', 'watched edit committed');
    // Once the batch is committed (no remote set) the engine is at rest and says it is safe.
    await waitFor(() => m.engine.store.getState().phase === 'idle' && m.engine.store.getState().safeToShutDown, 'idle and safe to shut down');
    expect(m.engine.store.getState().profiles.find((p) => p.name === 'zsh')?.files).toBe(1);
    // Editor-style atomic save: write a temp file, rename over the target.
    m.write('.zshrc.tmp-save', 'v3\n');
    const { renameSync } = await import('node:fs');
    renameSync(m.path('.zshrc.tmp-save'), m.path('.zshrc'));
    await waitFor(() => m.repoFile('zsh/.zshrc') === 'v3\n', 'atomic save committed');
    m.remove('.zshrc');
    await waitFor(() => m.repoFile('zsh/.zshrc') === null, 'deletion committed');
    m.write('.zshrc', 'v4\n');
    await waitFor(() => m.repoFile('zsh/.zshrc') === 'v4\n', 'recreated file committed');
    // Stop right after an edit: the pending change is flushed, not lost.
    m.write('.zshenv', 'written just before stop\n');
    await new Promise((r) => setTimeout(r, 20));
    await m.stop();
    expect(m.repoFile('zsh/.zshenv')).toBe('written just before stop\n');
    const st = m.engine.store.getState();
    expect(st.watch.commits).toBeGreaterThan(0);
    expect(st.watch.backend).not.toBe('none');
  });

  it('watches a directory that appears later', async () => {
    const m = await machine('w', { profiles: [], watch: true, settings: { sync: { debounceMs: 100, maxWaitMs: 1000 } } });
    await m.open();
    await m.invoke('profiles:save', { profile: DOTS });
    await m.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await new Promise((r) => setTimeout(r, 300));
    m.write('dots/sub/late.conf', 'late\n');
    await waitFor(() => m.repoFile('dots/dots/sub/late.conf') === 'late\n', 'late directory committed');
    // …and it is watched as a tree from then on: a later edit inside it is committed too.
    m.write('dots/sub/late.conf', 'edited later\n');
    m.write('dots/another.conf', 'another\n');
    await waitFor(() => m.repoFile('dots/dots/sub/late.conf') === 'edited later\n' && m.repoFile('dots/dots/another.conf') === 'another\n', 'edits inside the late directory committed');
  });
});

describe('locks and crash leftovers', () => {
  it('refuses a second engine on the same config dir and takes over a dead owner\'s lock', async () => {
    const m = await machine();
    await m.open();
    await expect(openHost({ configDir: m.configDir, home: m.home, version: 't', watch: false })).rejects.toBeInstanceOf(LockedError);
    await m.stop();
    // Simulate a SIGKILLed owner: lock dir present, owner pid dead.
    mkdirSync(join(m.configDir, 'confsync.lock.lock'), { recursive: true });
    writeFileSync(join(m.configDir, 'confsync.lock.owner'), JSON.stringify({ pid: 999_999_9, host: (await import('node:os')).hostname(), at: 0 }));
    await m.open();
    expect(m.engine.store.getState().phase).not.toBe('error');
  });

  it('recovers from a stale index.lock and a repo left mid-merge', async () => {
    const m = await machine();
    m.write('.zshrc', 'base\n');
    await m.open();
    await m.sync();
    await m.stop();
    // Leave the repo mid-merge with a conflict, and a stale index.lock, as a crash would. (Synced files
    // are not in the working tree, a sparse checkout: the conflict is in one of ConfSync's own files.)
    git(m.repo, 'checkout', '-q', '-b', 'side');
    writeFileSync(join(m.repo, '.confsyncignore'), 'side\n');
    git(m.repo, 'add', '.confsyncignore');
    git(m.repo, 'commit', '-qm', 'side');
    git(m.repo, 'checkout', '-q', 'main');
    writeFileSync(join(m.repo, '.confsyncignore'), 'main\n');
    git(m.repo, 'add', '.confsyncignore');
    git(m.repo, 'commit', '-qm', 'main');
    try {
      git(m.repo, 'merge', 'side');
    } catch {
      /* conflict expected */
    }
    expect(existsSync(join(m.repo, '.git/MERGE_HEAD'))).toBe(true);
    writeFileSync(join(m.repo, '.git/index.lock'), '');
    await m.open();
    expect(existsSync(join(m.repo, '.git/MERGE_HEAD'))).toBe(false);
    expect(existsSync(join(m.repo, '.git/index.lock'))).toBe(false);
    m.write('.zshrc', 'after recovery\n');
    const r = await m.sync();
    expect(r.kind).toBe('local-only');
    expect(m.repoFile('zsh/.zshrc')).toBe('after recovery\n');
    expect(lstatSync(m.path('.zshrc')).isFile()).toBe(true);
    void readlinkSync;
  });
});

describe('the repo working tree at start-up', () => {
  const sparseTags = (m: Machine) => git(m.repo, 'ls-files', '-t', '--', 'zsh/.zshrc').trim();

  it('a restart with everything in place runs no sparse-checkout pass', async () => {
    const m = await syncedAndStopped('one\n');
    const calls = await recordingGit(async (calls) => {
      await m.open();
      return calls();
    });
    expect(calls.some((c) => c.startsWith('status'))).toBe(true);
    expect(calls.filter((c) => c.startsWith('sparse-checkout'))).toEqual([]);
    expect(git(m.repo, 'status', '--porcelain')).toBe('');
  });

  it('puts an entry that lost its skip-worktree bit back out of the working tree, the live file untouched', async () => {
    const m = await syncedAndStopped('kept\n');
    expect(sparseTags(m)).toBe('S zsh/.zshrc');
    // A crash between a commit's two index updates leaves the entry without its bit: status shows it deleted.
    git(m.repo, 'update-index', '--no-skip-worktree', 'zsh/.zshrc');
    expect(git(m.repo, 'status', '--porcelain')).toContain(' D zsh/.zshrc');
    await m.open();
    expect(sparseTags(m)).toBe('S zsh/.zshrc');
    expect(git(m.repo, 'status', '--porcelain')).toBe('');
    expect(readFileSync(m.path('.zshrc'), 'utf8')).toBe('kept\n');
    expect(m.repoFile('zsh/.zshrc')).toBe('kept\n');
    const commits = m.commits().length;
    await m.sync();
    expect(m.commits().length).toBe(commits);
  });

  it('takes a synced file checked out into the working tree back out of it', async () => {
    const m = await syncedAndStopped('kept\n');
    // Checked out by hand: the entry is back in the working tree, without its skip-worktree bit.
    git(m.repo, 'update-index', '--no-skip-worktree', 'zsh/.zshrc');
    git(m.repo, 'checkout', '--', 'zsh/.zshrc');
    expect(readFileSync(join(m.repo, 'zsh', '.zshrc'), 'utf8')).toBe('kept\n');
    expect(git(m.repo, 'status', '--porcelain')).toBe('');
    await m.open();
    expect(existsSync(join(m.repo, 'zsh'))).toBe(false);
    expect(sparseTags(m)).toBe('S zsh/.zshrc');
    expect(git(m.repo, 'status', '--porcelain')).toBe('');
    expect(readFileSync(m.path('.zshrc'), 'utf8')).toBe('kept\n');
  });
});
