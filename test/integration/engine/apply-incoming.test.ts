/**
 * "Ask before applying" (sync.applyIncoming: 'ask'): changes from other machines wait for a review.
 * laptop-a and desk-b (distinct hosts) share a bare remote; desk-b asks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Machine, bareRemote, git } from '../../helpers/machine';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('ask before applying', () => {
  it('holds arriving changes with a count, keeps this machine\'s edits, and applies them all when approved', async () => {
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote, profiles: ['zsh', 'git'] });
    const b = new Machine('desk-b', { remote, profiles: ['zsh', 'git'], settings: { sync: { applyIncoming: 'ask' } } });
    open.push(a, b);
    a.write('.zshrc', 'v1\n');
    a.write('.gitconfig', 'g1\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync(); // joining applies the repo's files (the person chose to join)
    expect(b.read('.zshrc')).toBe('v1\n');

    a.write('.zshrc', 'v2\n');
    a.write('.gitconfig', 'g2\n');
    await a.sync();
    b.write('.vimrc', 'ignored by profiles\n');
    const r = await b.sync();
    expect(r.kind).toBe('waiting');
    expect(r.message).toBe('2 changes from other machines waiting for your review (apply them with Review → Apply, or `confsync sync --apply`)');
    expect(b.engine.store.getState().repo.incomingWaiting).toBe(2);
    expect(b.read('.zshrc')).toBe('v1\n');
    // The review shows them; nothing is applied by looking.
    const p = await b.invoke('sync:preview');
    expect(p.incoming.map((i) => [i.path, i.what]).sort()).toEqual([['git/.gitconfig', 'replaces'], ['zsh/.zshrc', 'replaces']]);
    // This machine's own edit is committed meanwhile, and waits to be sent with the approved sync.
    b.write('.gitconfig', 'g1\n[b]\n');
    const held = await b.sync();
    expect(held.kind).toBe('waiting');
    expect(git(b.repo, 'log', '-1', '--format=%s')).toContain('.gitconfig');

    const applied = await b.invoke('sync:now', { apply: true });
    expect(applied.kind).toBe('conflict'); // .gitconfig changed on both: both kept
    expect(b.read('.zshrc')).toBe('v2\n');
    expect(b.engine.store.getState().repo.incomingWaiting).toBe(0);
    await a.sync();
    expect(a.read('.zshrc')).toBe('v2\n');
  });
});
