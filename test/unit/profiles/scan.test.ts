import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Stats } from 'node:fs';
import { resolveProfile } from '../../../electron/engine/profiles/paths';
import { listProfileFiles, isDetected, tooLargeReason, type ScanFs } from '../../../electron/engine/profiles/scan';
import { tmpHome, put, isRoot } from './helpers';

const MB = 1024 * 1024;
const opts = { maxFiles: 10_000, maxFileBytes: 10 * MB };

function profile(home: string, paths: (string | Record<string, string>)[], exclude: string[] = [], name = 'p') {
  return resolveProfile({ name, paths, exclude }, { home, platform: process.platform });
}

function errno(code: string, p: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated, '${p}'`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

describe('listProfileFiles', () => {
  it('lists a file once when entries overlap (one inside another, or two globs on one folder)', async () => {
    const home = tmpHome();
    put(path.join(home, 'a', 'top.conf'), '1');
    put(path.join(home, 'a', 'b', 'x.conf'), '2');
    put(path.join(home, 'a', 'b', 'skip.bak'), '3');
    put(path.join(home, 'c', 'k.json'), '{}');
    put(path.join(home, 'c', 'd', 'm.json'), '{}');
    const r = await listProfileFiles(profile(home, ['~/a', '~/a/b', '~/a/b/x.conf', '~/c/*.json', '~/c/**/*.json'], ['*.bak']), opts);
    const repos = r.files.map((f) => f.repo).sort();
    expect(repos).toEqual(['p/a/b/x.conf', 'p/a/top.conf', 'p/c/d/m.json', 'p/c/k.json']);
    expect(new Set(r.files.map((f) => f.abs)).size).toBe(r.files.length);
  });

  it('walks files and nested directories (25 levels deep)', async () => {
    const home = tmpHome();
    put(path.join(home, '.zshrc'), 'export A=1\n');
    let deep = path.join(home, '.config', 'app');
    const segs: string[] = [];
    for (let i = 0; i < 25; i++) {
      segs.push(`d${i}`);
      deep = path.join(deep, `d${i}`);
    }
    put(path.join(deep, 'leaf.txt'), 'leaf');
    put(path.join(home, '.config', 'app', 'top.json'), '{}');
    const r = await listProfileFiles(profile(home, ['~/.zshrc', '~/.config/app/', '~/.missing', '~/.config/none/**/*.x']), opts);
    expect(r.errors).toEqual([]);
    expect(r.tooMany).toBe(false);
    expect(r.files.map((f) => f.repo).sort()).toEqual(['p/.zshrc', `p/.config/app/${segs.join('/')}/leaf.txt`, 'p/.config/app/top.json'].sort());
    const z = r.files.find((f) => f.repo === 'p/.zshrc')!;
    expect(z.abs).toBe(path.join(home, '.zshrc'));
    expect(z.size).toBe(11);
    expect(z.symlink).toBe(false);
    expect(z.mode & 0o600).toBe(0o600);
    expect(z.mtimeMs).toBeGreaterThan(0);
  });

  it('applies globs (with and without **) and excludes', async () => {
    const home = tmpHome();
    const nvim = path.join(home, '.config', 'nvim');
    for (const f of ['init.lua', 'init.vim', 'lua/a.lua', 'lua/deep/b.lua', 'lua/deep/c.txt', '.hidden/d.lua', 'cache/e.lua']) put(path.join(nvim, f));
    for (const f of ['a.conf', 'b.txt', 'sub/c.conf']) put(path.join(home, '.config', 'flat', f));
    const p = profile(home, ['~/.config/nvim/**/*.lua', '~/.config/flat/*.conf'], ['cache']);
    const r = await listProfileFiles(p, opts);
    expect(r.files.map((f) => f.repo).sort()).toEqual(
      ['p/.config/flat/a.conf', 'p/.config/nvim/.hidden/d.lua', 'p/.config/nvim/init.lua', 'p/.config/nvim/lua/a.lua', 'p/.config/nvim/lua/deep/b.lua'].sort(),
    );
  });

  it('never follows symlinks: links are reported as files, loops are harmless', async () => {
    const home = tmpHome();
    const outside = tmpHome('confsync-outside-');
    put(path.join(outside, 'secret.txt'), 'outside');
    put(path.join(outside, 'dir', 'inner.txt'), 'inner');
    const app = path.join(home, '.config', 'app');
    put(path.join(app, 'real.txt'), 'real');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(app, 'link-file'));
    fs.symlinkSync(path.join(outside, 'dir'), path.join(app, 'link-dir'));
    fs.symlinkSync('..', path.join(app, 'loop-up'));
    fs.symlinkSync('self', path.join(app, 'self'));
    fs.mkdirSync(path.join(app, 'a'));
    fs.symlinkSync('../a', path.join(app, 'a', 'cycle'));
    fs.symlinkSync(path.join(outside, 'nope'), path.join(app, 'dangling'));
    // the entry itself is a symlink
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(home, '.linked-rc'));
    // a glob entry whose base is a symlinked dir
    fs.symlinkSync(path.join(outside, 'dir'), path.join(home, '.config', 'globbed'));

    const r = await listProfileFiles(profile(home, ['~/.config/app/', '~/.linked-rc', '~/.config/globbed/**/*.txt']), opts);
    expect(r.errors).toEqual([]);
    const byRepo = Object.fromEntries(r.files.map((f) => [f.repo, f]));
    expect(Object.keys(byRepo).sort()).toEqual(
      ['p/.config/app/a/cycle', 'p/.config/app/dangling', 'p/.config/app/link-dir', 'p/.config/app/link-file', 'p/.config/app/loop-up', 'p/.config/app/real.txt', 'p/.config/app/self', 'p/.linked-rc'].sort(),
    );
    for (const k of Object.keys(byRepo)) expect(byRepo[k].symlink, k).toBe(k !== 'p/.config/app/real.txt');
    expect(r.files.some((f) => f.abs.includes('inner.txt') || f.abs.startsWith(outside))).toBe(false);
    expect(r.skipped).toEqual([{ path: path.join(home, '.config', 'globbed'), reason: expect.stringMatching(/symlink/) }]);
  });

  it('skips files larger than maxFileBytes with a reason, never truncating', async () => {
    const home = tmpHome();
    put(path.join(home, '.app', 'small'), 'x');
    put(path.join(home, '.app', 'big'), Buffer.alloc(MB + 1));
    put(path.join(home, '.app', 'exact'), Buffer.alloc(MB));
    const r = await listProfileFiles(profile(home, ['~/.app/']), { maxFiles: 100, maxFileBytes: MB });
    expect(r.files.map((f) => path.basename(f.abs)).sort()).toEqual(['exact', 'small']);
    expect(r.skipped).toEqual([{ path: path.join(home, '.app', 'big'), reason: 'larger than 1 MB (1 MB); not synced, never truncated (limit: sync.maxFileBytes)' }]);
    expect(tooLargeReason(50 * MB)).toMatch(/^larger than 50 MB;/);
    expect(tooLargeReason(MB / 2)).toMatch(/^larger than 512 KB;/);
    expect(tooLargeReason(4096, 6000)).toMatch(/^larger than 4 KB \(5\.9 KB\);/);
    expect(tooLargeReason(1000)).toMatch(/^larger than 1000 bytes;/);
  });

  it('stops early with tooMany when more than maxFiles match', async () => {
    const home = tmpHome();
    for (let i = 0; i < 30; i++) put(path.join(home, '.many', `f${String(i).padStart(2, '0')}`));
    const exact = await listProfileFiles(profile(home, ['~/.many/']), { maxFiles: 30, maxFileBytes: MB });
    expect(exact.tooMany).toBe(false);
    expect(exact.files).toHaveLength(30);
    const calls: number[] = [];
    const r = await listProfileFiles(profile(home, ['~/.many/']), { maxFiles: 10, maxFileBytes: MB, onProgress: (n) => calls.push(n) });
    expect(r.tooMany).toBe(true);
    expect(r.files).toHaveLength(10);
    expect(calls.at(-1)).toBe(10);
  });

  it('handles unicode and newlines in names, skips .git directories, honours isIgnored', async () => {
    const home = tmpHome();
    const app = path.join(home, '.app');
    put(path.join(app, 'ünïcödé 日本.txt'));
    put(path.join(app, 'new\nline'));
    put(path.join(app, '.git', 'HEAD'));
    put(path.join(app, 'ignored', 'x'));
    put(path.join(app, 'skip.me'));
    const r = await listProfileFiles(profile(home, ['~/.app/']), {
      ...opts,
      isIgnored: (abs, isDir) => (isDir ? path.basename(abs) === 'ignored' : abs.endsWith('.me')),
    });
    expect(r.files.map((f) => f.repo).sort()).toEqual(['p/.app/new\nline', 'p/.app/ünïcödé 日本.txt'].sort());
    expect(r.skipped).toEqual([{ path: path.join(app, '.git'), reason: expect.stringMatching(/git/) }]);
  });

  it('prunes excluded directories and skips files that cannot be stored', async () => {
    const home = tmpHome();
    const app = path.join(home, '.app');
    put(path.join(app, 'keep.txt'));
    put(path.join(app, 'node_modules', 'x', 'index.js'));
    put(path.join(app, 'sub', 'cache', 'blob'));
    if (process.platform !== 'win32') put(path.join(app, 'back\\slash'));
    const r = await listProfileFiles(profile(home, ['~/.app/'], ['node_modules', 'sub/cache']), opts);
    expect(r.files.map((f) => f.repo)).toEqual(['p/.app/keep.txt']);
    if (process.platform !== 'win32') expect(r.skipped).toEqual([{ path: path.join(app, 'back\\slash'), reason: expect.stringMatching(/backslash/) }]);
  });

  it('an entry matching nothing gives an empty list', async () => {
    const home = tmpHome();
    const r = await listProfileFiles(profile(home, ['~/.nothing/**/*.x', '~/.nope']), opts);
    expect(r).toEqual({ files: [], skipped: [], errors: [], tooMany: false });
  });

  it.skipIf(isRoot)('reports unreadable directories (chmod 000) and continues', async () => {
    const home = tmpHome();
    put(path.join(home, '.app', 'ok.txt'));
    put(path.join(home, '.app', 'locked', 'x.txt'));
    fs.chmodSync(path.join(home, '.app', 'locked'), 0o000);
    try {
      const r = await listProfileFiles(profile(home, ['~/.app/']), opts);
      expect(r.files.map((f) => f.repo)).toEqual(['p/.app/ok.txt']);
      expect(r.errors).toEqual([{ path: path.join(home, '.app', 'locked'), message: expect.stringMatching(/permission denied/) }]);
    } finally {
      fs.chmodSync(path.join(home, '.app', 'locked'), 0o755);
    }
  });

  // Root ignores chmod 000, so the EACCES path is (also) tested with an injected fs that fails.
  it('reports EACCES from the fs and continues; files vanishing mid-walk are skipped silently', async () => {
    const home = tmpHome();
    const app = path.join(home, '.app');
    put(path.join(app, 'ok.txt'));
    put(path.join(app, 'locked', 'x.txt'));
    put(path.join(app, 'unreadable-file'));
    put(path.join(app, 'vanishing'));
    put(path.join(app, 'gone-dir', 'y'));
    const real: ScanFs = { lstat: (p) => fs.promises.lstat(p), readdir: (p) => fs.promises.readdir(p) };
    const injected: ScanFs = {
      lstat: async (p): Promise<Stats> => {
        if (p === path.join(app, 'unreadable-file')) throw errno('EACCES', p);
        if (p === path.join(app, 'vanishing')) throw errno('ENOENT', p);
        return real.lstat(p);
      },
      readdir: async (p) => {
        if (p === path.join(app, 'locked')) throw errno('EACCES', p);
        if (p === path.join(app, 'gone-dir')) throw errno('ENOENT', p);
        return real.readdir(p);
      },
    };
    const r = await listProfileFiles(profile(home, ['~/.app/']), { ...opts, fs: injected });
    expect(r.files.map((f) => f.repo)).toEqual(['p/.app/ok.txt']);
    expect([...r.errors].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: path.join(app, 'locked'), message: expect.stringMatching(/permission denied/) },
      { path: path.join(app, 'unreadable-file'), message: expect.stringMatching(/permission denied/) },
    ]);
    expect(r.skipped).toEqual([]);
  });

  it('really vanishing files do not break the walk', async () => {
    const home = tmpHome();
    const app = path.join(home, '.app');
    for (let i = 0; i < 20; i++) put(path.join(app, `f${i}`));
    const real: ScanFs = { lstat: (p) => fs.promises.lstat(p), readdir: (p) => fs.promises.readdir(p) };
    const deleting: ScanFs = {
      lstat: real.lstat,
      readdir: async (p) => {
        const names = await real.readdir(p);
        // delete half of them after they were listed
        for (const n of names.filter((_, i) => i % 2 === 0)) fs.rmSync(path.join(p, n));
        return names;
      },
    };
    const r = await listProfileFiles(profile(home, ['~/.app/']), { ...opts, fs: deleting });
    expect(r.files).toHaveLength(10);
    expect(r.errors).toEqual([]);
  });
});

describe('isDetected', () => {
  it('is true when any entry exists (a glob entry: when something in its folder matches)', async () => {
    const home = tmpHome();
    const ctx = { home, platform: process.platform };
    expect(await isDetected({ name: 'x', paths: ['~/.xrc', '~/.config/x/**/*.toml'] }, ctx)).toBe(false);
    fs.mkdirSync(path.join(home, '.config', 'x', 'sub'), { recursive: true });
    // A folder shared by several apps (JetBrains) is not "detected" for every app's glob.
    put(path.join(home, '.config', 'x', 'sub', 'other.json'));
    expect(await isDetected({ name: 'x', paths: ['~/.xrc', '~/.config/x/**/*.toml'] }, ctx)).toBe(false);
    put(path.join(home, '.config', 'x', 'sub', 'x.toml'));
    expect(await isDetected({ name: 'x', paths: ['~/.xrc', '~/.config/x/**/*.toml'] }, ctx)).toBe(true);
    put(path.join(home, '.yrc'));
    expect(await isDetected({ name: 'y', paths: ['~/.yrc'] }, ctx)).toBe(true);
    expect(await isDetected({ name: 'mac', paths: [{ darwin: '~/.yrc' }] }, { home, platform: 'linux' })).toBe(false);
    expect(await isDetected({ name: 'bad', paths: ['~/../etc'] }, ctx)).toBe(false);
  });
});
