import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffSnapshots, walkTree } from '../../../electron/engine/watch/index.js';
import { DIR_SIG, sigOf } from '../../../electron/engine/watch/walk.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'confsync-walk-')));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('walkTree', () => {
  it('records files and directories relative to the root, skipping ignored ones without descending', async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'a', 'b', 'f.txt'), 'x');
    fs.mkdirSync(path.join(root, 'skip', 'inner'), { recursive: true });
    fs.writeFileSync(path.join(root, 'skip', 'inner', 'g'), 'y');
    const asked: string[] = [];
    const snap = await walkTree(root, {
      isIgnored: (p) => {
        asked.push(p);
        return path.basename(p) === 'skip';
      },
    });
    expect([...snap.keys()].sort()).toEqual(['', 'a', 'a/b', 'a/b/f.txt']);
    expect(snap.get('a')).toBe(DIR_SIG);
    expect(snap.get('a/b/f.txt')).toBeGreaterThanOrEqual(0);
    expect(asked.some((p) => p.includes(`${path.sep}skip${path.sep}`))).toBe(false);
  });

  it('does not follow symlinks (a loop terminates) and reports links as entries', async () => {
    const root = tmp();
    const outside = tmp();
    fs.writeFileSync(path.join(outside, 'secret'), 's');
    fs.mkdirSync(path.join(root, 'd'));
    fs.symlinkSync('..', path.join(root, 'd', 'loop'));
    fs.symlinkSync(outside, path.join(root, 'out'));
    const snap = await walkTree(root, { isIgnored: () => false });
    expect([...snap.keys()].sort()).toEqual(['', 'd', 'd/loop', 'out']);
    expect(snap.get('out')).not.toBe(DIR_SIG);
  });

  it('returns an empty snapshot for a missing root', async () => {
    const snap = await walkTree(path.join(tmp(), 'nope'), { isIgnored: () => false });
    expect(snap.size).toBe(0);
  });
});

describe('diffSnapshots', () => {
  it('reports adds, changes, deletions and kind changes', () => {
    const prev = new Map<string, number>([
      ['', DIR_SIG],
      ['keep', 1],
      ['mod', 2],
      ['gone', 3],
      ['olddir', DIR_SIG],
      ['flip', 4],
    ]);
    const next = new Map<string, number>([
      ['', DIR_SIG],
      ['keep', 1],
      ['mod', 22],
      ['new', 5],
      ['newdir', DIR_SIG],
      ['flip', DIR_SIG],
    ]);
    const evs = diffSnapshots('/r', prev, next).map((e) => `${e.type} ${e.path}`);
    expect(evs.sort()).toEqual(
      ['unlink /r/gone', 'unlinkDir /r/olddir', 'unlink /r/flip', 'addDir /r/flip', 'change /r/mod', 'add /r/new', 'addDir /r/newdir'].sort(),
    );
  });

  it('sig changes with mtime, size or inode', () => {
    const a = sigOf({ mtimeMs: 1_700_000_000_123.456, size: 10, ino: 5 });
    expect(sigOf({ mtimeMs: 1_700_000_000_123.457, size: 10, ino: 5 })).not.toBe(a);
    expect(sigOf({ mtimeMs: 1_700_000_000_123.456, size: 11, ino: 5 })).not.toBe(a);
    expect(sigOf({ mtimeMs: 1_700_000_000_123.456, size: 10, ino: 6 })).not.toBe(a);
    expect(Number.isSafeInteger(sigOf({ mtimeMs: 4e12, size: 2 ** 40, ino: 2 ** 50 }))).toBe(true);
  });
});
