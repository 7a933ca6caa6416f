import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIgnoreFilter } from '../../../electron/engine/watch/index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'confsync-ignore-')));
  dirs.push(d);
  return d;
}
function write(p: string, content = ''): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('createIgnoreFilter: built-in noise', () => {
  const f = createIgnoreFilter({ excludes: [] });
  const base = '/home/u/.config/app';

  it.each([
    '.settings.json.swp',
    'x.swo',
    '.x.swn',
    'settings.json~',
    '.#settings.json',
    '#settings.json#',
    'a.tmp',
    'settings.json.tmp.123',
    'settings.json.3735928559', // write-file-atomic temp name
    'settings.json___jb_tmp___',
    'settings.json___jb_old___',
    '.___jb_tmp___',
    '.goutputstream-ABC123',
    '4913',
    '.DS_Store',
    'Thumbs.db',
    '.~lock.doc.odt#',
    '~$report.docx',
  ])('ignores %s', (name) => {
    expect(f.isIgnored(path.join(base, name), false)).toBe(true);
  });

  it.each(['settings.json', '.zshrc', 'init.lua', 'backup.20240101', 'notes.md', 'tmp', 'swp', 'x.swf', 'gitconfig'])(
    'keeps %s',
    (name) => {
      expect(f.isIgnored(path.join(base, name), false)).toBe(false);
    },
  );

  it('ignores node_modules and .git directories and everything below them', () => {
    expect(f.isIgnored(`${base}/node_modules`, true)).toBe(true);
    expect(f.isIgnored(`${base}/node_modules/pkg/index.js`, false)).toBe(true);
    expect(f.isIgnored(`${base}/.git`, true)).toBe(true);
    expect(f.isIgnored(`${base}/.git/config`, false)).toBe(true);
    expect(f.isIgnored(`${base}/sub/.git/HEAD`, undefined)).toBe(true);
  });

  it('can be switched off', () => {
    const off = createIgnoreFilter({ excludes: [], builtin: false });
    expect(off.isIgnored(`${base}/.x.swp`, false)).toBe(false);
    expect(off.isIgnored(`${base}/node_modules/a`, false)).toBe(false);
  });
});

describe('createIgnoreFilter: excludes', () => {
  it('matches absolute picomatch globs with dot:true, and whole excluded directories', () => {
    const f = createIgnoreFilter({
      excludes: ['/home/u/.config/app/Cache', '/home/u/.config/app/**/*.log', '/home/u/.config/app/**/.hidden*'],
    });
    expect(f.isIgnored('/home/u/.config/app/Cache', true)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/Cache/deep/blob.bin', false)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/a/b/x.log', false)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/x.log', false)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/.hiddenthing', false)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/settings.json', false)).toBe(false);
    expect(f.isIgnored('/home/u/.config/app/CacheNot/x', false)).toBe(false);
  });

  it('a trailing slash matches directories only', () => {
    const f = createIgnoreFilter({ excludes: ['/r/**/build/'] });
    expect(f.isIgnored('/r/a/build', true)).toBe(true);
    expect(f.isIgnored('/r/a/build/out.js', false)).toBe(true);
    expect(f.isIgnored('/r/a/build', false)).toBe(false);
  });

  it('an unknown kind is ignored only when ignored either way', () => {
    const f = createIgnoreFilter({ excludes: ['/r/**/build/', '/r/**/*.bak'] });
    expect(f.isIgnored('/r/a/build', undefined)).toBe(false);
    expect(f.isIgnored('/r/a/x.bak', undefined)).toBe(true);
  });
});

describe('createIgnoreFilter: gitignore', () => {
  it('applies explicit ignoreFiles relative to their base', () => {
    const f = createIgnoreFilter({
      excludes: [],
      ignoreFiles: [{ base: '/home/u/.config/app', patterns: ['/top-only.txt', '*.cache', '!keep.cache', 'logs/'] }],
    });
    expect(f.isIgnored('/home/u/.config/app/top-only.txt', false)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/sub/top-only.txt', false)).toBe(false);
    expect(f.isIgnored('/home/u/.config/app/a/b.cache', false)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/a/keep.cache', false)).toBe(false);
    expect(f.isIgnored('/home/u/.config/app/logs', true)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/logs/today', false)).toBe(true);
    expect(f.isIgnored('/home/u/.config/app/logs', false)).toBe(false); // a file named logs
    expect(f.isIgnored('/home/u/.config/other/b.cache', false)).toBe(false); // outside the base
  });

  it('loads .gitignore files from the tree, nested ones relative to their own directory', () => {
    const root = tmp();
    write(path.join(root, '.gitignore'), '# comment\n*.log\nsecret.txt\n');
    write(path.join(root, 'sub', '.gitignore'), '!important.log\n/local.json\n');
    write(path.join(root, 'sub', 'deeper', 'x'), '');
    const f = createIgnoreFilter({ excludes: [], loadGitignoreIn: [root] });
    expect(f.loadedGitignoreFiles().sort()).toEqual([path.join(root, '.gitignore'), path.join(root, 'sub', '.gitignore')]);
    expect(f.isIgnored(path.join(root, 'a.log'), false)).toBe(true);
    expect(f.isIgnored(path.join(root, 'sub', 'b.log'), false)).toBe(true);
    expect(f.isIgnored(path.join(root, 'sub', 'important.log'), false)).toBe(false); // deeper file wins
    expect(f.isIgnored(path.join(root, 'important.log'), false)).toBe(true);
    expect(f.isIgnored(path.join(root, 'sub', 'local.json'), false)).toBe(true);
    expect(f.isIgnored(path.join(root, 'sub', 'deeper', 'local.json'), false)).toBe(false); // anchored
    expect(f.isIgnored(path.join(root, 'local.json'), false)).toBe(false);
    expect(f.isIgnored(path.join(root, 'deep', 'er', 'secret.txt'), false)).toBe(true);
  });

  it('does not descend into ignored directories (their .gitignore files are never read)', () => {
    const root = tmp();
    write(path.join(root, '.gitignore'), 'cache/\n');
    write(path.join(root, 'cache', '.gitignore'), '!*\n');
    write(path.join(root, 'node_modules', 'x', '.gitignore'), 'foo\n');
    write(path.join(root, 'ok', '.gitignore'), 'bar\n');
    const f = createIgnoreFilter({ excludes: [], loadGitignoreIn: [root] });
    expect(f.loadedGitignoreFiles().sort()).toEqual([path.join(root, '.gitignore'), path.join(root, 'ok', '.gitignore')]);
    expect(f.isIgnored(path.join(root, 'cache', 'x.json'), false)).toBe(true);
  });

  it('reload() picks up edited .gitignore files', () => {
    const root = tmp();
    write(path.join(root, '.gitignore'), 'a.txt\n');
    const f = createIgnoreFilter({ excludes: [], loadGitignoreIn: [root] });
    expect(f.isIgnored(path.join(root, 'a.txt'), false)).toBe(true);
    expect(f.isIgnored(path.join(root, 'b.txt'), false)).toBe(false);
    write(path.join(root, '.gitignore'), 'b.txt\n');
    write(path.join(root, 'n', '.gitignore'), 'c.txt\n');
    f.reload();
    expect(f.isIgnored(path.join(root, 'a.txt'), false)).toBe(false);
    expect(f.isIgnored(path.join(root, 'b.txt'), false)).toBe(true);
    expect(f.isIgnored(path.join(root, 'n', 'c.txt'), false)).toBe(true);
  });

  it('stays correct over many distinct paths (bounded caches)', () => {
    const f = createIgnoreFilter({ excludes: [], ignoreFiles: [{ base: '/r', patterns: ['*.o'] }] });
    let ignored = 0;
    for (let i = 0; i < 120_000; i++) if (f.isIgnored(`/r/d${i % 5000}/f${i}.${i % 2 ? 'o' : 'c'}`, false)) ignored++;
    expect(ignored).toBe(60_000);
  });
});
