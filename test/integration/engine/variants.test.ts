/**
 * Machine variants of a whole file (engine/sync/variants.ts), with three machines that have distinct
 * host names: laptop-a (no class), desk-b and vm-c (class "work"), one bare remote. A `.gitconfig` with
 * a work variant converges: each machine has the version meant for it live, edits go back to the
 * variant the machine uses, and nobody's live file changes because another machine made a variant.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Machine, bareRemote, git } from '../../helpers/machine';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

function machine(name: string, remote: string, classes: string[] = []): Machine {
  const m = new Machine(name, { remote, profiles: ['git'], settings: { machine: { classes } } });
  open.push(m);
  return m;
}

const HOME_CFG = '[user]\n\tname = Ann\n\temail = ann@home.example\n';
const WORK_CFG = '[user]\n\tname = Ann\n\temail = ann@work.example\n';

describe('machine variants', () => {
  it('a work variant made on one machine is live on work machines only; edits go back to the variant in use', async () => {
    const remote = bareRemote();
    const a = machine('laptop-a', remote);
    a.write('.gitconfig', HOME_CFG);
    await a.open();
    await a.sync();
    const b = machine('desk-b', remote, ['work']);
    const c = machine('vm-c', remote, ['work']);
    await b.open();
    await b.sync();
    await c.open();
    await c.sync();
    expect(b.read('.gitconfig')).toBe(HOME_CFG);

    // desk-b makes a work variant from its file, then edits it.
    const made = await b.invoke('variants:add', { path: '~/.gitconfig', for: 'class:work' });
    expect(made.message).toContain('.gitconfig##class.work created from the default; this machine uses it from now on');
    expect(b.read('.gitconfig')).toBe(HOME_CFG); // nothing live changed
    b.write('.gitconfig', WORK_CFG);
    await b.sync();
    expect(git(remote, 'show', 'main:git/.gitconfig')).toBe(HOME_CFG);
    expect(git(remote, 'show', 'main:git/.gitconfig##class.work')).toBe(WORK_CFG);

    // laptop-a is not a work machine: its file stays; vm-c is: the work variant becomes live there.
    await a.sync();
    expect(a.read('.gitconfig')).toBe(HOME_CFG);
    await c.sync();
    expect(c.read('.gitconfig')).toBe(WORK_CFG);
    expect(c.engine.store.getState().conflicts).toEqual([]);
    const list = await c.invoke('variants:list', { path: '~/.gitconfig' });
    expect(list.map((v) => [v.path, v.here, v.words])).toEqual([
      ['git/.gitconfig', false, 'the default'],
      ['git/.gitconfig##class.work', true, 'class work'],
    ]);

    // An edit of the default on laptop-a changes no work machine's file.
    a.write('.gitconfig', HOME_CFG + '[core]\n\teditor = vim\n');
    await a.sync();
    await b.sync();
    await c.sync();
    expect(b.read('.gitconfig')).toBe(WORK_CFG);
    expect(c.read('.gitconfig')).toBe(WORK_CFG);
    // vm-c's edit goes to the work variant and arrives on desk-b.
    c.write('.gitconfig', WORK_CFG + '[pull]\n\trebase = true\n');
    await c.sync();
    await b.sync();
    expect(b.read('.gitconfig')).toBe(WORK_CFG + '[pull]\n\trebase = true\n');
    expect(git(remote, 'show', 'main:git/.gitconfig')).toBe(HOME_CFG + '[core]\n\teditor = vim\n');

    // A host variant beats the class: vm-c makes one; desk-b keeps the class variant.
    await c.invoke('variants:add', { path: 'git/.gitconfig', for: 'host:vm-c' });
    c.write('.gitconfig', '[user]\n\tname = vm\n');
    await c.sync();
    await b.sync();
    await a.sync();
    expect(git(remote, 'show', 'main:git/.gitconfig##host.vm-c')).toBe('[user]\n\tname = vm\n');
    expect(b.read('.gitconfig')).toBe(WORK_CFG + '[pull]\n\trebase = true\n');
    expect(a.read('.gitconfig')).toBe(HOME_CFG + '[core]\n\teditor = vim\n');
    for (const m of [a, b, c]) expect(m.engine.store.getState().conflicts).toEqual([]);
  });

  it('bad conditions and unknown paths are errors that say what to type; nothing changes', async () => {
    const remote = bareRemote();
    const a = machine('laptop-a', remote);
    a.write('.gitconfig', HOME_CFG);
    await a.open();
    await a.sync();
    const head = git(remote, 'rev-parse', 'main');
    await expect(a.invoke('variants:add', { path: '~/.gitconfig', for: 'planet:mars' })).rejects.toThrow(/"planet:mars" is not a variant condition; use host:NAME, class:NAME or os:macos\|linux\|windows/);
    await expect(a.invoke('variants:add', { path: '~/.gitconfg', for: 'host:x' })).rejects.toThrow(/did you mean ~\/\.gitconfig\?/);
    await a.invoke('variants:add', { path: '~/.gitconfig', for: 'os:linux' });
    await expect(a.invoke('variants:add', { path: '~/.gitconfig', for: 'os:linux' })).rejects.toThrow(/already exists/);
    expect(a.read('.gitconfig')).toBe(HOME_CFG);
    expect(git(remote, 'rev-parse', 'main')).not.toBe(head); // the one good request was pushed
  });

  it('a variant arriving while this machine has an unsynced edit of the shared file: the edit is merged into the variant, live', async () => {
    const remote = bareRemote();
    const base = '[user]\n\tname = Ann\n\n[core]\n\teditor = vim\n';
    const a = machine('laptop-a', remote, ['work']);
    a.write('.gitconfig', base);
    await a.open();
    await a.sync();
    const b = machine('desk-b', remote, ['work']);
    await b.open();
    await b.sync();
    expect(b.read('.gitconfig')).toBe(base);
    // laptop-a makes a work variant and edits its first lines; desk-b edits the last line meanwhile.
    await a.invoke('variants:add', { path: '~/.gitconfig', for: 'class:work' });
    a.write('.gitconfig', base.replace('name = Ann', 'name = Ann at work'));
    await a.sync();
    b.write('.gitconfig', base.replace('editor = vim', 'editor = nano'));
    await b.sync();
    await a.sync();
    await b.sync();
    const both = '[user]\n\tname = Ann at work\n\n[core]\n\teditor = nano\n';
    expect(b.read('.gitconfig')).toBe(both);
    expect(a.read('.gitconfig')).toBe(both);
  });

  it('a variant nobody edited since it was made, arriving over an unsynced edit: the edit goes into the variant', async () => {
    const remote = bareRemote();
    const base = '[user]\n\tname = Ann\n';
    const a = machine('laptop-a', remote, ['work']);
    a.write('.gitconfig', base);
    await a.open();
    await a.sync();
    const b = machine('desk-b', remote, ['work']);
    await b.open();
    await b.sync();
    await a.invoke('variants:add', { path: '~/.gitconfig', for: 'class:work' });
    await a.sync();
    b.write('.gitconfig', '[user]\n\tname = Ann B\n');
    await b.sync();
    await b.sync();
    await a.sync();
    expect(b.read('.gitconfig')).toBe('[user]\n\tname = Ann B\n');
    expect(a.read('.gitconfig')).toBe('[user]\n\tname = Ann B\n');
  });

  it('a machine that stops being a work machine gets the shared file as it is now, with no conflict', async () => {
    const remote = bareRemote();
    const a = machine('laptop-a', remote);
    a.write('.gitconfig', HOME_CFG);
    await a.open();
    await a.sync();
    const b = machine('desk-b', remote, ['work']);
    await b.open();
    await b.sync();
    await b.invoke('variants:add', { path: '~/.gitconfig', for: 'class:work' });
    b.write('.gitconfig', WORK_CFG);
    await b.sync();
    // The shared file moves on meanwhile (laptop-a is no work machine).
    a.write('.gitconfig', HOME_CFG.replace('Ann', 'Ann A.'));
    await a.sync();
    b.engine.settings.update({ machine: { classes: [] } });
    const r = await b.sync();
    await b.sync();
    expect(r.conflicts).toBe(0);
    expect(b.read('.gitconfig')).toBe(HOME_CFG.replace('Ann', 'Ann A.'));
    expect(b.engine.store.getState().conflicts).toEqual([]);
  });
});
