import { describe, it, expect } from 'vitest';
import path from 'node:path';
import picomatch from 'picomatch';
import { ProfileDefinition } from '../../../shared/contract';
import { loadCatalog, catalogEntry, parseCatalog } from '../../../electron/engine/profiles/catalog';
import { resolveProfile, liveToRepo, repoToLive, platformPath, type ResolvedProfile } from '../../../electron/engine/profiles/paths';
import { listProfileFiles } from '../../../electron/engine/profiles/scan';
import { tmpHome, put } from './helpers';

const HOMES = { darwin: '/Users/me', linux: '/home/me', freebsd: '/home/me', win32: 'C:\\Users\\me' } as const;

describe('built-in catalog', () => {
  const catalog = loadCatalog();

  it('validates against the contract schema', () => {
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
    expect(() => parseCatalog([{ name: 'a', paths: ['~/.a'], applyWhen: 'app-quit' }])).toThrow(/applyWhen but no app/);
    expect(() => parseCatalog([{ name: 'a', paths: ['~/.a'], ignoreKeys: ['NSWindow Frame ['] }])).toThrow(/invalid glob/);
    expect(() => parseCatalog([{ name: 'a', paths: ['~/.a'], localKeys: [' '] }])).toThrow(/invalid glob/);
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

// ---------------------------------------------------------------------------------------------
// The catalog's breadth and consistency (issue: grow the catalog towards Mackup's breadth).

type Plat = 'darwin' | 'linux' | 'win32';
const FAKE_HOMES: Record<Plat, string> = { darwin: '/Users/u', linux: '/home/u', win32: 'C:\\Users\\u' };
const PLATS = Object.keys(FAKE_HOMES) as Plat[];

/** The platforms an entry claims: all of them for a plain string or a `default`, else its own keys. */
function claimedPlatforms(def: ProfileDefinition): Plat[] {
  const out = new Set<Plat>();
  for (const p of def.paths) {
    if (typeof p === 'string' || p.default) PLATS.forEach((x) => out.add(x));
    else for (const k of PLATS) if (p[k]) out.add(k);
  }
  return [...out];
}

/** Expands `{a,b}` alternatives (not nested), then turns wildcards into sample characters. */
function samplePaths(glob: string): string[] {
  const m = /\{([^{}]*)\}/.exec(glob);
  if (m) return m[1].split(',').flatMap((alt) => samplePaths(glob.slice(0, m.index) + alt + glob.slice(m.index + m[0].length)));
  return [glob.replace(/\*\*/g, 'x/y').replace(/\*/g, 'x').replace(/\?/g, 'x').replace(/\[[^\]]*\]/g, 'x')];
}

/** Forward-slash path, lower-cased on Windows (where paths are case-insensitive). */
function norm(p: string, plat: Plat): string {
  const s = plat === 'win32' ? p.replace(/\\/g, '/') : p;
  return plat === 'win32' ? s.toLowerCase() : s;
}

function inside(parent: string, child: string): string | null {
  if (parent === child) return '';
  return child.startsWith(`${parent}/`) ? child.slice(parent.length + 1) : null;
}

/** Why two resolved entries (of different profiles) can claim the same file, or null. */
function overlap(a: ResolvedProfile['entries'][number], b: ResolvedProfile['entries'][number], plat: Plat): string | null {
  const A = norm(a.abs, plat);
  const B = norm(b.abs, plat);
  const opts = { dot: true, nocase: plat === 'win32' };
  if (!a.glob && !b.glob) {
    if (A === B) return 'same path';
    if (inside(A, B) !== null || inside(B, A) !== null) return 'one inside the other';
    return null;
  }
  if (a.glob && b.glob) {
    if (A !== B) {
      // Different bases: only a sample of the deeper one's glob can tell.
      const [outer, inner] = inside(A, B) !== null ? [a, b] : inside(B, A) !== null ? [b, a] : [null, null];
      if (!outer || !inner) return null;
      const rel = inside(norm(outer.abs, plat), norm(inner.abs, plat))!;
      const m = picomatch(outer.glob!, opts);
      return samplePaths(inner.glob!).some((s) => m(`${rel}/${s}`)) ? 'globs overlap' : null;
    }
    const ma = picomatch(a.glob, opts);
    const mb = picomatch(b.glob, opts);
    return samplePaths(a.glob).some((s) => mb(s)) || samplePaths(b.glob).some((s) => ma(s)) ? 'globs overlap' : null;
  }
  const [g, f] = a.glob ? [a, b] : [b, a];
  const G = norm(g.abs, plat);
  const F = norm(f.abs, plat);
  if (inside(F, G) !== null) return 'a glob inside the other entry';
  const rel = inside(G, F);
  if (rel === null) return null;
  const m = picomatch(g.glob!, opts);
  return rel === '' || m(rel) || m(`${rel}/x`) || m(`${rel}/x/y`) ? 'a path the glob matches' : null;
}

describe('catalog breadth and consistency', () => {
  const catalog = loadCatalog();

  it('`confsync catalog --json` lists at least 150 entries, including the apps the issue names', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(150);
    const names = new Set(catalog.map((d) => d.name));
    for (const n of [
      'alfred', 'raycast', 'bettertouchtool', 'rectangle', 'moom', 'bartender', 'typinator', 'textexpander', 'sublime-merge',
      'fork', 'tower', 'xcode', 'zed', 'warp', 'ghostty', 'kitty', 'wezterm', 'alacritty', 'starship', 'fish', 'atuin', 'direnv',
      // JetBrains IDEs
      'intellij-idea', 'pycharm', 'webstorm', 'goland', 'clion', 'phpstorm', 'rubymine', 'datagrip', 'rider', 'rustrover',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('titles are human and names are catalog names', () => {
    for (const def of catalog) {
      expect(def.name).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(def.title, def.name).toBeTruthy();
      expect(def.title!.length, def.name).toBeLessThanOrEqual(80);
    }
  });

  it('every entry has valid paths for each platform it claims', () => {
    for (const def of catalog) {
      const plats = claimedPlatforms(def);
      expect(plats.length, def.name).toBeGreaterThan(0);
      for (const plat of plats) {
        let p: ResolvedProfile | undefined;
        expect(() => (p = resolveProfile(def, { home: FAKE_HOMES[plat], platform: plat })), `${def.name} on ${plat}`).not.toThrow();
        expect(p!.entries.length, `${def.name} resolves nothing on ${plat}`).toBeGreaterThan(0);
        for (const e of p!.entries) expect(e.abs.startsWith(FAKE_HOMES[plat]), `${def.name} on ${plat}: ${e.abs}`).toBe(true);
      }
    }
  });

  it('macOS-only entries use ~/Library or dot paths under darwin only, and every path field is platform-appropriate', () => {
    for (const def of catalog) {
      for (const p of def.paths) {
        if (typeof p === 'string') {
          expect(p, def.name).not.toMatch(/^~\/Library\//);
          expect(p, def.name).not.toMatch(/AppData/);
          continue;
        }
        for (const k of ['default', 'linux'] as const) if (p[k]) expect(p[k], `${def.name}.${k}`).not.toMatch(/^~\/(Library|AppData)\//);
        if (p.win32) expect(p.win32, `${def.name}.win32`).not.toMatch(/^~\/Library\//);
        if (p.darwin) expect(p.darwin, `${def.name}.darwin`).not.toMatch(/AppData/);
      }
    }
  });

  it('no two entries claim the same file', () => {
    const problems: string[] = [];
    for (const plat of PLATS) {
      const resolved = catalog.map((def) => resolveProfile(def, { home: FAKE_HOMES[plat], platform: plat }));
      for (let i = 0; i < resolved.length; i++) {
        for (let j = i + 1; j < resolved.length; j++) {
          for (const a of resolved[i].entries) {
            for (const b of resolved[j].entries) {
              const why = overlap(a, b, plat);
              if (why) problems.push(`${plat}: ${resolved[i].name} ${a.abs}${a.glob ? `/${a.glob}` : ''} ↔ ${resolved[j].name} ${b.abs}${b.glob ? `/${b.glob}` : ''} (${why})`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the overlap check itself catches overlaps', () => {
    const r = (paths: string[], plat: Plat = 'darwin') => resolveProfile({ name: 'x', paths }, { home: FAKE_HOMES[plat], platform: plat }).entries[0];
    expect(overlap(r(['~/.config/a/']), r(['~/.config/a/b.json']), 'darwin')).toBeTruthy();
    expect(overlap(r(['~/.config/a/']), r(['~/.config/ab/']), 'darwin')).toBeNull();
    expect(overlap(r(['~/J/PyCharm*/options/*.xml']), r(['~/J/PyCharmCE*/options/*.xml']), 'darwin')).toBeTruthy();
    expect(overlap(r(['~/J/Rider*/options/*.xml']), r(['~/J/RustRover*/options/*.xml']), 'darwin')).toBeNull();
    expect(overlap(r(['~/J/{A,B}*/x/**']), r(['~/J/B1/x/y.xml']), 'darwin')).toBeTruthy();
    expect(overlap(r(['~/AppData/Roaming/Foo/'], 'win32'), r(['~/AppData/Roaming/foo/bar'], 'win32'), 'win32')).toBeTruthy();
  });

  it('ignoreKeys and localKeys globs compile with picomatch, and sit on plist or JSON entries', () => {
    for (const def of catalog) {
      for (const g of [...(def.ignoreKeys ?? []), ...(def.localKeys ?? [])]) {
        expect(() => picomatch.makeRe(g, { strictBrackets: true }), `${def.name}: ${g}`).not.toThrow();
      }
      if (def.ignoreKeys?.length || def.localKeys?.length) {
        const files = def.paths.flatMap((p) => (typeof p === 'string' ? [p] : Object.values(p)));
        expect(files.some((f) => /\.(plist|json)$/.test(f)), def.name).toBe(true);
      }
    }
  });

  it('Sparkle settings are never ignored, only its bookkeeping', () => {
    const m = (def: ProfileDefinition) => picomatch(def.ignoreKeys ?? [], { dot: true });
    for (const def of catalog.filter((d) => d.ignoreKeys?.length)) {
      for (const key of ['SUCheckAtStartup', 'SUEnableAutomaticChecks', 'SUAutomaticallyUpdate', 'SUScheduledCheckInterval']) {
        expect(m(def)(key), `${def.name}: ${key}`).toBe(false);
      }
      expect(m(def)('SULastCheckTime'), def.name).toBe(true);
      expect(m(def)('NSWindow Frame Main Window'), def.name).toBe(true);
    }
  });

  it('every applyWhen entry has an app, and macOS preference domains name their app', () => {
    for (const def of catalog) {
      if (def.applyWhen) expect(def.app, def.name).toBeTruthy();
    }
    // Left out on purpose: the process name depends on the installed major version, or the entry is
    // a side file of an app that has its own entry.
    const noApp = new Set(['bartender', 'soulver', 'witch', 'menumeters', 'default-folder-x', 'beyond-compare', 'vlc']);
    for (const def of catalog) {
      const domains = def.paths.filter((p) => typeof p !== 'string' && /^~\/Library\/Preferences\/[^/]+\.plist$/.test(p.darwin ?? ''));
      if (domains.length && !noApp.has(def.name)) expect(def.app, def.name).toBeTruthy();
    }
  });

  it('apps that rewrite their preferences on quit apply on quit', () => {
    for (const n of ['iterm2', 'terminal', 'keyboard-maestro', 'intellij-idea', 'pycharm']) expect(catalogEntry(n)!.applyWhen, n).toBe('app-quit');
    expect(catalogEntry('iterm2')!.app).toBe('iTerm2');
    expect(catalogEntry('intellij-idea')!.app).toBe('idea');
  });

  it('never lists caches, history databases, licenses or credentials', () => {
    const bad = /(cache|history|licen[cs]e|\.bttlicense|auth\.json|auth\.toml|credentials|hosts\.yml|\.pgpass|\.netrc|\.kdbx|\.key$|service\.json|btt_data_store|\.db$|\.sqlite3?$)/i;
    for (const def of catalog) {
      for (const p of def.paths) {
        for (const s of typeof p === 'string' ? [p] : Object.values(p)) expect(s, def.name).not.toMatch(bad);
      }
    }
  });

  it('JetBrains IDEs sync settings folders only, across platforms under one repo path', () => {
    const idea = catalogEntry('intellij-idea')!;
    const mac = resolveProfile(idea, { home: '/Users/me', platform: 'darwin' });
    const lin = resolveProfile(idea, { home: '/home/me', platform: 'linux' });
    const win = resolveProfile(idea, { home: 'C:\\Users\\me', platform: 'win32' });
    const a = liveToRepo(mac, '/Users/me/Library/Application Support/JetBrains/IntelliJIdea2025.1/keymaps/Mine.xml');
    expect(a).toBe('intellij-idea/.config/JetBrains/IntelliJIdea2025.1/keymaps/Mine.xml');
    expect(liveToRepo(lin, '/home/me/.config/JetBrains/IntelliJIdea2025.1/keymaps/Mine.xml')).toBe(a);
    expect(liveToRepo(win, 'C:\\Users\\me\\AppData\\Roaming\\JetBrains\\IntelliJIdea2025.1\\keymaps\\Mine.xml')).toBe(a);
    expect(liveToRepo(mac, '/Users/me/Library/Application Support/JetBrains/IdeaIC2024.3/options/editor.xml')).not.toBeNull();
    for (const f of ['plugins/x/lib/x.jar', 'idea.key', 'c.kdbx', 'eval/x.evaluation.key', 'options/recentProjects.xml', 'options/window.state.xml']) {
      expect(liveToRepo(mac, `/Users/me/Library/Application Support/JetBrains/IntelliJIdea2025.1/${f}`), f).toBeNull();
    }
    // Another IDE's folder is not IntelliJ's.
    expect(liveToRepo(mac, '/Users/me/Library/Application Support/JetBrains/PyCharm2025.1/options/editor.xml')).toBeNull();
    expect(liveToRepo(resolveProfile(catalogEntry('pycharm')!, { home: '/Users/me', platform: 'darwin' }), '/Users/me/Library/Application Support/JetBrains/PyCharmCE2025.1/options/editor.xml')).not.toBeNull();
  });

  it('a JetBrains scan finds settings and skips plugins, license keys and state', async () => {
    const home = tmpHome();
    const cfg = path.join(home, '.config/JetBrains');
    for (const f of [
      'IntelliJIdea2025.1/options/editor.xml',
      'IntelliJIdea2025.1/options/recentProjects.xml',
      'IntelliJIdea2025.1/keymaps/Mine.xml',
      'IntelliJIdea2025.1/fileTemplates/includes/File Header.java',
      'IntelliJIdea2025.1/idea.key',
      'IntelliJIdea2025.1/c.kdbx',
      'IntelliJIdea2025.1/plugins/foo/lib/foo.jar',
      'PyCharm2025.1/options/editor.xml',
    ]) {
      put(path.join(cfg, f));
    }
    const p = resolveProfile(catalogEntry('intellij-idea')!, { home, platform: 'linux' });
    const r = await listProfileFiles(p, { maxFiles: 100, maxFileBytes: 1 << 20 });
    expect(r.files.map((f) => f.repo).sort()).toEqual([
      'intellij-idea/.config/JetBrains/IntelliJIdea2025.1/fileTemplates/includes/File Header.java',
      'intellij-idea/.config/JetBrains/IntelliJIdea2025.1/keymaps/Mine.xml',
      'intellij-idea/.config/JetBrains/IntelliJIdea2025.1/options/editor.xml',
    ]);
  });

  it('Warp maps the same files to one repo path on every platform', () => {
    const warp = catalogEntry('warp')!;
    const mac = resolveProfile(warp, { home: '/Users/me', platform: 'darwin' });
    const lin = resolveProfile(warp, { home: '/home/me', platform: 'linux' });
    const win = resolveProfile(warp, { home: 'C:\\Users\\me', platform: 'win32' });
    const a = liveToRepo(mac, '/Users/me/.warp/themes/nord.yaml');
    expect(a).toBe('warp/.warp/themes/nord.yaml');
    expect(liveToRepo(lin, '/home/me/.local/share/warp-terminal/themes/nord.yaml')).toBe(a);
    expect(liveToRepo(win, 'C:\\Users\\me\\AppData\\Roaming\\warp\\Warp\\data\\themes\\nord.yaml')).toBe(a);
    expect(liveToRepo(lin, '/home/me/.config/warp-terminal/settings.toml')).toBe('warp/.warp/settings.toml');
  });

  it('secrets next to config stay out (OBS stream key, Alfred workflow prefs, xbar plugin variables)', () => {
    const mac = (n: string) => resolveProfile(catalogEntry(n)!, { home: '/Users/me', platform: 'darwin' });
    const obs = mac('obs');
    expect(liveToRepo(obs, '/Users/me/Library/Application Support/obs-studio/basic/scenes/Main.json')).not.toBeNull();
    expect(liveToRepo(obs, '/Users/me/Library/Application Support/obs-studio/basic/profiles/Main/service.json')).toBeNull();
    const alfred = mac('alfred');
    const prefs = '/Users/me/Library/Application Support/Alfred/Alfred.alfredpreferences';
    expect(liveToRepo(alfred, `${prefs}/workflows/user.workflow.ABC/info.plist`)).not.toBeNull();
    expect(liveToRepo(alfred, `${prefs}/workflows/user.workflow.ABC/prefs.plist`)).toBeNull();
    const xbar = mac('xbar');
    expect(liveToRepo(xbar, '/Users/me/Library/Application Support/xbar/plugins/weather.5m.sh')).not.toBeNull();
    expect(liveToRepo(xbar, '/Users/me/Library/Application Support/xbar/plugins/weather.5m.sh.vars.json')).toBeNull();
  });

  it('Hyper reads its config from the Electron user data folder on Windows', () => {
    const hyper = catalogEntry('hyper')!;
    expect(platformPath(hyper.paths[0], 'win32')).toBe('~/AppData/Roaming/Hyper/.hyper.js');
    expect(platformPath(hyper.paths[0], 'darwin')).toBe('~/.hyper.js');
  });
});
