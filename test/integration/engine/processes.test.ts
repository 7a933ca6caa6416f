/**
 * Git processes are the engine's main cost per edit. A watched edit goes from the file to the remote
 * in at most 8 git processes (today 6: update-index, commit, fetch, rev-list, push, update-ref), and a
 * scheduled sync with nothing to do in at most 2 (today 1: the fetch). Counted through the
 * runner's process events, not timed. `npm run bench` reports the same figure.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Machine, bareRemote, waitFor } from '../../helpers/machine.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('git processes', () => {
  it('a watched edit reaches the remote in at most 8; an idle scheduled sync takes at most 2', async () => {
    const remote = bareRemote();
    const a = new Machine('alpha', { remote, profiles: ['zsh'], watch: true, settings: { sync: { debounceMs: 100, intervalSec: 3600 } } });
    open.push(a);
    a.write('.zshrc', 'v0\n');
    await a.open();
    await waitFor(() => a.engine.store.getState().repo.lastResult?.kind === 'ok', 'first sync');
    for (let i = 1; i <= 3; i++) {
      const seen: string[] = [];
      const off = a.engine.git.onProcess((p) => seen.push(p.args.find((x) => !x.startsWith('-') && !x.includes('=')) ?? '?'));
      let pushed = false;
      const offPushed = a.engine.events.on('pushed', () => (pushed = true));
      a.write('.zshrc', `v${i}\n`);
      await waitFor(() => pushed, `edit ${i} pushed`);
      off();
      offPushed();
      expect(seen.length, `edit ${i}: ${seen.join(', ')}`).toBeLessThanOrEqual(8);
      expect(seen).toContain('push');
    }
    const idle: string[] = [];
    const off = a.engine.git.onProcess((p) => idle.push(p.args.join(' ')));
    const r = await a.engine.syncNow({ reason: 'schedule' });
    off();
    expect(r.kind).toBe('nothing-to-do');
    expect(idle.length, idle.join('\n')).toBeLessThanOrEqual(2);
  });
});
