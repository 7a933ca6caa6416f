/**
 * Preview before apply, and joining with a preview: laptop-a has a repo; desk-b (a distinct host)
 * joins it with a `.zshrc` of its own. The preview says per file what joining will do, changes
 * nothing (desk-b still joins the repo's history file by file afterwards), and joining turns on the
 * profiles whose files exist on desk-b while listing the others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Machine, bareRemote, git } from '../../helpers/machine';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('preview and join', () => {
  it('shows what joining will do, changes nothing, then joins turning on the profiles that exist here', async () => {
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote, profiles: ['zsh', 'git'] });
    open.push(a);
    a.write('.zshrc', 'export FROM=a\n');
    a.write('.gitconfig', '[user]\n\tname = Ann\n');
    a.write('.config/Code/User/settings.json', '{}\n');
    await a.open();
    await a.invoke('profiles:save', { profile: { name: 'code', paths: ['~/.config/Code/User/settings.json'] } });
    await a.invoke('profiles:set-enabled', { name: 'code', enabled: true });
    await a.sync();

    const b = new Machine('desk-b', { remote, profiles: [] });
    open.push(b);
    b.write('.zshrc', 'export FROM=b\n');
    b.write('.gitconfig', '[user]\n\tname = Ann\n');
    b.write('.vimrc', 'set nu\n');
    await b.open();
    const headBefore = git(b.repo, 'rev-parse', 'HEAD');
    const p = await b.invoke('sync:preview');
    expect(p.joining).toBe(true);
    expect(p.offline).toBeNull();
    const byName = Object.fromEntries(p.profiles.map((x) => [x.name, x]));
    expect(byName.zsh).toMatchObject({ files: 1, enabled: false, detected: true, willEnable: true });
    expect(byName.git).toMatchObject({ files: 1, willEnable: true });
    expect(byName.code).toMatchObject({ files: 1, detected: false, willEnable: false });
    const incoming = Object.fromEntries(p.incoming.map((i) => [i.path, i]));
    expect(incoming['zsh/.zshrc']).toMatchObject({ live: b.path('.zshrc'), what: 'yours-kept-beside', words: "kept: yours is different, and becomes a conflict copy beside the repo's version" });
    expect(incoming['git/.gitconfig']?.what).toBe('same');
    expect(incoming['code/.config/Code/User/settings.json']).toBeUndefined(); // not here: listed as a profile to turn on
    // Nothing changed: the files, the repo, and the remote.
    expect(b.read('.zshrc')).toBe('export FROM=b\n');
    expect(git(b.repo, 'rev-parse', 'HEAD')).toBe(headBefore);
    expect(git(b.repo, 'for-each-ref', 'refs/remotes')).toBe('');
    expect(b.settings().enabledProfiles).toEqual([]);

    const r = await b.invoke('sync:join');
    expect(r.conflicts).toBe(1);
    expect(b.settings().enabledProfiles).toEqual(['git', 'zsh']);
    expect(b.read('.zshrc')).toBe('export FROM=a\n'); // the repo's version is live, nobody else's file changed
    expect(a.read('.zshrc')).toBe('export FROM=a\n');
    const [c] = b.engine.store.getState().conflicts;
    expect(existsSync(join(b.home, c!.mine.copyPath!.replace(/^zsh\//, '')))).toBe(true); // b's own beside it

    // Afterwards, previews show plain incoming and outgoing changes.
    a.write('.zshrc', 'export FROM=a2\n');
    await a.sync();
    b.write('.gitconfig', '[user]\n\tname = Ann B\n');
    const q = await b.invoke('sync:preview');
    expect(q.joining).toBe(false);
    expect(q.incoming.map((i) => [i.path, i.what])).toEqual([['zsh/.zshrc', 'replaces']]);
    expect(q.outgoing.map((i) => [i.path, i.what])).toContainEqual(['git/.gitconfig', 'changed']);
    expect(b.read('.zshrc')).toBe('export FROM=a\n');
  });

  it('names an unknown profile when joining with a list', async () => {
    const remote = bareRemote();
    const b = new Machine('desk-b', { remote, profiles: [] });
    open.push(b);
    await b.open();
    await expect(b.invoke('sync:join', { profiles: ['zshh'] })).rejects.toThrow(/unknown profile zshh/);
  });

  it('diff: local edits not committed and remote changes not applied, as text; one path; unknown paths named', async () => {
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote, profiles: ['zsh', 'git'] });
    const b = new Machine('desk-b', { remote, profiles: ['zsh', 'git'] });
    open.push(a, b);
    a.write('.zshrc', 'export X=1\n');
    a.write('.gitconfig', '[user]\n\tname = Ann\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync();
    a.write('.zshrc', 'export X=2\n');
    await a.sync();
    b.write('.gitconfig', '[user]\n\tname = Ann B\n');
    const all = await b.invoke('sync:diff');
    expect(all.map((d) => [d.direction, d.path, d.before, d.after])).toEqual([
      ['outgoing', 'git/.gitconfig', '[user]\n\tname = Ann\n', '[user]\n\tname = Ann B\n'],
      ['incoming', 'zsh/.zshrc', 'export X=1\n', 'export X=2\n'],
    ]);
    const one = await b.invoke('sync:diff', { path: '~/.zshrc' });
    expect(one).toHaveLength(1);
    await expect(b.invoke('sync:diff', { path: '~/.zshrcc' })).rejects.toThrow(/did you mean ~\/\.zshrc\?/);
    // Nothing was applied or committed by looking.
    expect(b.read('.zshrc')).toBe('export X=1\n');
    expect(git(remote, 'show', 'main:git/.gitconfig')).toBe('[user]\n\tname = Ann\n');
  });

  it('a machine that ran before it had a remote previews an address without saving it, as a join', async () => {
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote, profiles: ['zsh'] });
    open.push(a);
    a.write('.zshrc', 'export FROM=a\n');
    await a.open();
    await a.sync();
    const c = new Machine('vm-c', { remote: null, profiles: ['zsh'] });
    open.push(c);
    c.write('.zshrc', 'export FROM=c\n');
    c.write('.zprofile', 'export P=c\n');
    await c.open();
    await c.sync(); // committed on its own, no remote: its history shares nothing with the repo's
    const p = await c.invoke('sync:preview', { url: remote, branch: 'main' });
    expect(p.joining).toBe(true);
    expect(p.incoming.map((i) => [i.path, i.what])).toEqual([['zsh/.zshrc', 'yours-kept-beside']]);
    expect(p.outgoing.map((i) => [i.path, i.what])).toEqual([['zsh/.zprofile', 'new']]);
    expect(c.settings().remote.url).toBeNull(); // nothing saved by looking
    const d = await c.invoke('sync:diff', { path: '~/.zshrc', url: remote });
    expect(d.map((x) => [x.direction, x.before, x.after])).toEqual([['incoming', 'export FROM=c\n', 'export FROM=a\n']]);
    // Joining then does what the preview said.
    c.engine.settings.update({ remote: { url: remote, branch: 'main' } });
    const r = await c.invoke('sync:join');
    expect(r.conflicts).toBe(1);
    expect(c.read('.zshrc')).toBe('export FROM=a\n');
    await a.sync();
    expect(a.read('.zprofile')).toBe('export P=c\n'); // what the preview said c would send
  });

  it('joining turns on a profile only the repo defines when its files exist here, and the repo’s version arrives', async () => {
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote, profiles: ['dots'] });
    open.push(a);
    a.write('dots/x.conf', 'x = a\n');
    a.write('dots/same.conf', 'same\n');
    await a.open();
    await a.invoke('profiles:save', { profile: { name: 'dots', paths: ['~/dots'] } });
    await a.sync();
    const c = new Machine('vm-c', { remote, profiles: [] });
    open.push(c);
    c.write('dots/x.conf', 'x = c\n');
    c.write('dots/same.conf', 'same\n');
    await c.open();
    const p = await c.invoke('sync:preview');
    expect(p.profiles.find((x) => x.name === 'dots')).toMatchObject({ willEnable: true });
    const r = await c.invoke('sync:join');
    expect(c.settings().enabledProfiles).toEqual(['dots']);
    expect(r.conflicts).toBe(1);
    expect(c.read('dots/x.conf')).toBe('x = a\n');
    expect(c.read('dots/same.conf')).toBe('same\n');
    await a.sync();
    expect(a.read('dots/x.conf')).toBe('x = a\n');
  });
});
