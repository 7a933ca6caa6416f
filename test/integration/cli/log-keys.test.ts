/**
 * `confsync log` (the history timeline), `log --show N`, `restore --change N`, and the per-key
 * options of `profile add` / `profile set` / `profile list`, through the built CLI on temp homes with
 * real git and a bare remote shared by laptop-a and desk-b:
 * - changes are numbered newest first over the whole timeline (a filter keeps the numbers), each with
 *   its time in words, its machine and its files marked + ~ -; no commit ids or raw times in the words;
 *   `--json` keeps the revisions; a wrong number, profile or -n is exit 2 naming the fix;
 * - `restore --change N` puts every file of that change back (undoable), on the machine that asks;
 * - `--ignore-key` / `--local-key` reach the repo's profile definitions and the engine (an ignored
 *   key never reaches the repo); `set` replaces a list, `--clear-…` empties it, a catalog profile that
 *   is off here stays off; `list` shows the keys and which profiles have files in the repo.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, daemonEnv } from '../../helpers/daemon.js';
import { bareRemote, git, tmp } from '../../helpers/machine.js';

const T = 240_000;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/confsync.mjs is missing: run `node scripts/build.mjs cli` first (npm test builds)');
});

type M = { home: string; configDir: string };

function machine(host: string, settings: Record<string, unknown> = {}): M {
  const root = tmp(`cs-${host}-`);
  const m = { home: join(root, 'home'), configDir: join(root, 'config') };
  mkdirSync(m.home, { recursive: true });
  mkdirSync(m.configDir, { recursive: true });
  writeFileSync(join(m.configDir, 'config.json'), JSON.stringify({ hostName: host, enabledProfiles: [], km: { enabled: false }, ...settings }));
  return m;
}

const cli = (m: M, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: daemonEnv(m.home, m.configDir), cwd: m.home, encoding: 'utf8', timeout: 120_000 });
function ok(m: M, ...args: string[]): string {
  const r = cli(m, ...args);
  expect(r.status, `${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}
const write = (m: M, rel: string, text: string) => {
  mkdirSync(join(m.home, rel, '..'), { recursive: true });
  writeFileSync(join(m.home, rel), text);
};
const read = (m: M, rel: string) => readFileSync(join(m.home, rel), 'utf8');
/** Commit ids (7 to 40 hex digits) and ISO times or epoch milliseconds: none belong in the words. */
const RAW = /\b[0-9a-f]{7,40}\b|\d{4}-\d\d-\d\dT\d\d:\d\d|\b1[6-9]\d{11}\b/;

describe('confsync log, log --show and restore --change', () => {
  it('a numbered timeline across machines and files; one change with its diffs; every file of a change restored', { timeout: T }, () => {
    const remote = bareRemote();
    const a = machine('laptop-a', { remote: { url: remote } });
    write(a, '.zshrc', 'export V=1\n');
    write(a, '.gitconfig', '[user]\n  name = A\n');
    ok(a, 'profile', 'add', 'zsh', '--path', '~/.zshrc');
    ok(a, 'profile', 'add', 'git', '--path', '~/.gitconfig');
    const b = machine('desk-b', { remote: { url: remote }, enabledProfiles: ['zsh', 'git'] });
    ok(b, 'sync');
    expect(read(b, '.zshrc')).toBe('export V=1\n');
    // desk-b changes both files in one change; laptop-a then changes .zshrc alone.
    write(b, '.zshrc', 'export V=2\n');
    write(b, '.gitconfig', '[user]\n  name = B\n');
    ok(b, 'sync');
    ok(a, 'sync');
    write(a, '.zshrc', 'export V=3\n');
    ok(a, 'sync');
    ok(b, 'sync');
    expect(read(b, '.zshrc')).toBe('export V=3\n');

    const log = ok(b, 'log');
    expect(log).not.toMatch(RAW);
    const blocks = log.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(blocks[0]).toMatch(/^1\. (just now|\d+ s ago) on laptop-a: 1 file changed \(\.zshrc\)$/);
    expect(blocks[1]).toMatch(/^2\. (just now|\d+ s ago) on desk-b: 2 files changed/);
    expect(log).toMatch(/^1\. .*\n {3}~ ~\/\.zshrc\n2\. .*\n {3}~ ~\/\.(zshrc|gitconfig)\n {3}~ ~\/\.(zshrc|gitconfig)\n/);
    expect(log).toMatch(/\n {3}\+ ~\/\.gitconfig\n/); // added by laptop-a's profile
    expect(log).toContain('(+ added, ~ changed, - deleted)');
    expect(log).toContain('one change with its diffs: confsync log --show N · put its files back: confsync restore --change N');

    // A filter keeps the numbers of the whole timeline.
    const gitOnly = ok(b, 'log', '--profile', 'git');
    expect(gitOnly.split('\n').filter((l) => /^\d+\. /.test(l))[0]).toMatch(/^2\. .* on desk-b: /);
    expect(gitOnly).not.toMatch(/^1\. /m);
    const byPath = ok(b, 'log', '--path', '~/.zshrc', '-n', '1');
    expect(byPath.split('\n').filter((l) => /^\d+\. /.test(l))).toEqual([expect.stringMatching(/^1\. .* on laptop-a: /)]);
    const json = JSON.parse(ok(b, 'log', '--json', '-n', '2')) as { rev: string; at: number; host: string; number: number; files: { path: string; change: string }[] }[];
    expect(json.map((e) => [e.number, e.host])).toEqual([[1, 'laptop-a'], [2, 'desk-b']]);
    expect(json[0].rev).toMatch(/^[0-9a-f]{40}$/);
    expect(json[1].files.map((f) => f.path).sort()).toEqual(['git/.gitconfig', 'zsh/.zshrc']);

    const typo = cli(b, 'log', '--profile', 'zhs');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('no profile named "zhs"; did you mean zsh? (see `confsync profile list`)');
    const zero = cli(b, 'log', '-n', '0');
    expect(zero.status).toBe(2);
    expect(zero.stderr).toContain('-n takes a number from 1 to 500, not "0"');

    const show = ok(b, 'log', '--show', '2');
    expect(show).not.toMatch(RAW);
    expect(show).toMatch(/^Change 2, (just now|\d+ s ago) on desk-b: 2 files changed/);
    expect(show).toContain('2 files: 2 changed');
    expect(show).toContain('--- ~/.zshrc (before)\n+++ ~/.zshrc (after)\n@@ -1,1 +1,1 @@\n-export V=1\n+export V=2');
    expect(show).toContain('-  name = A\n+  name = B');
    const byRev = JSON.parse(ok(b, 'log', '--show', json[1].rev, '--json')) as { entry: { rev: string } };
    expect(byRev.entry.rev).toBe(json[1].rev);
    const far = cli(b, 'log', '--show', '99');
    expect(far.status).toBe(2);
    expect(far.stderr).toMatch(/there are \d+ changes: N is 1 to \d+ \(see `confsync log`\)/);

    // restore --change 2 on laptop-a: both files back to desk-b's versions of that change.
    const both = cli(a, 'restore', '--change', '2', '~/.zshrc');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--change restores every file of one change: leave out PATH and --at');
    const restored = ok(a, 'restore', '--change', '2');
    expect(restored).toMatch(/^Change 2, .* on desk-b: 2 files changed/);
    expect(restored).toContain('2 files restored');
    expect(restored).not.toMatch(RAW);
    expect(read(a, '.zshrc')).toBe('export V=2\n');
    expect(read(a, '.gitconfig')).toBe('[user]\n  name = B\n');
    // Undoable and shared: the restore is the newest change, by laptop-a; desk-b gets it.
    expect(ok(a, 'log', '-n', '1')).toMatch(/^1\. .* on laptop-a: /);
    ok(b, 'sync');
    expect(read(b, '.zshrc')).toBe('export V=2\n');
  });
});

describe('confsync profile add / set / list with per-key rules', () => {
  it('--ignore-key and --local-key are shared through the repo and kept out of it; set replaces or clears; list shows keys and files in the repo', { timeout: T }, () => {
    const remote = bareRemote();
    const a = machine('laptop-a', { remote: { url: remote } });
    write(a, '.config/app/settings.json', '{"theme":"dark","window":{"x":5},"zoom":2}\n');
    const add = ok(a, 'profile', 'add', 'app', '--path', '~/.config/app/settings.json', '--ignore-key', 'window.*', '--local-key', 'zoom');
    expect(add).toBe('profile app added, shared with every machine; on here\n  ignored keys: window.*\n  local keys: zoom\n');
    ok(a, 'sync');
    const defs = JSON.parse(git(remote, 'show', 'main:.confsync/profiles.json')) as { profiles: { name: string; ignoreKeys?: string[]; localKeys?: string[] }[] };
    expect(defs.profiles.find((p) => p.name === 'app')).toMatchObject({ ignoreKeys: ['window.*'], localKeys: ['zoom'] });
    // The engine applies them: neither the window position nor the zoom reaches the repo.
    const inRepo = git(remote, 'show', 'main:app/.config/app/settings.json');
    expect(inRepo).toContain('"theme": "dark"');
    expect(inRepo).not.toMatch(/"x"|"zoom"/);

    const set = ok(a, 'profile', 'set', 'app', '--ignore-key', 'lastOpened', '--ignore-key', 'window.*');
    expect(set).toBe('profile app updated, shared with every machine; on here\n  ignored keys: lastOpened, window.* (was: window.*)\n  local keys: zoom\n');
    expect(ok(a, 'profile', 'set', 'app', '--clear-local-keys')).toContain('  local keys: none (was: zoom)');
    expect(ok(a, 'profile', 'set', 'app', '--clear-local-keys')).toBe('profile app: nothing changed\n  ignored keys: lastOpened, window.*\n  local keys: none\n');
    // Adding a path again keeps the key rules it was not told about.
    expect(ok(a, 'profile', 'add', 'app', '--path', '~/.config/app/settings.json')).toContain('ignored keys: lastOpened, window.*');

    for (const [args, err] of [
      [['profile', 'set', 'app'], 'profile set needs --ignore-key GLOB, --local-key GLOB, --clear-ignore-keys or --clear-local-keys'],
      [['profile', 'set', 'app', '--ignore-key', 'x', '--clear-ignore-keys'], 'give --ignore-key or --clear-ignore-keys, not both'],
      [['profile', 'set', 'app', '--local-key', ' '], '--local-key needs a key glob such as "NSWindow Frame *" or "window.zoomLevel", not an empty one'],
      [['profile', 'set', 'ap', '--ignore-key', 'x'], 'no profile named "ap"; did you mean app?'],
    ] as const) {
      const r = cli(a, ...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(err);
    }

    // A catalog profile that is off here gets its own key rules and stays off.
    const vs = ok(a, 'profile', 'set', 'vscode', '--local-key', 'window.zoomLevel');
    expect(vs).toContain('profile vscode updated, shared with every machine; off here');
    expect(JSON.parse(readFileSync(join(a.configDir, 'config.json'), 'utf8')).enabledProfiles).not.toContain('vscode');

    const list = ok(a, 'profile', 'list');
    expect(list).toMatch(/^\[on\] app +custom +detected +1 file in the repo\n {7}ignored keys: lastOpened, window\.\*$/m);
    expect(list).toMatch(/^ {5}vscode .* not in the repo yet\n {7}local keys: window\.zoomLevel$/m);
    const listJson = JSON.parse(ok(a, 'profile', 'list', '--json')) as { name: string; repoFiles: number; ignoreKeys: string[]; localKeys: string[] }[];
    expect(listJson.find((p) => p.name === 'app')).toMatchObject({ repoFiles: 1, ignoreKeys: ['lastOpened', 'window.*'], localKeys: [] });

    // desk-b sees the profile with files in the repo, off there, and how to turn it on.
    ok(a, 'sync');
    const b = machine('desk-b', { remote: { url: remote } });
    ok(b, 'sync');
    expect(ok(b, 'profile', 'list')).toMatch(/^ {5}app +custom +1 file in the repo \(`confsync profile enable app` turns it on here\)\n {7}ignored keys: lastOpened, window\.\*$/m);
  });
});
