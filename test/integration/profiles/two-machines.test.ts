/**
 * Two "machines" (a macOS-layout home and a Linux-layout home, both temp dirs) exchanging files through
 * a plain directory standing in for the repo: scan on A → copy to repo by repo path → map back on B.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog, resolveProfile, listProfileFiles, repoToLive, findProfileForRepoPath, writeProfilesFile, readProfilesFile, effectiveProfiles } from '../../../electron/engine/profiles/index';

const tmp = (p: string) => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), p)));
function put(file: string, content: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}
function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? walk(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

describe.skipIf(process.platform === 'win32')('profiles across two machines', () => {
  it('a macOS VS Code + zsh setup lands in the right places on Linux', async () => {
    const mac = tmp('confsync-mac-');
    const linux = tmp('confsync-linux-');
    const repo = tmp('confsync-repo-');
    const code = path.join(mac, 'Library', 'Application Support', 'Code', 'User');
    put(path.join(code, 'settings.json'), '{"editor.fontSize": 14}');
    put(path.join(code, 'keybindings.json'), '[]');
    put(path.join(code, 'snippets', 'ts.json'), '{}');
    put(path.join(code, 'workspaceStorage', 'x', 'state.vscdb'), 'not synced');
    put(path.join(mac, '.zshrc'), 'export EDITOR=vim\n');
    put(path.join(mac, '.ssh', 'config'), 'Host *\n');
    put(path.join(mac, '.ssh', 'id_ed25519'), 'PRIVATE');

    // profile definitions shared through the repo
    const custom = [{ name: 'notes', paths: ['~/notes/**/*.md'], exclude: [] }];
    writeProfilesFile(repo, custom);
    const shared = readProfilesFile(repo);
    expect(shared.error).toBeNull();
    const defs = effectiveProfiles(shared.profiles).filter((d) => ['vscode', 'zsh', 'ssh', 'notes'].includes(d.name));
    put(path.join(mac, 'notes', 'a', 'todo.md'), '- [ ] x');
    put(path.join(mac, 'notes', 'a', 'img.png'), 'png');

    const onMac = defs.map((d) => resolveProfile(d, { home: mac, platform: 'darwin' }));
    for (const p of onMac) {
      const r = await listProfileFiles(p, { maxFiles: 1000, maxFileBytes: 1 << 20 });
      expect(r.errors).toEqual([]);
      for (const f of r.files) put(path.join(repo, ...f.repo.split('/')), fs.readFileSync(f.abs, 'utf8'));
    }
    expect(walk(repo).sort()).toEqual(
      [
        '.confsync/profiles.json',
        'notes/notes/a/todo.md',
        'ssh/.ssh/config',
        'vscode/.config/Code/User/keybindings.json',
        'vscode/.config/Code/User/settings.json',
        'vscode/.config/Code/User/snippets/ts.json',
        'zsh/.zshrc',
      ].sort(),
    );

    const onLinux = defs.map((d) => resolveProfile(d, { home: linux, platform: 'linux' }));
    for (const repoPath of walk(repo)) {
      if (repoPath.startsWith('.confsync/')) continue;
      const p = findProfileForRepoPath(onLinux, repoPath);
      expect(p, repoPath).not.toBeNull();
      const live = repoToLive(p!, repoPath);
      expect(live, repoPath).not.toBeNull();
      put(live!, fs.readFileSync(path.join(repo, ...repoPath.split('/')), 'utf8'));
    }
    expect(fs.readFileSync(path.join(linux, '.config', 'Code', 'User', 'settings.json'), 'utf8')).toBe('{"editor.fontSize": 14}');
    expect(fs.existsSync(path.join(linux, '.config', 'Code', 'User', 'snippets', 'ts.json'))).toBe(true);
    expect(fs.readFileSync(path.join(linux, '.zshrc'), 'utf8')).toBe('export EDITOR=vim\n');
    expect(fs.existsSync(path.join(linux, '.ssh', 'id_ed25519'))).toBe(false);

    // hostile repo paths from a remote never map
    for (const evil of ['ssh/.ssh/id_ed25519', 'ssh/.ssh/authorized_keys', 'zsh/../.bashrc', 'vscode/.config/Code/User/../../../.ssh/config', 'notes/notes/run.sh', '_abs/etc/passwd']) {
      const p = findProfileForRepoPath(onLinux, evil);
      expect(p ? repoToLive(p, evil) : null, evil).toBeNull();
    }
    expect(loadCatalog().length).toBeGreaterThanOrEqual(30);
  });
});
