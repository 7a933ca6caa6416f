/**
 * The stat fast path trusts a file whose size and mtime match the snapshot and whose ctime is more
 * than 2 s older than the moment its entry was recorded. For a file this machine sends, the entry was
 * stamped when the commit was made, which can be seconds after the file was read: an edit landing in
 * between that keeps size and mtime (cp -p, rsync -t, touch -r, a 1-second-mtime file system) then
 * looked unchanged for ever and was never sent. The entry is now stamped with the time of the read.
 * The slow pass is a 2.5 s wait at the commit fault point; the edit is made there.
 */
import { describe, it, expect, afterEach, vi } from 'vitest';
import { writeFileSync, utimesSync } from 'node:fs';
import { Machine, bareRemote } from '../helpers/machine.js';
import { startWithDots } from './helpers.js';

const hook = vi.hoisted(() => ({ fn: null as null | ((name: string) => void) }));
vi.mock('../../electron/engine/util/fault.js', () => ({ faultPoint: (name: string) => hook.fn?.(name) }));

const open: Machine[] = [];
afterEach(async () => {
  hook.fn = null;
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const T = 1_700_000_000; // a whole second, put back exactly

describe('an mtime-preserving edit between the read and a slow commit', () => {
  it('reaches the other machine at the next sync', async () => {
    const remote = bareRemote();
    const a = new Machine('alpha', { remote, profiles: ['dots'] });
    open.push(a);
    a.write('dots/f.conf', 'base-0\n');
    await startWithDots(a);
    const b = new Machine('bravo', { remote, profiles: ['dots'] });
    open.push(b);
    await b.open();
    await b.sync();

    a.write('dots/f.conf', 'alpha-1\n');
    utimesSync(a.path('dots/f.conf'), T, T);
    let fired = false;
    hook.fn = (name) => {
      if (name !== 'commit' || fired) return;
      fired = true;
      writeFileSync(a.path('dots/f.conf'), 'alpha-2\n');
      utimesSync(a.path('dots/f.conf'), T, T);
      sleepSync(2500);
    };
    await a.sync();
    expect(fired).toBe(true);
    hook.fn = null;
    await a.sync();
    await b.sync();
    expect(a.repoFile('dots/dots/f.conf')).toBe('alpha-2\n');
    expect(b.read('dots/f.conf')).toBe('alpha-2\n');
  });
});
