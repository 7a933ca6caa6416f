/** A remote replaced by another is used at once, not at the next scheduled sync; a first remote waits for the setup flow's join. */
import { afterEach, describe, expect, it } from 'vitest';
import { Machine, bareRemote, git, waitFor } from '../../helpers/machine';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('saving a remote', () => {
  it('a remote replaced by another gets what this machine has right away; a fresh repo waits for its join preview', async () => {
    const old = bareRemote();
    const remote = bareRemote();
    const a = new Machine('laptop-a', { remote: old, profiles: ['zsh'], settings: { sync: { intervalSec: 86_400 } } });
    open.push(a);
    a.write('.zshrc', 'x\n');
    await a.open();
    await a.sync();
    a.engine.settings.update({ remote: { url: remote, branch: 'main' } });
    await waitFor(() => {
      try {
        return git(remote, 'show', 'main:zsh/.zshrc') === 'x\n';
      } catch {
        return false;
      }
    }, 'the remote has laptop-a\'s files', 30_000);

    // desk-b has never synced: saving the address does not join behind the person's back.
    const b = new Machine('desk-b', { remote: null, profiles: ['zsh'], settings: { sync: { intervalSec: 86_400 } } });
    open.push(b);
    b.write('.zshrc', 'mine\n');
    await b.open();
    b.engine.settings.update({ remote: { url: remote, branch: 'main' } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(b.read('.zshrc')).toBe('mine\n');
    expect(git(b.repo, 'for-each-ref', 'refs/remotes')).toBe('');
  });
});
