/**
 * The pieces under the CLI's rough edges, on real files in temp dirs: setting keys read off the schema
 * and the key a typo meant; the settings store refusing unknown keys; one kept-aside copy per distinct
 * invalid config; the one list of settings that wait for a restart; the repo folder checks; profiles
 * outside home; the UI token file; and the words the CLI prints (no raw floats, epoch ms or kinds).
 */
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { tmp } from '../../helpers/machine.js';
import { settingKeys, suggestSettingKey, unknownPatchKey, isSettingKey } from '../../../electron/engine/config/keys.js';
import { SettingsStore, keepAside, type ConfLike } from '../../../electron/engine/config/settings-store.js';
import { LIVE, RESTART_NEEDED, changedKeys, restartNeeded, restartWords } from '../../../electron/engine/config/live.js';
import { absoluteRepoPath, repoDirProblem, topMissing } from '../../../electron/engine/config/repo-path.js';
import { outsideHome } from '../../../electron/engine/profiles-set.js';
import { resolveProfile } from '../../../electron/engine/profiles/paths.js';
import { loadUiToken, rememberPort, rememberedPort } from '../../../electron/cli/server.js';
import { defaultSettings, type Settings } from '../../../shared/settings.js';
import { durationWords, watcherWords, conflictKindWords, kmStatusLabel, ConflictKind, KmStatus } from '../../../shared/state.js';

process.env.CONFSYNC_NO_MAIN = '1';
const cli = await import('../../../electron/cli/confsync.js');

function store(dir = tmp('cs-settings-')): SettingsStore {
  return new SettingsStore(join(dir, 'config.json'), () => new Conf({ cwd: dir, configName: 'config', projectName: 'confsync' }) as unknown as ConfLike);
}

describe('setting keys', () => {
  it('are read off the schema: sections, values and fields of object values', () => {
    const keys = settingKeys().map((k) => k.key);
    for (const k of ['repoPath', 'hostName', 'sync', 'sync.intervalSec', 'km.libraryPath', 'remote.url', 'ui.port', 'ui.popoverBounds.x', 'peers.urls']) expect(keys).toContain(k);
    expect(keys).not.toContain('sync.intervalsec');
    expect(settingKeys().find((k) => k.key === 'sync')?.object).toBe(true);
    expect(settingKeys().find((k) => k.key === 'peers.urls')?.object).toBe(false);
  });
  it('a typo names the key it meant: other case, missing section, misspelt', () => {
    expect(suggestSettingKey('sync.intervalsec')).toBe('sync.intervalSec');
    expect(suggestSettingKey('KM.LIBRARYPATH')).toBe('km.libraryPath');
    expect(suggestSettingKey('intervalSec')).toBe('sync.intervalSec');
    expect(suggestSettingKey('sync.intervallSec')).toBe('sync.intervalSec');
    expect(suggestSettingKey('hostname')).toBe('hostName');
    // "port" is in two sections: no guess between them, and nothing close to nonsense.
    expect(suggestSettingKey('port')).toBeNull();
    expect(suggestSettingKey('completely.different')).toBeNull();
  });
  it('the first unknown key of a nested patch is found; arrays and known objects are values', () => {
    expect(unknownPatchKey({ sync: { intervalsec: 600 } })).toBe('sync.intervalsec');
    expect(unknownPatchKey({ sync: { intervalSec: 600 }, km: { libraryPath: '/x' } })).toBeNull();
    expect(unknownPatchKey({ ui: { popoverBounds: { x: 1, y: 2, width: 3, height: 4 } } })).toBeNull();
    expect(unknownPatchKey({ peers: { urls: ['ws://a'] } })).toBeNull();
    expect(unknownPatchKey({ nope: 1 })).toBe('nope');
    expect(isSettingKey('sync.intervalSec') && !isSettingKey('sync.intervalsec')).toBe(true);
  });
});

describe('the settings store', () => {
  it('refuses an unknown key naming it and the key meant, and leaves the file as it was', () => {
    const dir = tmp('cs-settings-');
    const s = store(dir);
    s.update({ sync: { intervalSec: 120 } });
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(() => s.update({ sync: { intervalsec: 600 } })).toThrow(/key "sync\.intervalsec": no such setting; did you mean sync\.intervalSec\?/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    expect(s.get().sync.intervalSec).toBe(120);
  });
  it('keeps one copy aside per distinct invalid content, however often it is opened', () => {
    const dir = tmp('cs-settings-');
    const file = join(dir, 'config.json');
    writeFileSync(file, '{ "sync": { "intervalSec": "often" } }');
    const copies = () => readdirSync(dir).filter((n) => n.startsWith('config.json.invalid-'));
    const first = store(dir).loadError?.keptAside;
    expect(first).toBeTruthy();
    for (let i = 0; i < 3; i++) expect(store(dir).loadError?.keptAside).toBe(first);
    expect(copies()).toHaveLength(1);
    writeFileSync(file, '{ not json');
    const second = store(dir).loadError?.keptAside;
    expect(second).not.toBe(first);
    expect(copies()).toHaveLength(2);
    expect(readFileSync(second!, 'utf8')).toBe('{ not json');
    // The same content again, at another time: still the copy made first.
    expect(keepAside(file, new Date(Date.now() + 60_000))).toBe(second);
    expect(copies()).toHaveLength(2);
  });
});

describe('when a changed setting takes effect (one list)', () => {
  const leaves = () => settingKeys().filter((k) => !k.object).map((k) => k.key);
  const under = (key: string, prefix: string) => key === prefix || key.startsWith(`${prefix}.`);
  it('every value key is either live or needs a restart, never both', () => {
    for (const key of leaves()) {
      const restart = RESTART_NEEDED.filter((e) => under(key, e.key)).length;
      const live = LIVE.filter((e) => under(key, e.key)).length;
      expect(restart + live, `${key}: restart ${restart}, live ${live}`).toBe(1);
    }
  });
  it('names the watcher settings, the host name, the repo and the UI port; not the schedule or Keyboard Maestro', () => {
    for (const k of ['sync.debounceMs', 'sync.watcherBackend', 'hostName', 'repoPath', 'ui.port']) expect(restartWords(k), k).toMatch(/^takes effect after a restart \(/);
    for (const k of ['sync.intervalSec', 'km.libraryPath', 'remote.url', 'paused', 'enabledProfiles']) expect(restartWords(k), k).toBeNull();
    // A whole section touches the restart keys below it.
    expect(restartNeeded('sync').map((e) => e.key).sort()).toEqual(['sync.debounceMs', 'sync.maxWaitMs', 'sync.pollIntervalMs', 'sync.watcherBackend']);
  });
  it('changedKeys lists the value keys that differ', () => {
    const a = defaultSettings();
    const b: Settings = { ...a, sync: { ...a.sync, intervalSec: 600 }, km: { ...a.km, libraryPath: '/x' } };
    expect(changedKeys(a, b).sort()).toEqual(['km.libraryPath', 'sync.intervalSec']);
    expect(changedKeys(a, a)).toEqual([]);
  });
});

describe('the sync repo folder (init --repo)', () => {
  it('relative and ~ paths are made absolute', () => {
    expect(absoluteRepoPath('repo', '/home/me', '/work/here')).toBe('/work/here/repo');
    expect(absoluteRepoPath('~/sync/repo', '/home/me', '/x')).toBe('/home/me/sync/repo');
    expect(absoluteRepoPath('/abs/../abs/repo', '/home/me', '/x')).toBe('/abs/repo');
  });
  it('a new folder under a writable one, an empty folder, or a ConfSync repo is fine', () => {
    const root = tmp('cs-repo-');
    expect(repoDirProblem(join(root, 'a', 'b', 'repo'))).toBeNull();
    expect(topMissing(join(root, 'a', 'b', 'repo'))).toBe(join(root, 'a'));
    mkdirSync(join(root, 'empty'));
    expect(repoDirProblem(join(root, 'empty'))).toBeNull();
    mkdirSync(join(root, 'ours', '.git'), { recursive: true });
    mkdirSync(join(root, 'ours', '.confsync'));
    expect(repoDirProblem(join(root, 'ours'))).toBeNull();
  });
  it('a file on the way, a folder with other files, or a folder that cannot be written is refused with the reason', () => {
    const root = tmp('cs-repo-');
    writeFileSync(join(root, 'file'), 'x');
    expect(repoDirProblem(join(root, 'file', 'repo'))).toMatch(/file is a file, not a folder/);
    expect(repoDirProblem(join(root, 'file'))).toMatch(/it is a file, not a folder/);
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'notes.txt'), 'mine');
    expect(repoDirProblem(join(root, 'docs'))).toMatch(/already holds other files \(notes\.txt\) and is not a ConfSync repo/);
    // /proc refuses new folders even to root.
    expect(repoDirProblem('/proc/confsync-test/repo')).toMatch(/cannot create the sync repo at \/proc\/confsync-test\/repo: \/proc (is not writable by you|is on a read-only disk|cannot be written)/);
  });
});

describe('profiles outside home', () => {
  const home = '/home/me';
  const res = (paths: string[]) => resolveProfile({ name: 'p', paths }, { home, platform: 'linux' });
  it('are refused naming the path and home; paths under home pass', () => {
    expect(outsideHome(res(['/tmp/does-not-exist']))).toMatch(/profile "p": \/tmp\/does-not-exist is outside your home folder \(\/home\/me\).*use a path under ~/);
    expect(outsideHome(res(['~/.zshrc', '/etc/hosts']))).toMatch(/\/etc\/hosts is outside/);
    expect(outsideHome(res(['~/.zshrc', '.config/nvim', '/home/me/.gitconfig', '~/..dots']))).toBeNull();
  });
});

describe('the UI token and port', () => {
  it('the token is made once (0600), kept, renewed on request or when others could read it', () => {
    const dir = tmp('cs-token-');
    const file = join(dir, 'ui-token');
    const a = loadUiToken(file);
    expect(a.created).toBe(true);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadUiToken(file)).toEqual({ token: a.token, created: false, why: null });
    const b = loadUiToken(file, { renew: true });
    expect(b.token).not.toBe(a.token);
    expect(loadUiToken(file).token).toBe(b.token);
    chmodSync(file, 0o644);
    const c = loadUiToken(file);
    expect(c.created).toBe(true);
    expect(c.why).toMatch(/could be read by other users/);
    expect(c.token).not.toBe(b.token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, 'short\n', { mode: 0o600 });
    expect(loadUiToken(file).why).toMatch(/no valid token/);
  });
  it('the port is remembered', () => {
    const file = join(tmp('cs-port-'), 'ui-port');
    expect(rememberedPort(file)).toBeNull();
    rememberPort(file, 43117);
    expect(rememberedPort(file)).toBe(43117);
    writeFileSync(file, 'nonsense');
    expect(rememberedPort(file)).toBeNull();
    expect(existsSync(file)).toBe(true);
  });
});

describe('words the CLI prints', () => {
  const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);
  it('durations are rounded, never raw floats', () => {
    expect(durationWords(223.28083300000003)).toBe('223 ms');
    expect(durationWords(0.4321)).toBe('0.4 ms');
    expect(durationWords(1534)).toBe('1.5 s');
    expect(durationWords(30_000)).toBe('30 s');
    expect(durationWords(120_000)).toBe('2 min');
  });
  it('the watcher, the conflict kinds and the Keyboard Maestro status are words', () => {
    expect(watcherWords('mixed')).toBe('watching for changes (some folders by polling)');
    expect(watcherWords('none')).toBe('not watching');
    for (const k of ConflictKind.options) expect(conflictKindWords(k)).toMatch(/^[A-Z][a-z ,]+/);
    for (const k of KmStatus.options) expect(kmStatusLabel(k)).not.toBe(k);
  });
  it('km status: separated numbers, relative times, rounded durations', () => {
    const out = cli.describeKmStatus(
      { status: 'active', libraryPath: '/Users/me/KM.plist', macros: 10_002, groups: 12, enabledMacros: 9_871, polls: 1_204, skips: 1_190, parses: 14, lastParseMs: 223.28083300000003, avgParseMs: 190.5, intervalMs: 30_000, lastPollAt: NOW - 120_000, error: null },
      NOW,
    );
    expect(out).toContain('Keyboard Maestro  Watching for macro changes');
    expect(out).toContain('10,002 macros (9,871 enabled) in 12 groups');
    expect(out).toContain('1,204 checks: 14 reads of a changed library, 1,190 unchanged');
    expect(out).toContain('last check 2 min ago · next in about 30 s');
    expect(out).toContain('last read  223 ms (191 ms on average)');
    expect(out).not.toMatch(/\d{10,}|\d\.\d{3,}|\(s\)/);
  });
  it('a sync result leads with its message, not its kind', () => {
    const out = cli.describeResult({ kind: 'nothing-to-do', message: 'Everything is up to date', committed: 0, applied: 0, pushed: false, conflicts: 0, at: NOW, skipped: [], warnings: [] });
    expect(out).toBe('Everything is up to date');
  });
  it('Node.js older than 20.19 is told plainly', () => {
    expect(cli.nodeTooOld('20.19.0')).toBeNull();
    expect(cli.nodeTooOld('22.12.0')).toBeNull();
    expect(cli.nodeTooOld('20.18.3')).toMatch(/needs Node\.js 20\.19 or later; this is Node\.js 20\.18\.3/);
    expect(cli.nodeTooOld('18.20.0')).toMatch(/20\.19/);
  });
});
