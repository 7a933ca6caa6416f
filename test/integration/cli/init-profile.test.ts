/**
 * `confsync init --repo` and `confsync profile add` through the built CLI, on temp homes with real git:
 * a repo folder that cannot be made (run as `nobody` against a root-owned folder), a file on the way
 * or a folder holding other files is an error (exit 1) and changes nothing; a relative --repo is stored
 * absolute. A profile path outside home is refused (exit 2); one under home that does not exist yet is
 * accepted with a warning. A profile is on where it was added, whether the CLI or the UI (the
 * `profiles:save` channel a running host serves) added it; saving it again keeps each machine's choice.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, daemonEnv, startDaemon, type DaemonHandle } from '../../helpers/daemon.js';
import { git, tmp } from '../../helpers/machine.js';
import type { AppState } from '../../../shared/state.js';
import { daemonCall } from '../../reliability/helpers.js';

const running: DaemonHandle[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop().catch(() => undefined);
});

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
});

type M = { root: string; home: string; configDir: string };
const cli = (m: M, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: daemonEnv(m.home, m.configDir), cwd: m.home, encoding: 'utf8', timeout: 60_000 });

function machine(host: string, extra: Record<string, unknown> = {}): M {
  const root = tmp(`cs-${host}-`);
  const m = { root, home: join(root, 'home'), configDir: join(root, 'config') };
  mkdirSync(m.home, { recursive: true });
  mkdirSync(m.configDir, { recursive: true });
  writeFileSync(join(m.configDir, 'config.json'), JSON.stringify({ hostName: host, enabledProfiles: [], km: { enabled: false }, ...extra }));
  return m;
}

const isRoot = process.getuid?.() === 0;
const hasRunuser = (() => {
  try {
    execFileSync('runuser', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('confsync init --repo', () => {
  it.skipIf(!isRoot || !hasRunuser)('a folder that cannot be created is an error (exit 1), and config.json and the disk stay as they were', () => {
    const m = machine('init-nobody');
    execFileSync('chown', ['-R', 'nobody:nogroup', m.root]);
    chmodSync(m.root, 0o755);
    const locked = tmp('cs-root-owned-'); // owned by root, 0755: nobody cannot create anything in it
    chmodSync(locked, 0o755);
    const target = join(locked, 'deeper', 'repo');
    const configBefore = readFileSync(join(m.configDir, 'config.json'), 'utf8');
    const filesBefore = readdirSync(m.configDir).sort();
    const env = ['PATH=' + (process.env.PATH ?? '/usr/bin:/bin'), `HOME=${m.home}`, `CONFSYNC_CONFIG_DIR=${m.configDir}`, `XDG_CONFIG_HOME=${join(m.home, '.config')}`, 'GIT_CONFIG_NOSYSTEM=1'];
    const r = spawnSync('runuser', ['-u', 'nobody', '--', 'env', '-i', ...env, process.execPath, CLI, 'init', '--repo', target], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`confsync: error: cannot create the sync repo at ${target}: ${locked} is not writable by you`);
    expect(existsSync(join(locked, 'deeper'))).toBe(false);
    expect(readFileSync(join(m.configDir, 'config.json'), 'utf8')).toBe(configBefore);
    expect(readdirSync(m.configDir).sort()).toEqual(filesBefore);
    expect(existsSync(join(m.configDir, 'repo'))).toBe(false);
  });

  it('a file on the way or a folder holding other files is refused; nothing is created or moved', () => {
    const m = machine('init-refused');
    const configBefore = readFileSync(join(m.configDir, 'config.json'), 'utf8');
    writeFileSync(join(m.home, 'a-file'), 'x');
    const viaFile = cli(m, 'init', '--repo', join(m.home, 'a-file', 'repo'));
    expect(viaFile.status).toBe(1);
    expect(viaFile.stderr).toMatch(/a-file is a file, not a folder/);
    // Start-up would move anything uncommitted out of the repo folder: a folder of other files is refused.
    mkdirSync(join(m.home, 'Documents'));
    writeFileSync(join(m.home, 'Documents', 'taxes.txt'), 'keep me');
    const full = cli(m, 'init', '--repo', '~/Documents');
    expect(full.status).toBe(1);
    expect(full.stderr).toContain('already holds other files (taxes.txt) and is not a ConfSync repo');
    expect(readdirSync(join(m.home, 'Documents'))).toEqual(['taxes.txt']);
    expect(readFileSync(join(m.configDir, 'config.json'), 'utf8')).toBe(configBefore);
    expect(existsSync(join(m.configDir, 'repo'))).toBe(false);
  });

  it('a relative --repo is stored as an absolute path and the repo is made there', () => {
    const m = machine('init-relative');
    const r = cli(m, 'init', '--repo', 'sync/repo'); // run from the home folder
    expect(r.status, r.stderr).toBe(0);
    const repoPath = JSON.parse(readFileSync(join(m.configDir, 'config.json'), 'utf8')).repoPath;
    expect(repoPath).toBe(join(m.home, 'sync', 'repo'));
    expect(git(repoPath, 'log', '--format=%s').trim()).toContain('ConfSync repository');
    expect(r.stdout).not.toMatch(/^(ok|local-only|nothing-to-do):/m);
  });
});

describe('confsync profile add', () => {
  it('a path outside home is refused (exit 2) with the reason; nothing is saved or committed', () => {
    const m = machine('prof-outside');
    expect(cli(m, 'sync').status).toBe(0);
    const head = git(join(m.configDir, 'repo'), 'rev-parse', 'HEAD');
    const r = cli(m, 'profile', 'add', 'tmpstuff', '--path', '/tmp/does-not-exist');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`profile "tmpstuff": /tmp/does-not-exist is outside your home folder (${m.home})`);
    expect(r.stderr).toMatch(/use a path under ~/);
    expect(git(join(m.configDir, 'repo'), 'rev-parse', 'HEAD')).toBe(head);
    expect(readFileSync(join(m.configDir, 'repo', '.confsync', 'profiles.json'), 'utf8')).not.toContain('tmpstuff');
    expect(JSON.parse(readFileSync(join(m.configDir, 'config.json'), 'utf8')).enabledProfiles).toEqual([]);
  });

  it('a path under home that does not exist yet is accepted with a warning; the profile is on here and syncs the file once it appears', () => {
    const m = machine('prof-later');
    const r = cli(m, 'profile', 'add', 'later', '--path', '~/.config/later/settings.json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('confsync: warning: ~/.config/later/settings.json does not exist yet; it is synced once it appears');
    expect(r.stdout.trim()).toBe('profile later added, shared with every machine; on here');
    const list = JSON.parse(cli(m, 'profile', 'list', '--json').stdout) as { name: string; enabled: boolean }[];
    expect(list.find((p) => p.name === 'later')?.enabled).toBe(true);
    mkdirSync(join(m.home, '.config', 'later'), { recursive: true });
    writeFileSync(join(m.home, '.config', 'later', 'settings.json'), '{"a":1}\n');
    expect(cli(m, 'sync').status).toBe(0);
    expect(git(join(m.configDir, 'repo'), 'show', 'HEAD:later/.config/later/settings.json')).toBe('{"a":1}\n');
  });

  it('your own definition of a catalog entry is an added profile: on here, even where the catalog one was off', () => {
    const m = machine('prof-catalog');
    writeFileSync(join(m.home, '.zshrc'), 'export A=1\n');
    const r = cli(m, 'profile', 'add', 'zsh', '--path', '~/.zshrc');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('profile zsh added, shared with every machine; on here');
    expect(JSON.parse(readFileSync(join(m.configDir, 'config.json'), 'utf8')).enabledProfiles).toEqual(['zsh']);
    expect(cli(m, 'sync').status).toBe(0);
    expect(git(join(m.configDir, 'repo'), 'show', 'HEAD:zsh/.zshrc')).toBe('export A=1\n');
  });

  it('a profile added through the UI channel is on where it was added; saving it again keeps each choice', async () => {
    const d = await startDaemon({ settings: { hostName: 'prof-ui', enabledProfiles: [], km: { enabled: false } }, files: { 'notes/a.txt': 'a\n' } });
    running.push(d);
    await daemonCall(d.configDir, 'profiles:save', { profile: { name: 'notes', paths: ['~/notes'] } });
    const on = (await daemonCall<AppState>(d.configDir, 'state:get')).profiles.find((p) => p.name === 'notes');
    expect(on?.enabled).toBe(true);
    // Switched off here, then edited (in the UI or with `profile add` again): it stays off here.
    await daemonCall(d.configDir, 'profiles:set-enabled', { name: 'notes', enabled: false });
    const again = cli(d as unknown as M, 'profile', 'add', 'notes', '--path', '~/notes', '--exclude', '*.tmp');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe('profile notes updated, shared with every machine; off here (`confsync profile enable notes` turns it on)');
    expect((await daemonCall<AppState>(d.configDir, 'state:get')).profiles.find((p) => p.name === 'notes')?.enabled).toBe(false);
    // Outside home is refused by the host too, whoever asks.
    await expect(daemonCall(d.configDir, 'profiles:save', { profile: { name: 'etc', paths: ['/etc/hosts'] } })).rejects.toThrow(/\/etc\/hosts is outside your home folder/);
    expect((await daemonCall<AppState>(d.configDir, 'state:get')).profiles.some((p) => p.name === 'etc')).toBe(false);
  });
});

describe('confsync history and restore', () => {
  it('versions are numbered (no commit ids in the words); restore --at N puts that version back', () => {
    const m = machine('hist-a');
    writeFileSync(join(m.home, 'f.conf'), 'one\n');
    expect(cli(m, 'profile', 'add', 'f', '--path', '~/f.conf').status).toBe(0);
    for (const v of ['two\n', 'three\n']) {
      writeFileSync(join(m.home, 'f.conf'), v);
      expect(cli(m, 'sync').status).toBe(0);
    }
    const h = cli(m, 'history', '~/f.conf');
    expect(h.status, h.stderr).toBe(0);
    const lines = h.stdout.trim().split('\n');
    expect(lines.slice(0, 3).map((l) => l.slice(0, 3))).toEqual(['1. ', '2. ', '3. ']);
    expect(h.stdout).not.toMatch(/\b[0-9a-f]{7,40}\b/);
    expect(lines[3]).toBe('put one back with: confsync restore ~/f.conf --at N (N from the list; without --at, version 2)');
    const bad = cli(m, 'restore', '~/f.conf', '--at', '9');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('~/f.conf has 3 versions: --at takes 1 to 3');
    expect(readFileSync(join(m.home, 'f.conf'), 'utf8')).toBe('three\n');
    const r = cli(m, 'restore', '~/f.conf', '--at', '3');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(m.home, 'f.conf'), 'utf8')).toBe('one\n');
    // --json keeps the machine values.
    const json = JSON.parse(cli(m, 'history', '~/f.conf', '--json').stdout) as { rev: string }[];
    expect(json[0].rev).toMatch(/^[0-9a-f]{40}$/);
  });
});
