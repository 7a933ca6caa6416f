/**
 * A restart with nothing changed reads no file's content: every path is settled by its size and
 * mtime against the snapshot (the speed issue's "restart reads no unchanged file"). Reads are
 * counted where every live read ends up (mirror/live.ts readLive), and an edit made while the
 * engine was stopped is the one file read on the next start, so the count can tell the two apart.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Machine, bareRemote } from '../../helpers/machine.js';

const { reads } = vi.hoisted(() => ({ reads: [] as string[] }));
vi.mock('../../../electron/engine/mirror/live.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../electron/engine/mirror/live.js')>();
  return {
    ...real,
    readLive: (abs: string, maxBytes: number) => {
      reads.push(abs);
      return real.readLive(abs, maxBytes);
    },
  };
});

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('restart', () => {
  it('reads no unchanged file; an edit made while stopped is the only file read', async () => {
    const a = new Machine('alpha', { remote: bareRemote(), profiles: ['zsh', 'neovim'] });
    open.push(a);
    a.write('.zshrc', 'export A=1\n');
    for (let i = 0; i < 200; i++) a.write(`.config/nvim/lua/m${i}.lua`, `return ${i}\n`);
    // A file changed within 2 s of being recorded is read again (a same-size save in the same moment
    // would otherwise pass for unchanged, git's "racy clean" case): these were written before that.
    await new Promise((r) => setTimeout(r, 2_200));
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    // The first run read every file.
    expect(reads.filter((p) => p.startsWith(a.home)).length).toBeGreaterThanOrEqual(201);

    reads.length = 0;
    await a.restart();
    const r = await a.sync();
    expect(r.kind).toBe('nothing-to-do');
    expect(reads.filter((p) => p.startsWith(a.home))).toEqual([]);

    // Stopped, one file edited (the same size): only that file is read, and committed.
    await a.stop();
    a.write('.config/nvim/lua/m7.lua', 'return 8\n');
    reads.length = 0;
    await a.open();
    const r2 = await a.sync();
    expect(r2.committed).toBe(1);
    expect(reads.filter((p) => p.startsWith(a.home))).toEqual([a.path('.config/nvim/lua/m7.lua')]);
  });
});
