/**
 * History as a timeline: laptop-a and desk-b (distinct hosts) change files; the timeline lists the
 * changes newest first with host, time and files, filters by profile and path, shows one change's
 * diff, and restores every file of a change (never deleting).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Machine, bareRemote } from '../../helpers/machine';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('history timeline', () => {
  it('lists changes across files, filters, shows a change, and restores a whole change', async () => {
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote, profiles: ['zsh', 'git'] });
    const b = new Machine('desk-b', { remote, profiles: ['zsh', 'git'] });
    open.push(a, b);
    a.write('.zshrc', 'z1\n');
    a.write('.gitconfig', 'g1\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync();
    b.write('.zshrc', 'z2\n');
    b.write('.gitconfig', 'g2\n');
    await b.sync();
    await a.sync();
    a.write('.zshrc', 'z3\n');
    await a.sync();

    const t = await a.invoke('history:timeline');
    expect(t.map((e) => [e.host, e.files.map((f) => `${f.change} ${f.path}`).sort()])).toEqual([
      ['laptop-a', ['modified zsh/.zshrc']],
      ['desk-b', ['modified git/.gitconfig', 'modified zsh/.zshrc']],
      ['laptop-a', ['added git/.gitconfig', 'added zsh/.zshrc']],
    ]);
    expect(new Set(t.map((e) => e.rev)).size).toBe(t.length); // no change listed twice
    expect(t[0]!.files[0]!.live).toBe(a.path('.zshrc'));
    expect((await a.invoke('history:timeline', { profile: 'git' })).map((e) => e.host)).toEqual(['desk-b', 'laptop-a']);
    expect((await a.invoke('history:timeline', { path: '~/.gitconfig' })).length).toBe(2);
    expect((await a.invoke('history:timeline', { limit: 1 })).length).toBe(1);
    expect((await a.invoke('history:timeline', { before: t[0]!.rev })).map((e) => e.rev)).toEqual([t[1]!.rev, t[2]!.rev]);
    await expect(a.invoke('history:timeline', { profile: 'zshh' })).rejects.toThrow(/unknown profile zshh/);

    const ch = await a.invoke('history:change', { rev: t[1]!.rev });
    expect(ch.entry.host).toBe('desk-b');
    expect(ch.files.find((f) => f.path === 'zsh/.zshrc')).toMatchObject({ before: 'z1\n', after: 'z2\n', binary: false });
    await expect(a.invoke('history:change', { rev: 'deadbeef' })).rejects.toThrow(/deadbeef/);

    // Restore desk-b's change: both files go back to its versions, on every machine.
    const r = await a.invoke('history:restore-change', { rev: t[1]!.rev });
    expect(r.message).toContain('2 files restored');
    expect(a.read('.zshrc')).toBe('z2\n');
    expect(a.read('.gitconfig')).toBe('g2\n');
    await b.sync();
    expect(b.read('.zshrc')).toBe('z2\n');
  });

  it('pages through a history with merges without skipping a change', async () => {
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote, profiles: ['zsh', 'git'] });
    const b = new Machine('desk-b', { remote, profiles: ['zsh', 'git'] });
    open.push(a, b);
    a.write('.zshrc', 'z0\n');
    a.write('.gitconfig', 'g0\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync();
    for (let i = 1; i <= 3; i++) {
      a.write('.zshrc', `z${i}\n`);
      b.write('.gitconfig', `g${i}\n`);
      await a.sync();
      await b.sync(); // b merges a's change with its own: a merge commit each round
    }
    await a.sync();
    const all = await a.invoke('history:timeline', { limit: 500 });
    const paged: string[] = [];
    let before: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await a.invoke('history:timeline', { limit: 1, ...(before ? { before } : {}) });
      if (!page.length) break;
      paged.push(page[0]!.rev);
      before = page[0]!.rev;
    }
    expect(paged).toEqual(all.map((e) => e.rev));
    expect(all.filter((e) => e.host === 'desk-b').length).toBeGreaterThanOrEqual(3);
  });

  it('lists both sides of a conflict on a file, even the one the merge did not keep', async () => {
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote, profiles: ['zsh'] });
    const b = new Machine('desk-b', { remote, profiles: ['zsh'] });
    open.push(a, b);
    a.write('.zshrc', 'base\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync();
    a.write('.zshrc', 'alpha edit\n');
    b.write('.zshrc', 'bravo edit\n');
    await a.sync();
    const r = await b.sync();
    expect(r.conflicts).toBe(1);
    await b.invoke('conflicts:resolve', { path: '~/.zshrc', keep: 'mine' });
    const t = await b.invoke('history:timeline', { path: '~/.zshrc' });
    const hosts = t.map((e) => e.host);
    expect(hosts).toContain('laptop-a');
    const texts = await Promise.all(t.map(async (e) => (await b.invoke('history:change', { rev: e.rev })).files.find((f) => f.path === 'zsh/.zshrc')?.after));
    expect(texts).toContain('alpha edit\n');
    expect(texts).toContain('bravo edit\n');
  });
});
