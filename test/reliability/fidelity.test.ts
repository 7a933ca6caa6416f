/**
 * Fidelity: data-losing bugs a new user hit with two or three machines that have distinct host names
 * (`laptop-a`, `desk-b`, `vm-b`, `laptop-c`). Each scenario asserts on what the person sees — live file
 * contents, modes, link targets, exit codes and output, `--json` output, what is in the remote — and
 * is written once against a small driver interface (fidelity/drivers.ts) and run through the CLI
 * (spawned `confsync` commands) and the in-process engine. Scenarios that only make sense through one
 * surface (daemon, lock contention, `ignore` and `km` commands, live-path arguments) run once.
 *
 * The scenarios use the shapes of the fixed product (fidelity/shapes.ts): SyncResult with `skipped`
 * and `warnings`, Conflict sides with `where`, `mine` always the asking machine.
 *
 * Scenarios are independent (own temp dirs, own bare remote) and run concurrently; the ones that change
 * process-wide state (7: HOME for the in-process engine's git) or run daemons (15, 17) run sequentially
 * at the end. Needs the built CLI (`node scripts/build.mjs cli`; npm test builds first).
 */
import { describe, it, onTestFinished as _onTestFinished, type ExpectStatic } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { DRIVERS, cliDriver, engineDriver, runCli, show, type Driver, type Keep } from './fidelity/drivers.js';
import {
  Scope,
  bareRemote,
  conflictCopiesBeside,
  exited,
  fakePgrep,
  filesHolding,
  filesUnder,
  gitOut,
  kindOf,
  listOf,
  makeConflict,
  mode,
  must,
  readIfExists,
  remoteBytes,
  remoteFile,
  remotePathEnding,
  remoteTree,
  silentServer,
  spawnDaemon,
  stopProc,
  tmp,
  waitFor,
  writeMode,
} from './fidelity/world.js';
import { UP_TO_DATE, type Skip } from './fidelity/shapes.js';
import { encodeLibrary, generateLibrary, groupOf } from '../helpers/km-library.js';
import { decodePlist } from '../../electron/engine/km/plist-codec.js';
import { isDeepStrictEqual } from 'node:util';
import { positiveCorpus } from '../unit/secrets/corpus.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';

// People have no GIT_AUTHOR_* / GIT_COMMITTER_* in their environment (test/helpers/setup.ts sets them
// for every test process): without them here, the in-process engine commits as a person's git would.
for (const k of Object.keys(process.env)) if (/^GIT_(AUTHOR|COMMITTER)_/.test(k)) delete process.env[k];

type OnFinished = typeof _onTestFinished;

/**
 * A binary plist holding the same library as `expected` (the repo stores a binary plist as XML and each
 * machine writes it back binary: the same values, this writer's bytes). `format` 'any': XML counts too.
 */
function sameLibrary(actual: Buffer | null | undefined, expected: Buffer, format: 'binary' | 'any' = 'binary'): boolean {
  if (!actual) return false;
  const got = decodePlist(actual);
  return (format === 'any' || got.format === 'binary') && isDeepStrictEqual(got.value, decodePlist(expected).value);
}

function scope(d: Driver, onTestFinished: OnFinished): Scope {
  const s = new Scope(d);
  onTestFinished(() => s.close());
  return s;
}

/** A real-format (generated) AWS access key id: no literal key in this source. */
const AKID = positiveCorpus().find((c) => c.name === 'aws credentials key id')!.secret;
const SECRET_LINE = `export AWS_ACCESS_KEY_ID=${AKID}\n`;

const HOSTS = ['laptop-a', 'desk-b', 'vm-b', 'laptop-c'];
const named = (list: Skip[] | undefined, ending: string) => (list ?? []).filter((k) => k.path.endsWith(ending));
const json = (v: unknown) => String(JSON.stringify(v)).slice(0, 3000);
const gitTry = (dir: string, ...args: string[]) => {
  try {
    return gitOut(dir, ...args);
  } catch {
    return '';
  }
};
const remoteHead = (remote: string) => gitTry(remote, 'rev-parse', 'main').trim() || null;
/** A path of the form the product's messages would use for a file we meant (`.zshrc`, not the typo `.zshrcc`). */
const SUGGESTS_ZSHRC = /\.zshrc(?!c)/;

const T = 180_000;

describe.concurrent.each(DRIVERS)('fidelity ($name driver)', (d) => {
  // ---------------------------------------------------------------------------------------------- 1
  async function oneMachineWithHistory(s: Scope) {
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: ['zsh'] });
    a.write('.zshrc', 'v1\n');
    await must(d.sync(a), 'sync v1');
    a.write('.zshrc', 'v2\n');
    await must(d.sync(a), 'sync v2');
    const before = { live: a.read('.zshrc'), head: gitOut(a.repo, 'rev-parse', 'HEAD').trim(), remote: remoteHead(remote) };
    return { remote, a, before };
  }

  it('1a restore --at an unknown revision: exit 1 naming it; live file, repo HEAD and remote unchanged', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const { remote, a, before } = await oneMachineWithHistory(s);
    const r = await d.restore(a, 'zsh/.zshrc', 'deadbeef');
    expect.soft(r.code, show(r)).toBe(1);
    expect.soft(r.stderr).toMatch(/deadbeef/);
    expect.soft(r.stderr).toMatch(/unknown|not found|no such|does not exist|bad revision|invalid/i);
    expect.soft(a.read('.zshrc'), 'live file').toBe(before.live);
    expect.soft(gitOut(a.repo, 'rev-parse', 'HEAD').trim(), 'repo HEAD').toBe(before.head);
    expect.soft(remoteHead(remote), "remote's main").toBe(before.remote);
  });

  it('1b restore --at a revision where the file does not exist: exit 1 saying so; nothing changes', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const { remote, a, before } = await oneMachineWithHistory(s);
    const root = gitOut(a.repo, 'rev-list', '--max-parents=0', 'HEAD').trim().split('\n').pop()!;
    const r = await d.restore(a, 'zsh/.zshrc', root);
    expect.soft(r.code, show(r)).toBe(1);
    expect.soft(r.stderr).toMatch(/does not exist|did not exist|not exist|no such file|not present|not in/i);
    expect.soft(a.read('.zshrc'), 'live file').toBe(before.live);
    expect.soft(gitOut(a.repo, 'rev-parse', 'HEAD').trim(), 'repo HEAD').toBe(before.head);
    expect.soft(remoteHead(remote), "remote's main").toBe(before.remote);
  });

  // ---------------------------------------------------------------------------------------------- 2
  it('2 conflict point of view: mine is the asking machine on both A and B; copies named after the host they hold', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const { a, b, textA, textB } = await makeConflict(s);
    const ca = listOf(await d.conflicts(a));
    const cb = listOf(await d.conflicts(b));
    expect(ca, `conflicts on A: ${json(ca)}`).toHaveLength(1);
    expect(cb, `conflicts on B: ${json(cb)}`).toHaveLength(1);
    expect.soft(ca[0].mine.host, 'A: mine.host').toBe('laptop-a');
    expect.soft(ca[0].theirs.host, 'A: theirs.host').toBe('desk-b');
    expect.soft(cb[0].mine.host, 'B: mine.host').toBe('desk-b');
    expect.soft(cb[0].theirs.host, 'B: theirs.host').toBe('laptop-a');
    const textOf = (host: string) => (host === 'laptop-a' ? textA['.zshrc'] : textB['.zshrc']);
    for (const [m, c] of [
      [a, ca[0]],
      [b, cb[0]],
    ] as const) {
      for (const n of conflictCopiesBeside(m.path('.zshrc'))) {
        const host = /^\.zshrc\.conflict-(.+)-\d{8}-\d{6}$/.exec(n)?.[1];
        expect.soft(HOSTS, `copy ${n} on ${m.name} is named after a host`).toContain(host);
        expect.soft(readFileSync(join(m.home, n), 'utf8'), `copy ${n} on ${m.name} holds ${host}'s version`).toBe(textOf(host!));
      }
      for (const side of [c.mine, c.theirs]) {
        expect.soft(['live', 'copy', 'deleted'], `${m.name}: ${side.host}.where`).toContain(side.where);
        if (side.where === 'live') expect.soft(m.read('.zshrc'), `${m.name}: ${side.host}'s version is in the live file`).toBe(textOf(side.host));
        if (side.where === 'copy') expect.soft(readIfExists(join(m.home, basename(c.copyPath ?? '-'))), `${m.name}: ${side.host}'s version is in the copy`).toBe(textOf(side.host));
      }
    }
  });

  async function resolveCase(s: Scope, on: 'a' | 'b', keep: Keep) {
    const w = await makeConflict(s);
    const [x, y] = on === 'a' ? [w.a, w.b] : [w.b, w.a];
    const r = await d.resolve(x, 'zsh/.zshrc', keep);
    if (r.code !== 0) throw new Error(`resolve --keep ${keep} on ${x.name} failed: ${show(r)}`);
    await must(d.sync(x), `sync ${x.name}`);
    await must(d.sync(y), `sync ${y.name}`);
    await must(d.sync(x), `sync ${x.name}`);
    return w;
  }

  async function expectSettled(expect: ExpectStatic, w: Awaited<ReturnType<typeof makeConflict>>, text: string) {
    expect.soft(w.a.read('.zshrc'), 'live .zshrc on A').toBe(text);
    expect.soft(w.b.read('.zshrc'), 'live .zshrc on B').toBe(text);
    expect.soft(listOf(await d.conflicts(w.a)), 'conflicts open on A').toEqual([]);
    expect.soft(listOf(await d.conflicts(w.b)), 'conflicts open on B').toEqual([]);
    expect.soft(conflictCopiesBeside(w.a.path('.zshrc')), 'copies on A').toEqual([]);
    expect.soft(conflictCopiesBeside(w.b.path('.zshrc')), 'copies on B').toEqual([]);
    expect.soft(remoteTree(w.remote).filter((p) => p.includes('.zshrc.conflict-')), 'copies in the remote').toEqual([]);
  }

  it("2a resolve --keep mine on A: A's text everywhere, nothing left over", { timeout: T }, async ({ expect, onTestFinished }) => {
    const w = await resolveCase(scope(d, onTestFinished), 'a', 'mine');
    await expectSettled(expect, w, w.textA['.zshrc']);
  });

  it("2b resolve --keep mine on B: B's text everywhere, nothing left over", { timeout: T }, async ({ expect, onTestFinished }) => {
    const w = await resolveCase(scope(d, onTestFinished), 'b', 'mine');
    await expectSettled(expect, w, w.textB['.zshrc']);
  });

  it("2c resolve --keep theirs on A: B's text everywhere, nothing left over", { timeout: T }, async ({ expect, onTestFinished }) => {
    const w = await resolveCase(scope(d, onTestFinished), 'a', 'theirs');
    await expectSettled(expect, w, w.textB['.zshrc']);
  });

  it("2d resolve --keep both on A: A's text live, B's text in a plain file beside it on A; B gets A's text", { timeout: T }, async ({ expect, onTestFinished }) => {
    const w = await resolveCase(scope(d, onTestFinished), 'a', 'both');
    expect.soft(w.a.read('.zshrc'), 'live .zshrc on A').toBe(w.textA['.zshrc']);
    const beside = readdirSync(w.a.home).filter((n) => n !== '.zshrc' && kindOf(join(w.a.home, n)) === 'file' && readFileSync(join(w.a.home, n), 'utf8') === w.textB['.zshrc']);
    expect.soft(beside, `files beside .zshrc on A holding B's text (home: ${readdirSync(w.a.home).join(', ')})`).toHaveLength(1);
    expect.soft(w.b.read('.zshrc'), 'live .zshrc on B').toBe(w.textA['.zshrc']);
    expect.soft(listOf(await d.conflicts(w.a)), 'conflicts open on A').toEqual([]);
    expect.soft(listOf(await d.conflicts(w.b)), 'conflicts open on B').toEqual([]);
  });

  // ---------------------------------------------------------------------------------------------- 3
  async function joinCase(expect: ExpectStatic, s: Scope, syncFirstWithoutRemote: boolean) {
    const remote = bareRemote();
    const b = s.machine('vm-b', { remote, profiles: ['zsh'] });
    b.write('.zshrc', 'vm\n');
    await must(d.sync(b), 'sync on vm-b');
    const c = s.machine('laptop-c', { remote: null, profiles: ['zsh'] });
    c.write('.zshrc', 'old laptop\n');
    if (syncFirstWithoutRemote) await must(d.sync(c), 'sync on laptop-c without a remote');
    const r = await d.init(c, remote);
    expect(r.code, show(r)).toBe(0);
    await must(d.sync(b), 'sync on vm-b after laptop-c joined');
    expect.soft(b.read('.zshrc'), "vm-b's live .zshrc").toBe('vm\n');
    expect.soft(remoteFile(remote, 'zsh/.zshrc'), 'remote main:zsh/.zshrc').toBe('vm\n');
    expect.soft(c.read('.zshrc'), "laptop-c's live .zshrc").toBe('vm\n');
    const copies = conflictCopiesBeside(c.path('.zshrc'));
    expect.soft(copies.filter((n) => n.startsWith('.zshrc.conflict-laptop-c-') && readFileSync(join(c.home, n), 'utf8') === 'old laptop\n'), `copies beside on laptop-c: ${copies.join(', ')}`).toHaveLength(1);
    const list = listOf(await d.conflicts(c));
    expect.soft(list, `conflicts on laptop-c: ${json(list)}`).toHaveLength(1);
    expect.soft(list[0]?.mine.host, 'mine.host on laptop-c').toBe('laptop-c');
  }

  it("3a a machine joining with its own .zshrc keeps the remote's version and its own beside it", { timeout: T }, async ({ expect, onTestFinished }) => {
    await joinCase(expect, scope(d, onTestFinished), false);
  });

  it('3b same when the joining machine synced locally (no remote) before joining', { timeout: T }, async ({ expect, onTestFinished }) => {
    await joinCase(expect, scope(d, onTestFinished), true);
  });

  // ---------------------------------------------------------------------------------------------- 4
  const SECRETS_ISH = ['~/.ssh/config', '~/.netrc', '~/bin'];
  async function modesSetup(s: Scope) {
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: [] });
    const b = s.machine('desk-b', { remote, profiles: ['secrets-ish'] });
    writeMode(a, '.ssh/config', 'Host example\n  HostName example.com\n', 0o600);
    writeMode(a, '.netrc', 'machine example.com\n', 0o600);
    writeMode(a, 'bin/tool', '#!/bin/sh\necho tool\n', 0o755);
    await must(d.addProfile(a, 'secrets-ish', SECRETS_ISH), 'profile add secrets-ish');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    return { remote, a, b };
  }

  it('4a file modes arrive: 0600, 0600, 0755', { timeout: T }, async ({ expect, onTestFinished }) => {
    const { b } = await modesSetup(scope(d, onTestFinished));
    expect(b.read('.ssh/config')).toBe('Host example\n  HostName example.com\n');
    expect(b.read('.netrc')).toBe('machine example.com\n');
    expect(b.read('bin/tool')).toBe('#!/bin/sh\necho tool\n');
    expect.soft(mode(b.path('.ssh/config')).toString(8), '~/.ssh/config on B').toBe('600');
    expect.soft(mode(b.path('.netrc')).toString(8), '~/.netrc on B').toBe('600');
    expect.soft(mode(b.path('bin/tool')).toString(8), '~/bin/tool on B').toBe('755');
  });

  it('4b a stricter mode never becomes looser: B keeps 0600 when A (0644) edits the file', { timeout: T }, async ({ expect, onTestFinished }) => {
    const { a, b } = await modesSetup(scope(d, onTestFinished));
    chmodSync(b.path('.ssh/config'), 0o600);
    await must(d.sync(b), 'sync B');
    await must(d.sync(a), 'sync A');
    writeMode(a, '.ssh/config', 'Host example\n  HostName example.org\n', 0o644);
    await must(d.sync(a), 'sync A after its edit');
    await must(d.sync(b), 'sync B');
    expect(b.read('.ssh/config'), "B has A's new content").toBe('Host example\n  HostName example.org\n');
    expect(mode(b.path('.ssh/config')).toString(8), '~/.ssh/config mode on B').toBe('600');
  });

  // ---------------------------------------------------------------------------------------------- 5
  it("5a an absolute link into home is re-rooted in the other machine's home", { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: ['zsh'] });
    const b = s.machine('desk-b', { remote, profiles: ['zsh', 'dotfiles'] });
    a.write('dotfiles/zshrc', 'export FROM=laptop-a\n');
    symlinkSync(join(a.home, 'dotfiles', 'zshrc'), a.path('.zshrc'));
    await must(d.addProfile(a, 'dotfiles', ['~/dotfiles']), 'profile add dotfiles');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    expect(kindOf(b.path('.zshrc')), "B's .zshrc").toBe('link');
    expect.soft(readlinkSync(b.path('.zshrc')), "B's link target").toBe(join(b.home, 'dotfiles', 'zshrc'));
    expect.soft(readFileSync(b.path('.zshrc'), 'utf8'), "reading B's .zshrc through the link").toBe('export FROM=laptop-a\n');
  });

  it('5b a link pointing outside home is not synced and is listed in skipped', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: ['git'] });
    const outside = join(tmp('cs-outside-'), 'gitconfig');
    writeFileSync(outside, '[core]\n\teditor = vim\n');
    symlinkSync(outside, a.path('.gitconfig'));
    const r = await d.sync(a);
    expect(r.code, show(r)).toBe(0);
    expect.soft(remoteFile(remote, 'git/.gitconfig'), 'main:git/.gitconfig on the remote').toBeNull();
    const k = named(r.json?.skipped, '.gitconfig');
    expect.soft(k, `skipped: ${json(r.json?.skipped)}`).toHaveLength(1);
    expect.soft(k[0]?.reason ?? '(no entry)', 'the reason').toMatch(/outside|home/i);
  });

  it('5c a link never replaces a regular file without a conflict', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: ['zsh'] });
    const b = s.machine('desk-b', { remote, profiles: ['zsh', 'dotfiles'] });
    a.write('dotfiles/zshrc', 'export FROM=dotfiles\n');
    a.write('.zshrc', 'export REGULAR=1\n');
    await must(d.addProfile(a, 'dotfiles', ['~/dotfiles']), 'profile add dotfiles');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    expect(kindOf(b.path('.zshrc')), "set-up: B's .zshrc is a regular file").toBe('file');
    a.remove('.zshrc');
    symlinkSync(join(a.home, 'dotfiles', 'zshrc'), a.path('.zshrc'));
    await must(d.sync(a), 'sync A after the link replaced the file');
    await must(d.sync(b), 'sync B');
    const list = listOf(await d.conflicts(b));
    expect.soft(list.filter((c) => c.path.endsWith('.zshrc')), `conflicts on B: ${json(list)}`).toHaveLength(1);
    const kept = filesHolding(b.home, 'export REGULAR=1\n').filter((p) => p === '.zshrc' || p.startsWith('.zshrc.conflict-'));
    expect.soft(kept, `B's regular-file content on B's disk (files: ${filesUnder(b.home).join(', ')})`).not.toEqual([]);
  });

  // ---------------------------------------------------------------------------------------------- 6
  it('6a truncated JSON is held back (skipped, remote and B keep the valid version); JSONC syncs', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: [] });
    const b = s.machine('desk-b', { remote, profiles: ['app'] });
    const valid1 = JSON.stringify({ theme: 'dark', fontSize: 14, plugins: ['git', 'docker', 'fzf'], nested: { x: 1, y: [1, 2, 3] } }, null, 2) + '\n';
    a.write('.config/app/settings.json', valid1);
    await must(d.addProfile(a, 'app', ['~/.config/app']), 'profile add app');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    expect(b.read('.config/app/settings.json'), 'set-up: B has the valid version').toBe(valid1);
    const path = remotePathEnding(remote, 'settings.json')!;
    a.write('.config/app/settings.json', valid1.slice(0, Math.floor(valid1.length / 2)));
    const r = await d.sync(a);
    const k = named(r.json?.skipped, 'settings.json');
    expect.soft(k, `skipped: ${json(r.json?.skipped)} (result: ${show(r)})`).toHaveLength(1);
    expect.soft(k[0]?.reason ?? '(no entry)', 'the reason').toMatch(/JSON/);
    expect.soft(k[0]?.reason ?? '(no entry)', 'the reason').toMatch(/not valid|invalid|parse|malformed|corrupt|truncat/i);
    expect.soft(remoteFile(remote, path), `remote main:${path}`).toBe(valid1);
    await must(d.sync(b), 'sync B');
    expect.soft(() => JSON.parse(b.read('.config/app/settings.json') ?? ''), "B's settings.json parses").not.toThrow();
    expect.soft(b.read('.config/app/settings.json'), "B's settings.json").toBe(valid1);
    const valid2 = JSON.stringify({ theme: 'light', fontSize: 15 }, null, 2) + '\n';
    a.write('.config/app/settings.json', valid2);
    await must(d.sync(a), 'sync A (valid again)');
    await must(d.sync(b), 'sync B');
    expect.soft(b.read('.config/app/settings.json'), 'a new valid version arrives').toBe(valid2);
    const jsonc = '{\n  // editor settings\n  "theme": "solarized",\n  "rulers": [80, 120,],\n}\n';
    a.write('.config/app/settings.json', jsonc);
    await must(d.sync(a), 'sync A (JSONC)');
    expect.soft(remoteFile(remote, path), 'JSONC with comments and a trailing comma is not held back').toBe(jsonc);
    await must(d.sync(b), 'sync B');
    expect.soft(b.read('.config/app/settings.json'), 'JSONC arrives on B').toBe(jsonc);
  });

  it('6b a truncated Keyboard Maestro library is held back; B keeps a parseable library', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: [] });
    const b = s.machine('desk-b', { remote, profiles: ['km'] });
    const rel = 'Library/Application Support/Keyboard Maestro/Keyboard Maestro Macros.plist';
    const v1 = encodeLibrary(generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 11 }), 'binary');
    a.write(rel, v1);
    await must(d.addProfile(a, 'km', ['~/Library/Application Support/Keyboard Maestro']), 'profile add km');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    expect(sameLibrary(readFileSync(b.path(rel)), v1), 'set-up: B has the library').toBe(true);
    const onB = readFileSync(b.path(rel));
    const path = remotePathEnding(remote, 'Keyboard Maestro Macros.plist')!;
    a.write(rel, v1.subarray(0, Math.floor(v1.length / 2)));
    const r = await d.sync(a);
    expect.soft(named(r.json?.skipped, 'Keyboard Maestro Macros.plist'), `skipped: ${json(r.json?.skipped)} (result: ${show(r)})`).toHaveLength(1);
    expect.soft(sameLibrary(remoteBytes(remote, path), v1, 'any'), 'the remote keeps the valid library').toBe(true);
    await must(d.sync(b), 'sync B');
    expect.soft(readFileSync(b.path(rel)).equals(onB), "B's library is still the valid one").toBe(true);
  });

  // ---------------------------------------------------------------------------------------------- 8
  it('8a a hand-written, uncommitted .confsyncignore survives the next process opening the repo', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: ['zsh'] });
    a.write('.zshrc', 'z\n');
    await must(d.sync(a), 'sync A');
    writeFileSync(join(a.repo, '.confsyncignore'), 'zsh/.zsh_history\n');
    await d.reopen(a);
    const r = await d.sync(a);
    expect(r.code, show(r)).toBe(0);
    const file = join(a.repo, '.confsyncignore');
    const kept = existsSync(file) && readFileSync(file, 'utf8').includes('zsh/.zsh_history');
    if (!kept) {
      const aside = filesUnder(a.repo).filter((p) => !p.startsWith('.git/') && readIfExists(join(a.repo, p)).includes('zsh/.zsh_history'));
      const st = (await d.status(a)).json;
      const words = [...(r.json?.warnings ?? []), ...(st?.activity ?? []).map((x) => x.text), ...(st?.errors ?? []).map((x) => `${x.message} ${x.detail ?? ''}`)].join('\n');
      expect(aside, `.confsyncignore is gone from the repo folder (${filesUnder(a.repo).filter((p) => !p.startsWith('.git/')).join(', ')})`).not.toEqual([]);
      expect(words, 'a notice says where .confsyncignore went').toMatch(/confsyncignore/);
    }
  });

  // ---------------------------------------------------------------------------------------------- 11
  it('11a an invalid config.json: configError set and not safe to shut down', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const a = s.machine('laptop-a', { remote: null, profiles: ['zsh'], settings: { sync: { intervalSec: 1 } } });
    a.write('.zshrc', 'z\n');
    const st = await d.status(a);
    expect(st.code, show(st)).toBe(0);
    expect.soft(st.json?.configError, 'configError').toBeTruthy();
    expect.soft(st.json?.safeToShutDown, 'safeToShutDown').toBe(false);
  });

  it('11b a held-back secret: the sync says so, status shows it, not safe to shut down', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: ['zsh'] });
    a.write('.zshrc', 'export EDITOR=vim\n');
    await must(d.sync(a), 'sync A');
    a.write('.zshrc', `export EDITOR=vim\n${SECRET_LINE}`);
    const r = await d.sync(a);
    expect.soft(r.json?.message, show(r)).not.toBe(UP_TO_DATE);
    const st = (await d.status(a)).json;
    const inSync = named(r.json?.skipped, '.zshrc').length + (st?.secrets ?? []).filter((f) => f.path.endsWith('.zshrc')).length;
    expect.soft(inSync, `sync skipped: ${json(r.json?.skipped)}; status secrets: ${json(st?.secrets)}`).toBeGreaterThan(0);
    const shown = named(st?.skipped, '.zshrc').length + (st?.secrets ?? []).filter((f) => f.path.endsWith('.zshrc')).length;
    expect.soft(shown, `status: skipped ${json(st?.skipped)}, secrets ${json(st?.secrets)}`).toBeGreaterThan(0);
    expect.soft(st?.safeToShutDown, 'status safeToShutDown').toBe(false);
  });

  it('11c one open conflict: safeToShutDown is the same right after detection and after a sync with nothing new', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const { b } = await makeConflict(s, { thirdSync: false });
    const s1 = (await d.status(b)).json!;
    await must(d.sync(b), 'sync B again');
    const s2 = (await d.status(b)).json!;
    expect(s1.conflicts, 'one conflict open').toHaveLength(1);
    expect(s2.conflicts, 'one conflict open').toHaveLength(1);
    expect(s2.safeToShutDown, `after detection ${s1.safeToShutDown}, after a quiet sync ${s2.safeToShutDown}`).toBe(s1.safeToShutDown);
    expect([s1.repo.ahead, s2.repo.ahead], 'everything pushed').toEqual([0, 0]);
    expect(s1.safeToShutDown, 'pushed, so safe').toBe(true);
  });

  // ---------------------------------------------------------------------------------------------- 13
  async function dotsPair(s: Scope) {
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: [] });
    const b = s.machine('desk-b', { remote, profiles: ['dots'] });
    a.write('.dots/d/x', 'x\n');
    a.write('.dots/e', 'e\n');
    await must(d.addProfile(a, 'dots', ['~/.dots']), 'profile add dots');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    if (b.read('.dots/d/x') !== 'x\n' || b.read('.dots/e') !== 'e\n') throw new Error(`set-up: B lacks .dots (${filesUnder(b.home).join(', ')})`);
    return { remote, a, b };
  }

  it('13a a folder replaced by a file on A becomes that file on B', { timeout: T }, async ({ expect, onTestFinished }) => {
    const { a, b } = await dotsPair(scope(d, onTestFinished));
    a.remove('.dots/d');
    a.write('.dots/d', 'x\n');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    const st = (await d.status(b)).json;
    if (kindOf(b.path('.dots/d')) === 'dir') {
      expect.soft(st?.phase === 'idle' && st?.safeToShutDown, `B still has a folder at ~/.dots/d, yet status says phase=${st?.phase} safeToShutDown=${st?.safeToShutDown}`).toBe(false);
    }
    expect.soft(kindOf(b.path('.dots/d')), '~/.dots/d on B').toBe('file');
    expect.soft(kindOf(b.path('.dots/d')) === 'file' ? b.read('.dots/d') : null, 'content of ~/.dots/d on B').toBe('x\n');
  });

  it('13b a file replaced by a folder on A becomes that folder on B', { timeout: T }, async ({ expect, onTestFinished }) => {
    const { a, b } = await dotsPair(scope(d, onTestFinished));
    a.remove('.dots/e');
    a.write('.dots/e/y', 'y\n');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    expect(kindOf(b.path('.dots/e')), '~/.dots/e on B').toBe('dir');
    expect(b.read('.dots/e/y')).toBe('y\n');
  });

  it("13c folder→file on A while B edits inside it: no '~HEAD'/'~<hex>' files, B's edit kept, a conflict with real host names", { timeout: T }, async ({ expect, onTestFinished }) => {
    const { remote, a, b } = await dotsPair(scope(d, onTestFinished));
    a.remove('.dots/d');
    a.write('.dots/d', 'file d from laptop-a\n');
    b.write('.dots/d/x', 'x edited on desk-b\n');
    const results = [];
    for (const m of [a, b, a, b]) results.push(`${m.name}: ${show(await d.sync(m)).split('\n')[0]}`);
    const tilde = /~(HEAD|[0-9a-f]{6,})/;
    const bad = [...filesUnder(a.home).map((p) => `A:${p}`), ...filesUnder(b.home).map((p) => `B:${p}`), ...remoteTree(remote).map((p) => `remote:${p}`)].filter((p) => tilde.test(p));
    expect.soft(bad, `git's directory/file conflict names (syncs: ${results.join('; ')})`).toEqual([]);
    expect.soft(filesHolding(b.home, 'x edited on desk-b\n'), `B's edit on B's disk (files: ${filesUnder(b.home).join(', ')})`).not.toEqual([]);
    const list = listOf(await d.conflicts(b));
    expect.soft(list.length, `conflicts on B: ${json(list)}`).toBeGreaterThan(0);
    for (const c of list) {
      expect.soft(c.theirs.host, `theirs.host of ${c.path}`).toBe('laptop-a');
      expect.soft(c.mine.host, `mine.host of ${c.path}`).toBe('desk-b');
    }
  });

  // ---------------------------------------------------------------------------------------------- 14
  it('14 deleting the conflict copy by hand settles the conflict everywhere', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const { remote, a, b } = await makeConflict(s);
    const copies = conflictCopiesBeside(a.path('.zshrc'));
    expect(copies, 'set-up: a conflict copy beside .zshrc on A').toHaveLength(1);
    const liveOnA = a.read('.zshrc');
    rmSync(join(a.home, copies[0]));
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    expect.soft(listOf(await d.conflicts(a)), 'conflicts on A').toEqual([]);
    expect.soft(listOf(await d.conflicts(b)), 'conflicts on B').toEqual([]);
    expect.soft(remoteTree(remote).filter((p) => p.includes('.zshrc.conflict-')), 'copies in the remote').toEqual([]);
    expect.soft(conflictCopiesBeside(b.path('.zshrc')), 'copies on B').toEqual([]);
    expect.soft(a.read('.zshrc'), 'live .zshrc on A').toBe(liveOnA);
    expect.soft(b.read('.zshrc'), 'live .zshrc on B').toBe(liveOnA);
  });

  // ---------------------------------------------------------------------------------------------- 16
  it('16 a too-large file and a secret: both in skipped with reasons, shown by status, not safe', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: ['zsh'], settings: { sync: { maxFileBytes: 1000 } } });
    a.write('.zshrc', 'export EDITOR=vim\n');
    a.write('.dots/small.conf', 'small\n');
    await must(d.addProfile(a, 'dots', ['~/.dots']), 'profile add dots');
    await must(d.sync(a), 'sync A');
    a.write('.dots/big.txt', 'x'.repeat(5 * 1024));
    a.write('.zshrc', `export EDITOR=vim\n${SECRET_LINE}`);
    const r = await d.sync(a);
    expect.soft(r.json?.message, show(r)).not.toBe(UP_TO_DATE);
    const big = named(r.json?.skipped, 'big.txt');
    const secret = named(r.json?.skipped, '.zshrc');
    expect.soft(big, `sync skipped: ${json(r.json?.skipped)}`).toHaveLength(1);
    expect.soft(big[0]?.reason ?? '(no entry)', 'reason for big.txt').toMatch(/size|large|limit|bytes/i);
    expect.soft(secret, `sync skipped: ${json(r.json?.skipped)}`).toHaveLength(1);
    expect.soft(secret[0]?.reason ?? '(no entry)', 'reason for .zshrc').toMatch(/secret|key|credential|token/i);
    const st = (await d.status(a)).json;
    expect.soft(named(st?.skipped, 'big.txt'), `status skipped: ${json(st?.skipped)}`).toHaveLength(1);
    expect.soft(named(st?.skipped, '.zshrc').length + (st?.secrets ?? []).filter((f) => f.path.endsWith('.zshrc')).length, `status skipped/secrets: ${json(st?.skipped)} ${json(st?.secrets)}`).toBeGreaterThan(0);
    expect.soft(st?.safeToShutDown, 'safeToShutDown while the secret-holding edit is unsynced').toBe(false);
  });

  // ---------------------------------------------------------------------------------------------- 18
  it('18 a file over the size limit arriving from another client is not written, is listed, and stays in the remote', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const b = s.machine('desk-b', { remote, profiles: ['zsh'], settings: { sync: { maxFileBytes: 1000 } } });
    b.write('.dots/small.conf', 'small\n');
    await must(d.addProfile(b, 'dots', ['~/.dots']), 'profile add dots');
    await must(d.sync(b), 'sync B');
    const small = remotePathEnding(remote, 'small.conf');
    if (!small) throw new Error(`set-up: small.conf not in the remote (${remoteTree(remote).join(', ')})`);
    const big = `${dirname(small)}/big.bin`;
    const clone = join(tmp('cs-other-'), 'clone');
    execFileSync('git', ['clone', '-q', '-b', 'main', remote, clone]);
    mkdirSync(dirname(join(clone, big)), { recursive: true });
    writeFileSync(join(clone, big), Buffer.alloc(6 * 1024, 7));
    execFileSync('git', ['-C', clone, 'add', '--', big]);
    execFileSync('git', ['-C', clone, '-c', 'user.name=Other', '-c', 'user.email=other@example.com', 'commit', '-q', '-m', 'other client: big file']);
    execFileSync('git', ['-C', clone, 'push', '-q', 'origin', 'main']);
    const r = await d.sync(b);
    expect.soft(existsSync(b.path('.dots/big.bin')), `~/.dots/big.bin written on B (${show(r)})`).toBe(false);
    const k = named(r.json?.skipped, 'big.bin');
    expect.soft(k, `skipped: ${json(r.json?.skipped)}`).toHaveLength(1);
    expect.soft(k[0]?.reason ?? '(no entry)', 'the reason').toMatch(/size|large|limit|bytes/i);
    expect.soft(remoteBytes(remote, big)?.length, `main:${big} still on the remote`).toBe(6 * 1024);
  });
});

// ------------------------------------------------------------------------------------------------
// Through the CLI only: commands the engine has no channel for, and live-path arguments.

describe.concurrent('fidelity (cli only)', () => {
  const d = cliDriver;

  it('1c km restore UID --at an unknown revision: exit 1', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const a = s.machine('laptop-a', { remote: bareRemote(), profiles: ['zsh'] });
    a.write('.zshrc', 'v1\n');
    await must(d.sync(a), 'sync A');
    const r = await runCli(a, ['km', 'restore', 'SOMEUID', '--at', 'deadbeef', '--json']);
    expect(r.code, show(r)).toBe(1);
  });

  it('8b confsync ignore add / list / remove; the pattern reaches the other machine', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: ['zsh'] });
    const b = s.machine('desk-b', { remote, profiles: ['zsh'] });
    a.write('.zshrc', 'z\n');
    await must(d.sync(a), 'sync A');
    const add = await runCli(a, ['ignore', 'add', 'zsh/.zsh_history']);
    expect(add.code, show(add)).toBe(0);
    const list = await runCli(a, ['ignore', 'list']);
    expect(list.code, show(list)).toBe(0);
    expect(list.stdout).toContain('zsh/.zsh_history');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    expect(readIfExists(join(b.repo, '.confsyncignore')), "B's repo .confsyncignore").toContain('zsh/.zsh_history');
    const rm = await runCli(a, ['ignore', 'remove', 'zsh/.zsh_history']);
    expect(rm.code, show(rm)).toBe(0);
    const after = await runCli(a, ['ignore', 'list']);
    expect(after.stdout).not.toContain('zsh/.zsh_history');
  });

  it('10 a one-shot sync never writes the Keyboard Maestro library while its Engine runs', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const remote = bareRemote();
    const a = s.machine('laptop-a', { remote, profiles: [] });
    const b = s.machine('desk-b', { remote, profiles: ['km'] });
    const rel = 'Library/Application Support/Keyboard Maestro/Keyboard Maestro Macros.plist';
    const root = generateLibrary({ groups: 2, macrosPerGroup: 3, seed: 5 });
    const v1 = encodeLibrary(root, 'binary');
    a.write(rel, v1);
    await must(d.addProfile(a, 'km', ['~/Library/Application Support/Keyboard Maestro']), 'profile add km');
    await must(d.sync(a), 'sync A');
    await must(d.sync(b), 'sync B');
    expect(sameLibrary(readFileSync(b.path(rel)), v1), 'set-up: B has the library').toBe(true);
    const onB = readFileSync(b.path(rel));
    groupOf(root, 'Group 0').Name = 'Group 0 renamed on laptop-a';
    const v2 = encodeLibrary(root, 'binary');
    a.write(rel, v2);
    await must(d.sync(a), 'sync A (changed library)');
    const pg = fakePgrep();
    const r = await d.sync(b, { pathPrefix: pg.dir });
    const pgrepCalls = readIfExists(pg.log).trim() || '(pgrep never ran)';
    expect.soft(readFileSync(b.path(rel)).equals(onB), `B's live library unchanged while the Engine runs (result: ${r.json?.kind}: ${r.json?.message}; pgrep calls: ${pgrepCalls})`).toBe(true);
    const words = [...(r.json?.skipped ?? []).map((k) => `${k.path}: ${k.reason}`), ...(r.json?.warnings ?? [])].join('\n');
    expect.soft(words, `skipped/warnings (pgrep calls: ${pgrepCalls})`).toMatch(/Keyboard Maestro Engine.*running|running.*Keyboard Maestro Engine/i);
    await must(d.sync(b), 'sync B (Engine not running)');
    expect.soft(sameLibrary(readFileSync(b.path(rel)), v2), 'applied once the Engine is not running').toBe(true);
  });

  it('12a resolve accepts the live path (absolute and ~/) and the repo path', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const { b } = await makeConflict(s, { files: ['.zshrc', '.zshenv', '.zprofile'], thirdSync: false });
    expect(listOf(await d.conflicts(b)), 'set-up: three conflicts on B').toHaveLength(3);
    for (const p of [join(b.home, '.zshrc'), '~/.zshenv', 'zsh/.zprofile']) {
      const r = await d.resolve(b, p, 'mine');
      expect.soft(r.code, `resolve ${p}: ${show(r)}`).toBe(0);
    }
    expect(listOf(await d.conflicts(b)), 'conflicts left on B').toEqual([]);
  });

  it('12b an unknown path (resolve, history, restore): exit 1 naming the closest synced path', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(d, onTestFinished);
    const a = s.machine('laptop-a', { remote: bareRemote(), profiles: ['zsh'] });
    a.write('.zshrc', 'v1\n');
    await must(d.sync(a), 'sync v1');
    a.write('.zshrc', 'v2\n');
    await must(d.sync(a), 'sync v2');
    for (const args of [
      ['resolve', '~/.zshrcc', '--keep', 'mine'],
      ['history', '~/.zshrcc'],
      ['restore', '~/.zshrcc', '--at', 'HEAD~1'],
    ]) {
      const r = await runCli(a, args);
      expect.soft(r.code, `${args.join(' ')}: ${show(r)}`).toBe(1);
      expect.soft(r.stderr, `${args.join(' ')} suggests .zshrc`).toMatch(SUGGESTS_ZSHRC);
    }
    expect(a.read('.zshrc')).toBe('v2\n');
  });
});

// ------------------------------------------------------------------------------------------------
// Sequential: process-wide state (HOME of the in-process engine's git) and real daemon processes.

describe.sequential('fidelity (sequential)', () => {
  /** For the engine driver git reads the person's ~/.gitconfig from the test process's HOME. */
  async function asPerson<T>(d: Driver, home: string, fn: () => Promise<T>): Promise<T> {
    if (d !== engineDriver) return fn();
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      return await fn();
    } finally {
      process.env.HOME = saved;
    }
  }

  describe.each(DRIVERS)('$name driver', (d) => {
    it('7a ~/.gitconfig deleted after set-up: the next edit is still committed and pushed', { timeout: T }, async ({ expect, onTestFinished }) => {
      const s = scope(d, onTestFinished);
      const remote = bareRemote();
      const a = s.machine('laptop-a', { remote, profiles: ['zsh', 'git'] });
      await asPerson(d, a.home, async () => {
        a.write('.gitconfig', '[user]\n\tname = Person\n\temail = p@example.com\n');
        a.write('.zshrc', 'z1\n');
        await must(d.sync(a), 'sync A');
        a.remove('.gitconfig');
        a.write('.zshrc', 'z2\n');
        const r = await d.sync(a);
        expect.soft(['ok', 'local-only'], show(r)).toContain(r.json?.kind);
        expect.soft(gitTry(a.repo, 'show', 'HEAD:zsh/.zshrc'), 'the edit is committed').toBe('z2\n');
        expect.soft(gitTry(a.repo, 'log', '-1', '--format=%s'), 'last commit subject').toMatch(/\.zshrc/);
        expect.soft(remoteFile(remote, 'zsh/.zshrc'), 'the edit is pushed').toBe('z2\n');
        expect.soft(gitTry(a.repo, 'config', '--local', 'user.name').trim(), 'repo-local user.name').not.toBe('');
      });
    });

    it("7b the repo's local identity unset by hand, no ~/.gitconfig: the next edit is still committed", { timeout: T }, async ({ expect, onTestFinished }) => {
      const s = scope(d, onTestFinished);
      const remote = bareRemote();
      const a = s.machine('laptop-a', { remote, profiles: ['zsh'] });
      await asPerson(d, a.home, async () => {
        a.write('.zshrc', 'z1\n');
        await must(d.sync(a), 'sync A');
        spawnSync('git', ['-C', a.repo, 'config', '--local', '--unset', 'user.name']);
        spawnSync('git', ['-C', a.repo, 'config', '--local', '--unset', 'user.email']);
        a.write('.zshrc', 'z3\n');
        const r = await d.sync(a);
        expect.soft(['ok', 'local-only'], show(r)).toContain(r.json?.kind);
        expect.soft(gitTry(a.repo, 'show', 'HEAD:zsh/.zshrc'), 'the edit is committed').toBe('z3\n');
        expect.soft(remoteFile(remote, 'zsh/.zshrc'), 'the edit is pushed').toBe('z3\n');
      });
    });
  });

  it('15a a daemon started while a slow CLI command holds the lock keeps running', { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(cliDriver, onTestFinished);
    const hang = await silentServer(s);
    const a = s.machine('laptop-a', { remote: hang.url, profiles: ['zsh'], settings: { sync: { gitTimeoutMs: 6000 } } });
    a.write('.zshrc', 'z\n');
    const slow = runCli(a, ['sync', '--json']);
    await waitFor(() => hang.connections() > 0, 'the slow sync to reach the remote (it holds the lock now)', 30_000);
    const daemon = spawnDaemon(s, a);
    const slowResult = await slow;
    const code = await Promise.race([exited(daemon.proc), waitFor(() => /ConfSync UI: http/.test(daemon.out()), 'daemon UI URL', 60_000).then(() => 'running' as const)]);
    expect(code, `daemon output:\n${daemon.out()}\n(slow CLI: ${show(slowResult).split('\n')[0]})`).toBe('running');
    expect(daemon.proc.exitCode, 'the daemon is still running').toBeNull();
  });

  it("15b CLI commands in the daemon's first 500 ms all exit 0; the daemon keeps running", { timeout: T }, async ({ expect, onTestFinished }) => {
    const s = scope(cliDriver, onTestFinished);
    const a = s.machine('laptop-a', { remote: bareRemote(), profiles: ['zsh'] });
    a.write('.zshrc', 'z\n');
    const statuses = [runCli(a, ['status', '--json']), runCli(a, ['status', '--json'])];
    const daemon = spawnDaemon(s, a);
    statuses.push(runCli(a, ['status', '--json']));
    // Spread over the daemon's first half second (scheduling only; nothing is asserted on time).
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 150));
      statuses.push(runCli(a, ['status', '--json']));
    }
    const results = await Promise.all(statuses);
    expect(results.map((r) => r.code), results.filter((r) => r.code !== 0).map((r) => r.stderr.trim()).join('\n')).toEqual(results.map(() => 0));
    const code = await Promise.race([exited(daemon.proc), waitFor(() => /ConfSync UI: http/.test(daemon.out()), 'daemon UI URL', 60_000).then(() => 'running' as const)]);
    expect(code, `daemon output:\n${daemon.out()}`).toBe('running');
  });

  it('17 SIGTERM right after an edit: the daemon exits and the remote has the edit (3 of 3)', { timeout: T }, async ({ expect }) => {
    const remote = bareRemote();
    const root = tmp('cs-stopper-');
    const outcomes: string[] = [];
    for (let i = 1; i <= 3; i++) {
      let dh: DaemonHandle | null = null;
      try {
        dh = await startDaemon({ root, settings: { hostName: 'laptop-a', enabledProfiles: ['zsh'], remote: { url: remote, branch: 'main' } }, files: i === 1 ? { '.zshrc': 'v0\n' } : {}});
        const prev = i === 1 ? 'v0\n' : `edit ${i - 1}\n`;
        await waitFor(() => remoteFile(remote, 'zsh/.zshrc') === prev, `remote has ${JSON.stringify(prev)} before round ${i}`, 30_000);
        writeFileSync(join(dh.home, '.zshrc'), `edit ${i}\n`);
        const stopped = dh.stop('SIGTERM');
        const code = await Promise.race([stopped, new Promise<string>((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
        const got = remoteFile(remote, 'zsh/.zshrc');
        const local = gitTry(join(root, 'config', 'repo'), 'show', 'HEAD:zsh/.zshrc');
        outcomes.push(`round ${i}: exit ${code}, remote has ${JSON.stringify(got)} (local HEAD ${JSON.stringify(local)})${got === `edit ${i}\n` ? ' (ok)' : ''}`);
      } finally {
        if (dh && dh.proc.exitCode === null) await stopProc(dh.proc);
      }
    }
    expect(outcomes.filter((o) => o.endsWith('(ok)')), outcomes.join('\n')).toHaveLength(3);
  });
});
