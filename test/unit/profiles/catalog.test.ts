import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { ProfileDefinition } from '../../../shared/contract';
import { loadCatalog, catalogEntry, parseCatalog } from '../../../electron/engine/profiles/catalog';
import { resolveProfile, liveToRepo, repoToLive } from '../../../electron/engine/profiles/paths';
import { listProfileFiles } from '../../../electron/engine/profiles/scan';
import { tmpHome, put } from './helpers';

const HOMES = { darwin: '/Users/me', linux: '/home/me', freebsd: '/home/me', win32: 'C:\\Users\\me' } as const;

describe('built-in catalog', () => {
  const catalog = loadCatalog();

  it('validates against the contract schema and has at least 30 entries', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(30);
    for (const def of catalog) expect(ProfileDefinition.safeParse(def).success).toBe(true);
  });

  it('has unique lowercase names', () => {
    const names = catalog.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9-]+$/);
  });

  it('includes the required apps', () => {
    const names = new Set(catalog.map((d) => d.name));
    for (const n of [
      'zsh', 'bash', 'fish', 'git', 'ssh', 'vim', 'neovim', 'tmux', 'vscode', 'iterm2', 'karabiner', 'hammerspoon',
      'keyboard-maestro', 'starship', 'alacritty', 'kitty', 'wezterm', 'ghostty', 'helix', 'emacs', 'nano', 'readline',
      'npm', 'curl', 'wget', 'ripgrep', 'htop', 'gnupg', 'aerospace', 'yabai', 'skhd', 'sublime-text', 'zed', 'direnv', 'gh',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('resolves every entry on every platform without errors', () => {
    for (const [platform, home] of Object.entries(HOMES)) {
      for (const def of catalog) {
        expect(() => resolveProfile(def, { home, platform: platform as NodeJS.Platform }), `${def.name} on ${platform}`).not.toThrow();
      }
    }
  });

  it('returns a fresh copy each call', () => {
    const a = loadCatalog();
    a[0].paths.push('~/.mutated');
    expect(loadCatalog()[0].paths).not.toContain('~/.mutated');
  });

  it('rejects broken catalog data with a clear message', () => {
    expect(() => parseCatalog([{ name: 'x', paths: [] }])).toThrow(/catalog is invalid: 0\.paths/);
    expect(() => parseCatalog([{ name: 'Bad Name', paths: ['~/.x'] }])).toThrow(/lowercase/);
    expect(() => parseCatalog([{ name: 'a', paths: ['~/.a'] }, { name: 'a', paths: ['~/.b'] }])).toThrow(/duplicate/);
  });

  it('no catalog entry points at well-known secrets', () => {
    const bad = /(^|\/)(id_[a-z0-9]+|known_hosts|authorized_keys|hosts\.yml|\.git-credentials|credentials(\.toml)?|private-keys-v1\.d|secring\.gpg|pubring\.kbx|\.netrc)$/;
    for (const def of catalog) {
      for (const p of def.paths) {
        for (const s of typeof p === 'string' ? [p] : Object.values(p)) expect(s.replace(/\/$/, ''), def.name).not.toMatch(bad);
      }
    }
  });

  describe('ssh', () => {
    const ssh = catalogEntry('ssh')!;
    it('syncs only ~/.ssh/config', () => {
      expect(ssh.paths).toEqual(['~/.ssh/config']);
      expect(ssh.exclude).toEqual(expect.arrayContaining(['id_*', '*.pem', 'known_hosts*']));
    });

    it('never matches keys or known_hosts', () => {
      const home = '/home/me';
      const p = resolveProfile(ssh, { home, platform: 'linux' });
      expect(liveToRepo(p, '/home/me/.ssh/config')).toBe('ssh/.ssh/config');
      for (const f of ['id_rsa', 'id_ed25519', 'id_ed25519.pub', 'known_hosts', 'known_hosts.old', 'server.pem', 'authorized_keys']) {
        expect(liveToRepo(p, `/home/me/.ssh/${f}`), f).toBeNull();
      }
      // even from a malicious remote
      expect(repoToLive(p, 'ssh/.ssh/id_rsa')).toBeNull();
    });

    it('excludes keys even if the profile is widened to the whole ~/.ssh directory', async () => {
      const home = tmpHome();
      for (const f of ['config', 'id_rsa', 'id_rsa.pub', 'id_ed25519', 'ID_ECDSA', 'known_hosts', 'known_hosts.old', 'deploy.pem']) put(path.join(home, '.ssh', f));
      const p = resolveProfile({ ...ssh, paths: ['~/.ssh/'] }, { home, platform: 'linux' });
      expect(liveToRepo(p, path.join(home, '.ssh/id_rsa'))).toBeNull();
      expect(liveToRepo(p, path.join(home, '.ssh/id_ed25519'))).toBeNull();
      const r = await listProfileFiles(p, { maxFiles: 100, maxFileBytes: 1 << 20 });
      expect(r.files.map((f) => f.repo)).toEqual(['ssh/.ssh/config']);
    });
  });

  it('gnupg syncs only gpg.conf and gpg-agent.conf', async () => {
    const home = tmpHome();
    for (const f of ['gpg.conf', 'gpg-agent.conf', 'pubring.kbx', 'trustdb.gpg', 'private-keys-v1.d/ABC.key', 'dirmngr.conf']) put(path.join(home, '.gnupg', f));
    const p = resolveProfile(catalogEntry('gnupg')!, { home, platform: 'linux' });
    const r = await listProfileFiles(p, { maxFiles: 100, maxFileBytes: 1 << 20 });
    expect(r.files.map((f) => f.repo).sort()).toEqual(['gnupg/.gnupg/gpg-agent.conf', 'gnupg/.gnupg/gpg.conf']);
  });

  it('gh syncs config.yml but never hosts.yml', () => {
    const p = resolveProfile(catalogEntry('gh')!, { home: '/home/me', platform: 'linux' });
    expect(liveToRepo(p, '/home/me/.config/gh/config.yml')).toBe('gh/.config/gh/config.yml');
    expect(liveToRepo(p, '/home/me/.config/gh/hosts.yml')).toBeNull();
  });

  it('vscode maps to the same repo paths on macOS, Linux and Windows', () => {
    const vscode = catalogEntry('vscode')!;
    const mac = resolveProfile(vscode, { home: '/Users/me', platform: 'darwin' });
    const lin = resolveProfile(vscode, { home: '/home/me', platform: 'linux' });
    const win = resolveProfile(vscode, { home: 'C:\\Users\\me', platform: 'win32' });
    const a = liveToRepo(mac, '/Users/me/Library/Application Support/Code/User/settings.json');
    const b = liveToRepo(lin, '/home/me/.config/Code/User/settings.json');
    const c = liveToRepo(win, 'C:\\Users\\me\\AppData\\Roaming\\Code\\User\\settings.json');
    expect(a).not.toBeNull();
    expect(a).toBe(b);
    expect(a).toBe(c);
    const s1 = liveToRepo(mac, '/Users/me/Library/Application Support/Code/User/snippets/ts.json');
    expect(s1).toBe(liveToRepo(lin, '/home/me/.config/Code/User/snippets/ts.json'));
    expect(repoToLive(lin, s1!)).toBe('/home/me/.config/Code/User/snippets/ts.json');
    expect(repoToLive(mac, s1!)).toBe('/Users/me/Library/Application Support/Code/User/snippets/ts.json');
    expect(repoToLive(win, s1!)).toBe('C:\\Users\\me\\AppData\\Roaming\\Code\\User\\snippets\\ts.json');
  });

  it('mac-only apps are unresolved elsewhere', () => {
    const km = catalogEntry('keyboard-maestro')!;
    const mac = resolveProfile(km, { home: '/Users/me', platform: 'darwin' });
    expect(mac.entries[0].abs).toBe('/Users/me/Library/Application Support/Keyboard Maestro/Keyboard Maestro Macros.plist');
    const lin = resolveProfile(km, { home: '/home/me', platform: 'linux' });
    expect(lin.entries).toEqual([]);
    expect(lin.unresolved).toEqual(['~/Library/Application Support/Keyboard Maestro/Keyboard Maestro Macros.plist']);
    const iterm = resolveProfile(catalogEntry('iterm2')!, { home: '/Users/me', platform: 'darwin' });
    expect(iterm.entries.map((e) => e.abs)).toContain('/Users/me/Library/Preferences/com.googlecode.iterm2.plist');
  });

  it('hammerspoon excludes Spoons caches', () => {
    const p = resolveProfile(catalogEntry('hammerspoon')!, { home: '/Users/me', platform: 'darwin' });
    expect(liveToRepo(p, '/Users/me/.hammerspoon/init.lua')).toBe('hammerspoon/.hammerspoon/init.lua');
    expect(liveToRepo(p, '/Users/me/.hammerspoon/Spoons/Foo.spoon/init.lua')).toBe('hammerspoon/.hammerspoon/Spoons/Foo.spoon/init.lua');
    expect(liveToRepo(p, '/Users/me/.hammerspoon/Spoons/Foo.spoon/cache/x.bin')).toBeNull();
  });
});
