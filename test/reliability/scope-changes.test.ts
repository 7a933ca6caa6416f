/**
 * A path that leaves a machine's scope and comes back: its profile turned off or removed, the path
 * excluded or ignored, the profile pointed elsewhere. Nothing that machine did to the file while it was
 * out of scope was synced, so when it comes back a file missing there is no deletion to send: the
 * repo's version arrives instead, and the other machines keep theirs. An edit made meanwhile is still
 * this machine's edit, and a deletion made after the path is back still crosses.
 *
 * Ignored paths are not synced either way, by a full scan as by a watched edit: a file a `.gitignore`
 * or `.confsyncignore` covers is never sent and never applied.
 *
 * Found by a probe of profile changes through the repo (alpha and bravo, distinct hosts): before the
 * fix, each of the first five cases deleted bravo's live files.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { renameSync, symlinkSync } from 'node:fs';
import { Machine, bareRemote } from '../helpers/machine.js';
import { startWithDots, DOTS } from './helpers.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});


/** alpha defines `dots` (two files) and pushes; bravo joins with it enabled. */
async function pair() {
  const remote = bareRemote();
  const a = new Machine('alpha', { remote, profiles: ['dots'] });
  const b = new Machine('bravo', { remote, profiles: ['dots'] });
  open.push(a, b);
  a.write('dots/a.conf', 'a = 1\n');
  a.write('dots/b.conf', 'b = 1\n');
  await startWithDots(a);
  await b.open();
  await b.sync();
  expect(b.read('dots/b.conf')).toBe('b = 1\n');
  return { a, b };
}

const twice = async (m: Machine) => {
  await m.sync();
  await m.sync();
};

describe('a path out of scope and back', () => {
  it('profile off, folder deleted, profile on again: the files come back to alpha and stay on bravo', async () => {
    const { a, b } = await pair();
    await a.invoke('profiles:set-enabled', { name: 'dots', enabled: false });
    await twice(a);
    a.remove('dots');
    await twice(a);
    await a.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await twice(a);
    await twice(b);
    expect(b.read('dots/a.conf')).toBe('a = 1\n');
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
    expect(a.read('dots/a.conf')).toBe('a = 1\n');
    expect(a.read('dots/b.conf')).toBe('b = 1\n');
    expect(a.repoFile('dots/dots/a.conf')).toBe('a = 1\n');
  });

  it('profile removed and defined again after the folder went: nothing deleted on bravo', async () => {
    const { a, b } = await pair();
    await a.invoke('profiles:remove', { name: 'dots' });
    await twice(a);
    a.remove('dots');
    await twice(a);
    await a.invoke('profiles:save', { profile: DOTS });
    await a.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await twice(a);
    await twice(b);
    expect(b.read('dots/a.conf')).toBe('a = 1\n');
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
    expect(a.read('dots/b.conf')).toBe('b = 1\n');
  });

  it('profile pointed at ~/dotfiles (folder renamed), then back at ~/dots without renaming: bravo keeps ~/dots', async () => {
    const { a, b } = await pair();
    await a.invoke('profiles:save', { profile: { name: 'dots', paths: ['~/dotfiles'] } });
    renameSync(a.path('dots'), a.path('dotfiles'));
    await twice(a);
    await twice(b);
    await a.invoke('profiles:save', { profile: DOTS });
    await twice(a);
    await twice(b);
    expect(b.read('dots/a.conf')).toBe('a = 1\n');
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
    expect(a.read('dots/a.conf')).toBe('a = 1\n');
    expect(a.read('dotfiles/a.conf')).toBe('a = 1\n');
  });

  it('an exclude lifted after alpha deleted the excluded file: bravo keeps it, alpha gets it back', async () => {
    const { a, b } = await pair();
    await a.invoke('profiles:save', { profile: { ...DOTS, exclude: ['b.conf'] } });
    await twice(a);
    await twice(b);
    a.remove('dots/b.conf');
    await twice(a);
    await twice(b);
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
    await a.invoke('profiles:save', { profile: { ...DOTS, exclude: [] } });
    await twice(a);
    await twice(b);
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
    expect(a.read('dots/b.conf')).toBe('b = 1\n');
  });

  it('an edit made while the profile was off is alpha’s edit when it comes back on, and a deletion after that crosses', async () => {
    const { a, b } = await pair();
    await a.invoke('profiles:set-enabled', { name: 'dots', enabled: false });
    await twice(a);
    a.write('dots/a.conf', 'a = edited while off\n');
    await a.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await twice(a);
    await twice(b);
    expect(a.read('dots/a.conf')).toBe('a = edited while off\n');
    expect(b.read('dots/a.conf')).toBe('a = edited while off\n');
    // Back in scope: a deletion is a deletion again.
    a.remove('dots/b.conf');
    await twice(a);
    await twice(b);
    expect(b.read('dots/b.conf')).toBeNull();
  });
});

describe('a profile removed by another machine', () => {
  it('bravo is told, keeps its files, and that sync is not called up to date', async () => {
    const { a, b } = await pair();
    await a.invoke('profiles:remove', { name: 'dots' });
    await twice(a);
    const r = await b.sync();
    expect(r.warnings.join('\n')).toMatch(/Profile "dots" was removed from the repo by another machine: its files here stay as they are and are no longer synced/);
    expect(r.message).not.toMatch(/up to date/);
    expect(b.engine.store.getState().activity.some((x) => /Profile "dots" was removed/.test(x.text))).toBe(true);
    expect(b.read('dots/a.conf')).toBe('a = 1\n');
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
  });
});

describe('a machine joining with a folder where the repo has a file', () => {
  it('changes nothing on the established machines; both wait on the joiner, which is told', async () => {
    const { a, b } = await pair();
    const c = new Machine('charlie', { remote: a.opts.remote, profiles: ['dots'] });
    open.push(c);
    c.write('dots/b.conf/inner.conf', 'charlie\n');
    await c.open();
    const r = await c.sync();
    expect(r.skipped.map((k) => k.reason).join('\n')).toMatch(/a folder here where the repo has a file this machine never synced/);
    await twice(a);
    await twice(b);
    for (const m of [a, b]) expect(m.read('dots/b.conf')).toBe('b = 1\n');
    expect(c.read('dots/b.conf/inner.conf')).toBe('charlie\n');
    expect(c.read('dots/a.conf')).toBe('a = 1\n');
    expect(a.repoFile('dots/dots/b.conf')).toBe('b = 1\n');
  });

  it('a machine that synced the file and turned it into a folder still sends the folder', async () => {
    const { a, b } = await pair();
    a.remove('dots/b.conf');
    a.write('dots/b.conf/inner.conf', 'now a folder\n');
    await twice(a);
    await twice(b);
    expect(b.read('dots/b.conf/inner.conf')).toBe('now a folder\n');
  });
});

describe('a profile folder that is a link', () => {
  it('is reported (not "up to date"): the link is synced, the files in its folder are not', async () => {
    const a = new Machine('alpha', { profiles: ['dots'] });
    open.push(a);
    a.write('dotfiles/dots/x.conf', 'x\n');
    symlinkSync('dotfiles/dots', a.path('dots'));
    await a.open();
    await a.invoke('profiles:save', { profile: DOTS });
    const r = await a.sync();
    expect(r.warnings.join('\n')).toMatch(/~\/dots \(profile "dots"\) is a link to the folder ~\/dotfiles\/dots: the link is synced as a link, the files in that folder are not; point the profile at ~\/dotfiles\/dots to sync them/);
    expect(r.message).not.toMatch(/up to date/);
    expect(a.read('dots/x.conf')).toBe('x\n');
  });
});

describe('ignored paths do not cross', () => {
  it('a synced file then named in .confsyncignore: alpha’s edit and deletion stay on alpha', async () => {
    const { a, b } = await pair();
    await a.invoke('ignore:add', { pattern: 'dots/dots/b.conf' });
    await twice(a);
    await twice(b);
    a.write('dots/b.conf', 'b = alpha only\n');
    await twice(a);
    await twice(b);
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
    a.remove('dots/b.conf');
    await twice(a);
    await twice(b);
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
    // The other file still syncs.
    a.write('dots/a.conf', 'a = 2\n');
    await twice(a);
    await twice(b);
    expect(b.read('dots/a.conf')).toBe('a = 2\n');
  });

  it('a .gitignore in the synced folder: a deletion of a file it names does not cross', async () => {
    const { a, b } = await pair();
    a.write('dots/.gitignore', 'b.conf\n');
    await twice(a);
    await twice(b);
    expect(b.read('dots/.gitignore')).toBe('b.conf\n');
    a.remove('dots/b.conf');
    await twice(a);
    await twice(b);
    expect(b.read('dots/b.conf')).toBe('b = 1\n');
  });
});
