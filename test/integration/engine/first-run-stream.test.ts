/**
 * A first run sends each new file to the repo's object store as soon as it is read, instead of
 * holding every file's bytes until the commit (the speed issue's "hold no file contents in memory
 * between hashing and commit"). Observed where the two meet: when the last file is read, nearly every
 * other file's blob has already been handed to the BlobWriter (which streams into fast-import). The old
 * pass read all 400 files first and handed over none by then.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Machine, bareRemote, git } from '../../helpers/machine.js';

const { log } = vi.hoisted(() => ({ log: { reads: 0, added: 0, addedAtReads: [] as number[] } }));
vi.mock('../../../electron/engine/mirror/live.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../electron/engine/mirror/live.js')>();
  return {
    ...real,
    readLive: (abs: string, maxBytes: number) => {
      if (abs.includes('/.config/nvim/')) {
        log.reads++;
        log.addedAtReads.push(log.added);
      }
      return real.readLive(abs, maxBytes);
    },
  };
});
vi.mock('../../../electron/engine/git/objects.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../electron/engine/git/objects.js')>();
  class CountingWriter extends real.BlobWriter {
    override add(content: Buffer): Promise<void> {
      log.added++;
      return super.add(content);
    }
  }
  return { ...real, BlobWriter: CountingWriter };
});

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop();
});

describe('first run', () => {
  it('hands each new file to the object store while the pass is still reading', async () => {
    const a = new Machine('alpha', { remote: bareRemote(), profiles: ['neovim'] });
    open.push(a);
    const n = 400;
    for (let i = 0; i < n; i++) a.write(`.config/nvim/lua/m${i}.lua`, `return ${i}\n`);
    await a.open();
    const r = await a.sync();
    expect(r.kind).toBe('ok');
    expect(log.reads).toBeGreaterThanOrEqual(n);
    // Reads run 32 at a time: by the last read, all but those in flight were handed over.
    const atLastRead = log.addedAtReads[n - 1];
    expect(atLastRead).toBeGreaterThanOrEqual(n - 64);
    // And everything arrived in the repo.
    expect(git(a.repo, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter((p) => p.endsWith('.lua'))).toHaveLength(n);
  });
});
