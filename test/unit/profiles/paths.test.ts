import { describe, it, expect } from 'vitest';
import {
  expandHome,
  platformPath,
  repoKeyOf,
  resolveProfile,
  liveToRepo,
  repoToLive,
  mapLivePath,
  findProfileForRepoPath,
  findProfileForLivePath,
  validateProfileDefinition,
  ProfileError,
} from '../../../electron/engine/profiles/paths';

const H = '/home/me';
const linux = { home: H, platform: 'linux' as const };

function err(fn: () => unknown): ProfileError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    return e as ProfileError;
  }
  throw new Error('expected a ProfileError');
}

describe('expandHome / platformPath', () => {
  it('expands ~ only at the start', () => {
    expect(expandHome('~', H)).toBe(H);
    expect(expandHome('~/.zshrc', H)).toBe('/home/me/.zshrc');
    expect(expandHome('~/.zshrc', '/home/me/')).toBe('/home/me/.zshrc');
    expect(expandHome('/etc/~/x', H)).toBe('/etc/~/x');
    expect(expandHome('~/AppData/x', 'C:\\Users\\me')).toBe('C:\\Users\\me\\AppData/x');
  });

  it('picks the platform key, else default, else null', () => {
    expect(platformPath('~/.x', 'darwin')).toBe('~/.x');
    const p = { default: '~/.config/a', darwin: '~/Library/a' };
    expect(platformPath(p, 'darwin')).toBe('~/Library/a');
    expect(platformPath(p, 'linux')).toBe('~/.config/a');
    expect(platformPath(p, 'win32')).toBe('~/.config/a');
    expect(platformPath({ darwin: '~/Library/a' }, 'linux')).toBeNull();
    expect(platformPath({ win32: '~/AppData/a' }, 'win32')).toBe('~/AppData/a');
  });
});

describe('repoKeyOf', () => {
  it('is the path relative to home for strings', () => {
    expect(repoKeyOf('~/.zshrc', H)).toBe('.zshrc');
    expect(repoKeyOf('~/.config/nvim/', H)).toBe('.config/nvim');
    expect(repoKeyOf('.config/nvim', H)).toBe('.config/nvim');
    expect(repoKeyOf('~/./.config//nvim', H)).toBe('.config/nvim');
    expect(repoKeyOf('/home/me/.gitconfig', H)).toBe('.gitconfig');
  });

  it('puts absolute paths outside home under _abs/', () => {
    expect(repoKeyOf('/etc/hosts', H)).toBe('_abs/etc/hosts');
    expect(repoKeyOf({ win32: 'C:\\tools\\x.ini' }, 'C:\\Users\\me')).toBe('_abs/C/tools/x.ini');
    expect(repoKeyOf({ win32: 'c:\\Users\\me\\x.ini' }, 'C:\\Users\\me')).toBe('x.ini');
  });

  it('uses the first of default, darwin, linux, win32 — whatever the home', () => {
    const p = { win32: '~/AppData/Roaming/Code/User', linux: '~/.config/Code/User', darwin: '~/Library/Application Support/Code/User' };
    expect(repoKeyOf(p, '/Users/me')).toBe('Library/Application Support/Code/User');
    expect(repoKeyOf(p, '/home/other')).toBe('Library/Application Support/Code/User');
    expect(repoKeyOf({ ...p, default: '~/.config/Code/User' }, 'C:\\Users\\x')).toBe('.config/Code/User');
    expect(repoKeyOf({ win32: '~\\AppData\\Roaming\\x' }, 'C:\\Users\\x')).toBe('AppData/Roaming/x');
  });

  it('uses the non-glob base of a glob', () => {
    expect(repoKeyOf('~/.config/nvim/**/*.lua', H)).toBe('.config/nvim');
    expect(repoKeyOf('~/.config/fish/{functions,conf.d}/*.fish', H)).toBe('.config/fish');
    // parentheses are literal, not extglobs
    expect(repoKeyOf('~/Foo (old)/x', H)).toBe('Foo (old)/x');
  });

  it('refuses empty keys and unsafe paths', () => {
    expect(() => repoKeyOf('~', H)).toThrow(/empty/);
    expect(() => repoKeyOf('~/*.rc', H)).toThrow(/empty/);
    expect(() => repoKeyOf('/', H)).toThrow(/root/);
    expect(() => repoKeyOf('~/../etc', H)).toThrow(/\.\./);
    expect(() => repoKeyOf('~/_abs/x', H)).toThrow(/reserved/);
  });
});

describe('resolveProfile', () => {
  it('resolves plain, directory and glob entries', () => {
    const p = resolveProfile(
      { name: 'nvim', title: 'Neovim', paths: ['~/.vimrc', '~/.config/nvim/', '~/.config/nvim/**/*.lua', '/etc/vim/vimrc.local'] },
      linux,
    );
    expect(p.name).toBe('nvim');
    expect(p.title).toBe('Neovim');
    expect(p.entries).toEqual([
      { key: '.vimrc', abs: '/home/me/.vimrc', glob: null },
      { key: '.config/nvim', abs: '/home/me/.config/nvim', glob: null },
      { key: '.config/nvim', abs: '/home/me/.config/nvim', glob: '**/*.lua' },
      { key: '_abs/etc/vim/vimrc.local', abs: '/etc/vim/vimrc.local', glob: null },
    ]);
    expect(p.unresolved).toEqual([]);
  });

  it('defaults the title to the name', () => {
    expect(resolveProfile({ name: 'x', paths: ['~/.x'] }, linux).title).toBe('x');
  });

  it('lists entries with no path on this platform as unresolved', () => {
    const p = resolveProfile({ name: 'mac', paths: [{ darwin: '~/Library/Preferences/a.plist' }, '~/.a'] }, linux);
    expect(p.entries.map((e) => e.key)).toEqual(['.a']);
    expect(p.unresolved).toEqual(['~/Library/Preferences/a.plist']);
  });

  it('resolves Windows paths on win32 (also when running elsewhere)', () => {
    const p = resolveProfile(
      { name: 'w', paths: [{ default: '~/.config/nvim', win32: '~\\AppData\\Local\\nvim' }, { win32: 'D:\\tools\\cfg' }] },
      { home: 'C:\\Users\\me', platform: 'win32' },
    );
    expect(p.entries).toEqual([
      { key: '.config/nvim', abs: 'C:\\Users\\me\\AppData\\Local\\nvim', glob: null },
      { key: '_abs/D/tools/cfg', abs: 'D:\\tools\\cfg', glob: null },
    ]);
  });

  it.each([
    ['..', '~/../etc/passwd', /"\.\." segments/],
    ['.. in the middle', '~/.config/../../etc', /"\.\." segments/],
    ['NUL', '~/.x\0y', /NUL/],
    ['home itself', '~', /empty|home/],
    ['home itself (slash)', '~/', /empty|home/],
    ['root', '/', /root/],
    ['a glob directly in home', '~/.*rc', /empty|home/],
    ['a parent of home', '/home', /home directory/],
    ['backslash on posix', '~\\.x', /backslash/],
    ['~user', '~root/.ssh', /~user/],
    ['.git', '~/dots/.git/config', /\.git/],
  ])('rejects %s, naming the profile and the entry', (_, bad, msg) => {
    const e = err(() => resolveProfile({ name: 'evil', paths: ['~/.ok', bad] }, linux));
    expect(e.message).toMatch(msg);
    expect(e.message).toContain('profile "evil"');
    expect(e.message).toContain('entry 2');
    expect(e.profile).toBe('evil');
    expect(e.entry).toBe(1);
  });

  it('rejects an object entry whose platform path is unsafe', () => {
    const e = err(() => resolveProfile({ name: 'p', paths: [{ default: '~/.ok', linux: '~/../x' }] }, linux));
    expect(e.message).toMatch(/entry 1.*\.\./);
    // fine on darwin, where the linux path is not used
    expect(() => resolveProfile({ name: 'p', paths: [{ default: '~/.ok', linux: '~/x' }] }, { home: '/Users/me', platform: 'darwin' })).not.toThrow();
  });

  it('treats paths of the other OS family as unresolved', () => {
    expect(resolveProfile({ name: 'p', paths: ['~/.a', { default: 'C:/tools/x' }] }, linux).unresolved).toEqual(['C:/tools/x']);
    expect(resolveProfile({ name: 'p', paths: ['~/.a', '/etc/x'] }, { home: 'C:\\Users\\me', platform: 'win32' }).unresolved).toEqual(['/etc/x']);
  });

  it('rejects the home directory written as an absolute path, and a Windows drive root', () => {
    expect(() => resolveProfile({ name: 'p', paths: ['/home/me'] }, linux)).toThrow(ProfileError);
    expect(() => resolveProfile({ name: 'p', paths: [{ win32: 'C:\\' }] }, { home: 'C:\\Users\\me', platform: 'win32' })).toThrow(/root|empty/);
  });

  it('rejects unsafe names', () => {
    expect(() => resolveProfile({ name: '../x', paths: ['~/.x'] }, linux)).toThrow(/name/);
    expect(() => resolveProfile({ name: 'x.', paths: ['~/.x'] }, linux)).toThrow(/name/);
  });

  it('rejects overlapping entries that would map a file to two repo paths', () => {
    const e = err(() => resolveProfile({ name: 'p', paths: [{ default: '~/.config/a', linux: '~/.config/b' }, '~/.config/b/sub'] }, linux));
    expect(e.message).toMatch(/overlap/);
    // nested entries that agree are fine
    expect(() => resolveProfile({ name: 'p', paths: ['~/.config/fish', '~/.config/fish/functions'] }, linux)).not.toThrow();
  });

  it('turns excludes into absolute globs', () => {
    const p = resolveProfile({ name: 'p', paths: ['~/.a/', '~/.b/'], exclude: ['*.log', 'cache/', 'sub/cache/', '~/.a/secret', '/tmp/x/**'] }, linux);
    expect(p.exclude).toEqual(['**/*.log', '**/cache', '/home/me/.a/sub/cache', '/home/me/.b/sub/cache', '/home/me/.a/secret', '/tmp/x/**']);
  });
});

describe('liveToRepo / repoToLive', () => {
  const def = {
    name: 'dots',
    paths: ['~/.zshrc', '~/.config/app/', '~/.config/nvim/**/*.lua', { default: '~/.config/ed/settings.json', darwin: '~/Library/Ed/settings.json' }, '/etc/dots.conf'],
    exclude: ['*.log', 'cache', '~/.config/app/private'],
  };
  const p = resolveProfile(def, linux);

  it('maps live files to <name>/<key>/<rel>', () => {
    expect(liveToRepo(p, '/home/me/.zshrc')).toBe('dots/.zshrc');
    expect(liveToRepo(p, '/home/me/.config/app/a/b.json')).toBe('dots/.config/app/a/b.json');
    expect(liveToRepo(p, '/home/me/.config/nvim/lua/x.lua')).toBe('dots/.config/nvim/lua/x.lua');
    expect(liveToRepo(p, '/home/me/.config/nvim/init.lua')).toBe('dots/.config/nvim/init.lua');
    expect(liveToRepo(p, '/home/me/.config/ed/settings.json')).toBe('dots/.config/ed/settings.json');
    expect(liveToRepo(p, '/etc/dots.conf')).toBe('dots/_abs/etc/dots.conf');
  });

  it('returns null outside entries, for excluded files and for glob misses', () => {
    expect(liveToRepo(p, '/home/me/.bashrc')).toBeNull();
    expect(liveToRepo(p, '/home/me/.zshrc.bak')).toBeNull();
    expect(liveToRepo(p, '/home/me/.config/nvim/init.vim')).toBeNull();
    expect(liveToRepo(p, '/home/me/.config/nvim')).toBeNull();
    expect(liveToRepo(p, '/home/me/.config/app/x.log')).toBeNull();
    expect(liveToRepo(p, '/home/me/.config/app/cache/a.json')).toBeNull();
    expect(liveToRepo(p, '/home/me/.config/app/private')).toBeNull();
    expect(liveToRepo(p, '/home/me/.config/app/private/k')).toBeNull();
    expect(liveToRepo(p, 'relative/path')).toBeNull();
    expect(liveToRepo(p, '/home/me/.config/app/.git/config')).toBeNull();
  });

  it('normalizes the live path before mapping', () => {
    expect(liveToRepo(p, '/home/me/.config/app/./a//b.json')).toBe('dots/.config/app/a/b.json');
    expect(liveToRepo(p, '/home/me/.config/app/../../.zshrc')).toBe('dots/.zshrc');
  });

  it('round-trips, including odd names', () => {
    for (const live of [
      '/home/me/.zshrc',
      '/home/me/.config/app/a/b.json',
      '/home/me/.config/app/ünïcödé/日本語.txt',
      '/home/me/.config/app/with\nnewline',
      '/home/me/.config/app/sp ace (1) [x] {y}.txt',
      '/home/me/.config/nvim/lua/deep/x.lua',
      '/home/me/.config/ed/settings.json',
      '/etc/dots.conf',
    ]) {
      const repo = liveToRepo(p, live);
      expect(repo, live).not.toBeNull();
      expect(repoToLive(p, repo!)).toBe(live);
    }
  });

  it('is platform-neutral: darwin maps the object entry to the same repo path', () => {
    const mac = resolveProfile(def, { home: '/Users/me', platform: 'darwin' });
    expect(liveToRepo(mac, '/Users/me/Library/Ed/settings.json')).toBe('dots/.config/ed/settings.json');
    expect(repoToLive(mac, 'dots/.config/ed/settings.json')).toBe('/Users/me/Library/Ed/settings.json');
  });

  it.each([
    ['..', 'dots/.config/app/../../../.ssh/id_rsa'],
    ['leading ..', '../dots/.zshrc'],
    ['absolute', '/etc/passwd'],
    ['absolute with name', '/dots/.zshrc'],
    ['a/../../etc/passwd', 'a/../../etc/passwd'],
    ['dots/a/../../etc/passwd', 'dots/.config/app/a/../../etc/passwd'],
    ['backslash', 'dots\\.zshrc'],
    ['backslash traversal', 'dots/.config/app/..\\..\\..\\.ssh\\id_rsa'],
    ['NUL', 'dots/.config/app/a\0b'],
    ['profile/../other', 'dots/../other/.zshrc'],
    ['other profile', 'other/.zshrc'],
    ['drive letter', 'C:/Windows/x'],
    ['. segment', 'dots/./.zshrc'],
    ['empty segment', 'dots//.zshrc'],
    ['trailing slash', 'dots/.config/app/'],
    ['.git', 'dots/.config/app/.git/hooks/post-checkout'],
    ['excluded', 'dots/.config/app/private/k'],
    ['excluded by name', 'dots/.config/app/x.log'],
    ['glob miss', 'dots/.config/nvim/evil.sh'],
    ['unknown key', 'dots/.bashrc'],
    ['name only', 'dots'],
    ['empty', ''],
  ])('repoToLive refuses %s', (_, bad) => {
    expect(repoToLive(p, bad)).toBeNull();
  });

  it('repoToLive refuses Windows tricks on win32', () => {
    const w = resolveProfile(def, { home: 'C:\\Users\\me', platform: 'win32' });
    expect(w.unresolved).toEqual(['/etc/dots.conf']);
    expect(repoToLive(w, 'dots/.config/app/a.json')).toBe('C:\\Users\\me\\.config\\app\\a.json');
    expect(repoToLive(w, 'dots/.config/app/x:stream')).toBeNull();
    expect(repoToLive(w, 'dots/.config/app/C:x')).toBeNull();
    expect(repoToLive(w, 'dots/.config/app/trailing.')).toBeNull();
    expect(repoToLive(w, 'dots/.config/app/a\\..\\..\\x')).toBeNull();
    expect(repoToLive(w, 'dots/.config/app/con<x>')).toBeNull();
  });

  it('works with a home whose path has glob characters', () => {
    const home = '/tmp/we!rd (home) [1] {a,b}';
    const q = resolveProfile({ name: 'q', paths: ['~/.config/q/', '~/.config/nvim/*.lua'], exclude: ['cache/', '~/.config/q/priv'] }, { home, platform: 'linux' });
    expect(liveToRepo(q, `${home}/.config/q/a`)).toBe('q/.config/q/a');
    expect(liveToRepo(q, `${home}/.config/q/cache/a`)).toBeNull();
    expect(liveToRepo(q, `${home}/.config/q/priv`)).toBeNull();
    expect(liveToRepo(q, `${home}/.config/nvim/x.lua`)).toBe('q/.config/nvim/x.lua');
    expect(repoToLive(q, 'q/.config/q/a')).toBe(`${home}/.config/q/a`);
  });

  it('reports unstorable names via mapLivePath', () => {
    const m = mapLivePath(p, '/home/me/.config/app/back\\slash');
    expect(m && 'skip' in m ? m.skip : null).toMatch(/backslash/);
    const g = mapLivePath(p, '/home/me/.config/app/sub/.git/HEAD');
    expect(g && 'skip' in g ? g.skip : null).toMatch(/\.git/);
  });

  it('nested entries give one repo path', () => {
    const n = resolveProfile({ name: 'fish', paths: ['~/.config/fish/', '~/.config/fish/functions/'] }, linux);
    expect(liveToRepo(n, '/home/me/.config/fish/functions/f.fish')).toBe('fish/.config/fish/functions/f.fish');
    expect(repoToLive(n, 'fish/.config/fish/functions/f.fish')).toBe('/home/me/.config/fish/functions/f.fish');
  });
});

describe('finding profiles', () => {
  const a = resolveProfile({ name: 'a', paths: ['~/.a'] }, linux);
  const b = resolveProfile({ name: 'b', paths: ['~/.b/'] }, linux);
  it('by repo path (first segment)', () => {
    expect(findProfileForRepoPath([a, b], 'b/.b/x')).toBe(b);
    expect(findProfileForRepoPath([a, b], 'a/.a')).toBe(a);
    expect(findProfileForRepoPath([a, b], 'c/.c')).toBeNull();
    expect(findProfileForRepoPath([a, b], '.confsync/profiles.json')).toBeNull();
  });
  it('by live path', () => {
    expect(findProfileForLivePath([a, b], '/home/me/.b/x')).toEqual({ profile: b, repo: 'b/.b/x' });
    expect(findProfileForLivePath([a, b], '/home/me/.c')).toBeNull();
  });
});

describe('validateProfileDefinition (machine-independent)', () => {
  it('accepts catalog-like definitions', () => {
    expect(validateProfileDefinition({ name: 'x', paths: ['~/.x', { darwin: '~/Library/x', win32: '~\\AppData\\x' }], exclude: ['*.log'] })).toBeNull();
  });
  it('names the bad entry', () => {
    const e = validateProfileDefinition({ name: 'x', paths: ['~/.x', { default: '~/.y', linux: '~/../z' }] });
    expect(e?.entry).toBe(1);
    expect(e?.message).toMatch(/\.\./);
    expect(validateProfileDefinition({ name: 'x', paths: ['/'] })?.message).toMatch(/root/);
    expect(validateProfileDefinition({ name: 'x', paths: ['~'] })?.message).toMatch(/empty/);
    expect(validateProfileDefinition({ name: 'x', paths: ['~/.x'], exclude: ['a\0'] })?.message).toMatch(/NUL/);
  });
});
