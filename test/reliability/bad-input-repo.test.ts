/**
 * Bad-input corpus, part 2: what can arrive through the repo from another clone (broken or hostile
 * profile definitions, conflict registries, tree entries with `..`, `.git`, slashes, links out of the
 * profile) and odd things on disk (link loops, FIFOs, every byte value, strange names, files that grow
 * past the limit, unreadable files and directories as an unprivileged user, a detached HEAD).
 * Every case: a clear message, no crash, nothing lost, nothing written outside the profile roots.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Machine, bareRemote, tmp, waitFor } from '../helpers/machine.js';
import type { AppState } from '../../shared/state.js';
import { CLI } from '../helpers/daemon.js';
import { blobOid } from '../../electron/engine/snapshot/hash.js';
import { daemonCall, git, liveTree, treeAt, startWithDots } from './helpers.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});


/** Alpha defines the `dots` profile and creates the remote; bravo joins. Both have it enabled. */
async function pair() {
  const remote = bareRemote();
  const a = new Machine('alpha', { remote, profiles: ['dots'] });
  const b = new Machine('bravo', { remote, profiles: ['dots'] });
  open.push(a, b);
  a.write('dots/keep.conf', 'keep me\n');
  await startWithDots(a);
  await b.open();
  await b.sync();
  expect(b.read('dots/keep.conf')).toBe('keep me\n');
  return { remote, a, b };
}

/** Somebody else's clone pushes a commit whose tree is `main`'s plus `extra` (raw names allowed). */
function pushCrafted(remote: string, extra: { segs: string[]; mode?: string; content: string }[], drop: string[] = []): string {
  const scratch = join(tmp('cs-evil-'), 'w');
  git(dirname(scratch), 'clone', '-q', remote, scratch);
  type Node = { kind: 'tree'; children: Map<string, Node> } | { kind: 'blob'; mode: string; oid: string };
  const root: Node = { kind: 'tree', children: new Map() };
  const put = (segs: string[], leaf: Node) => {
    let cur = root;
    for (const s of segs.slice(0, -1)) {
      let next = cur.children.get(s);
      if (!next || next.kind !== 'tree') {
        next = { kind: 'tree', children: new Map() };
        cur.children.set(s, next);
      }
      cur = next;
    }
    cur.children.set(segs[segs.length - 1], leaf);
  };
  for (const [path, oid] of treeAt(scratch, 'HEAD')) {
    if (drop.includes(path)) continue;
    const mode = git(scratch, 'ls-tree', 'HEAD', '--', path).split(' ')[0];
    put(path.split('/'), { kind: 'blob', mode, oid });
  }
  for (const e of extra) {
    const oid = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: scratch, input: e.content }).toString().trim();
    put(e.segs, { kind: 'blob', mode: e.mode ?? '100644', oid });
  }
  // Raw tree objects (hash-object --literally): names git's own tools would refuse are allowed.
  const write = (n: Node): string => {
    if (n.kind === 'blob') return n.oid;
    const parts: Buffer[] = [];
    for (const [name, child] of [...n.children].sort(([x], [y]) => (x < y ? -1 : 1))) {
      const oid = write(child);
      const mode = child.kind === 'tree' ? '40000' : child.mode;
      parts.push(Buffer.from(`${mode} ${name}\0`, 'utf8'), Buffer.from(oid, 'hex'));
    }
    return execFileSync('git', ['hash-object', '-t', 'tree', '--literally', '-w', '--stdin'], { cwd: scratch, input: Buffer.concat(parts) }).toString().trim();
  };
  const tree = write(root);
  const commit = execFileSync('git', ['-c', 'user.name=Mallory', '-c', 'user.email=m@x', 'commit-tree', tree, '-p', 'HEAD', '-m', 'crafted'], { cwd: scratch }).toString().trim();
  git(scratch, 'push', '-q', 'origin', `${commit}:refs/heads/main`);
  return commit;
}

/** Every file under `dir` (recursive, links not followed): relative path list. */
function allFiles(dir: string): string[] {
  return existsSync(dir) ? [...liveTree(dir).keys()] : [];
}

describe('bad input arriving through the repo', () => {
  it('profiles.json that is not JSON (pushed by another clone): error in state naming the file; the last good profiles stay, also after a restart', async () => {
    const { remote, a, b } = await pair();
    const scratch = join(tmp('cs-pj-'), 'w');
    git(dirname(scratch), 'clone', '-q', remote, scratch);
    writeFileSync(join(scratch, '.confsync', 'profiles.json'), '{ "version": 1, "profiles": [ {"name": "dots", ');
    git(scratch, 'commit', '-qam', 'broken profiles');
    git(scratch, 'push', '-q', 'origin', 'HEAD:main');
    const r = await b.sync();
    expect(['ok', 'nothing-to-do']).toContain(r.kind);
    const st = await b.invoke('state:get');
    expect(st.errors.some((e) => /\.confsync\/profiles\.json: is not valid JSON/.test(e.message))).toBe(true);
    // The profile is still in force: edits keep flowing both ways.
    b.write('dots/from-bravo.conf', 'b\n');
    await b.sync();
    await a.sync();
    expect(a.read('dots/from-bravo.conf')).toBe('b\n');
    await b.restart();
    b.write('dots/after-restart.conf', 'still synced\n');
    await b.sync();
    expect(b.repoFile('dots/dots/after-restart.conf')).toBe('still synced\n');
    expect(b.read('dots/keep.conf')).toBe('keep me\n');
    expect((await b.invoke('state:get')).errors.some((e) => /profiles\.json/.test(e.message))).toBe(true);
  });

  it('profiles.json with a ".." path: the error names profiles.0.paths.0; nothing is written outside home', async () => {
    const { remote, b } = await pair();
    const scratch = join(tmp('cs-pj-'), 'w');
    git(dirname(scratch), 'clone', '-q', remote, scratch);
    writeFileSync(join(scratch, '.confsync', 'profiles.json'), JSON.stringify({ version: 1, profiles: [{ name: 'dots', paths: ['~/../../etc'] }] }));
    git(scratch, 'commit', '-qam', 'evil profile');
    git(scratch, 'push', '-q', 'origin', 'HEAD:main');
    await b.sync();
    const st = await b.invoke('state:get');
    expect(st.errors.some((e) => /profiles\.0\.paths\.0 .*"\.\." segments/.test(e.message))).toBe(true);
    expect(b.read('dots/keep.conf')).toBe('keep me\n');
    expect(b.repoFile('dots/dots/keep.conf')).toBe('keep me\n');
  });

  it('profiles.json replaced by a symlink: refused, the last good profiles stay', async () => {
    const { remote, b } = await pair();
    const scratch = join(tmp('cs-pj-'), 'w');
    git(dirname(scratch), 'clone', '-q', remote, scratch);
    rmSync(join(scratch, '.confsync', 'profiles.json'));
    symlinkSync('/etc/passwd', join(scratch, '.confsync', 'profiles.json'));
    git(scratch, 'add', '-A');
    git(scratch, 'commit', '-qm', 'link');
    git(scratch, 'push', '-q', 'origin', 'HEAD:main');
    await b.sync();
    expect((await b.invoke('state:get')).errors.some((e) => /profiles\.json: is a symbolic link/.test(e.message))).toBe(true);
    b.write('dots/x.conf', 'x\n');
    await b.sync();
    expect(b.repoFile('dots/dots/x.conf')).toBe('x\n');
  });

  it('conflicts.json that is not JSON: error in state; syncing goes on', async () => {
    const { remote, b } = await pair();
    const scratch = join(tmp('cs-cj-'), 'w');
    git(dirname(scratch), 'clone', '-q', remote, scratch);
    writeFileSync(join(scratch, '.confsync', 'conflicts.json'), '[[[');
    git(scratch, 'add', '-A');
    git(scratch, 'commit', '-qm', 'broken conflicts');
    git(scratch, 'push', '-q', 'origin', 'HEAD:main');
    const r = await b.sync();
    expect(['ok', 'nothing-to-do']).toContain(r.kind);
    expect((await b.invoke('state:get')).errors.some((e) => /conflicts\.json/.test(e.message))).toBe(true);
    b.write('dots/y.conf', 'y\n');
    expect((await b.sync()).kind).toBe('ok');
  });

  for (const [label, segs] of [
    ['"dots/dots/../../escape"', ['dots', 'dots', '..', '..', 'escape']],
    ['"dots/dots/../../../escape" (out of home)', ['dots', 'dots', '..', '..', '..', 'escape']],
    ['"dots/dots/.git/hooks/post-checkout"', ['dots', 'dots', '.git', 'hooks', 'post-checkout']],
    ['"dots/dots/.GIT/config" (case)', ['dots', 'dots', '.GIT', 'config']],
    ['"dots/dots/a/../../../escape" inside one raw name', ['dots', 'dots', 'a/../../../escape']],
    ['"/escape" as a raw name', ['dots', 'dots', '/tmp/confsync-escape-abs']],
    ['".." as the profile folder', ['..', 'escape']],
  ] as const) {
    it(`a tree entry ${label} from another clone: nothing written outside the profile roots, a typed result`, async () => {
      const { remote, b } = await pair();
      const root = dirname(b.home);
      const before = new Set(allFiles(root));
      pushCrafted(remote, [{ segs: [...segs], content: '#!/bin/sh\necho pwned\n', mode: '100755' }]);
      const r = await b.sync();
      expect(['ok', 'nothing-to-do', 'error', 'conflict'], `${r.kind}: ${r.message} ${r.detail ?? ''}`).toContain(r.kind);
      const after = allFiles(root).filter((p) => !before.has(p) && !p.startsWith('config/'));
      // Only files inside ~/dots may have appeared on the live side.
      expect(after.filter((p) => !p.startsWith('home/dots/'))).toEqual([]);
      expect(existsSync('/tmp/confsync-escape-abs')).toBe(false);
      expect(existsSync(join(b.home, '..', 'escape'))).toBe(false);
      expect(existsSync(join(b.home, 'escape'))).toBe(false);
      if (r.kind === 'error') expect(r.detail ?? r.message).toBeTruthy();
      // The machine still works for legitimate edits (or says clearly why not).
      b.write('dots/after.conf', 'after\n');
      const again = await b.sync();
      if (again.kind === 'error') expect(again.detail).toMatch(/invalid path|\.\.|unable|refus|Assertion|ended by a signal/i);
      expect(b.read('dots/keep.conf')).toBe('keep me\n');
    });
  }

  it('a symlink from another clone pointing out of the profile, later replaced by a folder with a file: nothing lands outside', async () => {
    const { a, b } = await pair();
    // A folder in each home, outside every profile: a link into it is re-rooted on each machine.
    mkdirSync(a.path('target'), { recursive: true });
    mkdirSync(b.path('target'), { recursive: true });
    symlinkSync(a.path('target'), a.path('dots/link'));
    await a.sync();
    await b.sync();
    expect(lstatSync(b.path('dots/link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(b.path('dots/link'))).toBe(b.path('target'));
    // Now the link becomes a folder holding a file.
    rmSync(a.path('dots/link'));
    a.write('dots/link/planted.conf', 'planted\n');
    await a.sync();
    await b.sync();
    expect(readdirSync(b.path('target'))).toEqual([]);
    expect(lstatSync(b.path('dots/link')).isDirectory()).toBe(true);
    expect(b.read('dots/link/planted.conf')).toBe('planted\n');
  });

  it('a link to outside home is never synced: nothing of it reaches the repo or another machine', async () => {
    const { remote, a, b } = await pair();
    const outside = join(tmp('cs-outside-'), 'target');
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, a.path('dots/link'));
    const r = await a.sync();
    expect(r.skipped.find((k) => k.path === a.path('dots/link'))?.reason).toMatch(/outside your home folder/);
    await b.sync();
    expect(() => lstatSync(b.path('dots/link'))).toThrow();
    expect(git(remote, 'ls-tree', '-r', '--name-only', 'main')).not.toContain('dots/link');
  });

  it('a link changed here while the other clone turned it into a folder: nothing lands outside, nothing lost', async () => {
    const { remote, a, b } = await pair();
    mkdirSync(a.path('target'), { recursive: true });
    mkdirSync(b.path('target'), { recursive: true });
    mkdirSync(b.path('mine'), { recursive: true });
    symlinkSync(a.path('target'), a.path('dots/link'));
    await a.sync();
    await b.sync();
    rmSync(a.path('dots/link'));
    a.write('dots/link/planted.conf', 'planted\n');
    await a.sync();
    rmSync(b.path('dots/link'));
    symlinkSync(b.path('mine'), b.path('dots/link'));
    const r = await b.sync();
    expect(['ok', 'conflict'], `${r.kind} ${r.detail ?? ''}`).toContain(r.kind);
    expect(readdirSync(b.path('target'))).toEqual([]);
    expect(readdirSync(b.path('mine'))).toEqual([]);
    // The folder keeps the path; bravo's link goes beside it as a conflict copy, named after bravo.
    expect(b.read('dots/link/planted.conf')).toBe('planted\n');
    const copies = readdirSync(b.path('dots')).filter((n) => n.startsWith('link.conflict-bravo-'));
    expect(copies).toHaveLength(1);
    expect(readlinkSync(b.path(`dots/${copies[0]}`))).toBe(b.path('mine'));
    // Both versions survive in history.
    const objects = git(remote, 'rev-list', '--objects', '--all');
    expect(objects).toContain(blobOid(Buffer.from('planted\n')));
    expect(objects).toContain(blobOid(Buffer.from('~/mine')));
  });
  it('a folder here replaced by a link while the other clone edits a file in it: nothing is read or written through the link', async () => {
    const { remote, a, b } = await pair();
    a.write('dots/sub/x.conf', 'one\n');
    await a.sync();
    await b.sync();
    expect(b.read('dots/sub/x.conf')).toBe('one\n');
    // On bravo the folder becomes a link to a folder of bravo's own, outside the profile.
    b.write('elsewhere/x.conf', 'bravo elsewhere\n');
    rmSync(b.path('dots/sub'), { recursive: true });
    symlinkSync(b.path('elsewhere'), b.path('dots/sub'));
    a.write('dots/sub/x.conf', 'two\n');
    await a.sync();
    const r = await b.sync();
    expect(['ok', 'conflict', 'nothing-to-do'], `${r.kind} ${r.detail ?? ''}`).toContain(r.kind);
    // The link's target keeps exactly what it held: alpha's edit did not land there.
    expect(readdirSync(b.path('elsewhere'))).toEqual(['x.conf']);
    expect(b.read('elsewhere/x.conf')).toBe('bravo elsewhere\n');
    // Nor was the target's file read as the synced one: it never reaches the repo.
    expect(git(remote, 'rev-list', '--objects', '--all')).not.toContain(blobOid(Buffer.from('bravo elsewhere\n')));
    // The folder keeps the path with alpha's edit on both machines; bravo's link goes beside it.
    await a.sync();
    expect(a.read('dots/sub/x.conf')).toBe('two\n');
    expect(b.read('dots/sub/x.conf')).toBe('two\n');
    expect(readdirSync(b.path('dots')).filter((n) => n.startsWith('sub.conflict-bravo-'))).toHaveLength(1);
  });
});

describe('bad input on disk', () => {
  async function one(name = 'solo', settings: Record<string, unknown> = {}) {
    const remote = bareRemote();
    const m = new Machine(name, { remote, profiles: ['dots'], settings });
    open.push(m);
    mkdirSync(m.path('dots'), { recursive: true });
    await startWithDots(m);
    return { m, remote };
  }

  it('symlink loops (self, a↔b, a folder link to its parent) are stored as links; the sync completes and they arrive as links', async () => {
    const { m, remote } = await one();
    symlinkSync('self', m.path('dots/self'));
    symlinkSync('b', m.path('dots/a'));
    symlinkSync('a', m.path('dots/b'));
    mkdirSync(m.path('dots/sub'));
    symlinkSync('..', m.path('dots/sub/up'));
    const r = await m.sync();
    expect(r.kind).toBe('ok');
    for (const p of ['self', 'a', 'b', 'sub/up']) expect(git(m.repo, 'ls-tree', 'HEAD', `dots/dots/${p}`)).toMatch(/^120000 /);
    const other = new Machine('other', { remote, profiles: ['dots'] });
    open.push(other);
    await other.open();
    await other.sync();
    expect(readlinkSync(other.path('dots/self'))).toBe('self');
    expect(readlinkSync(other.path('dots/a'))).toBe('b');
    expect(readlinkSync(other.path('dots/sub/up'))).toBe('..');
  });

  it('a FIFO in a profile is skipped with a reason; nothing hangs', async () => {
    const { m } = await one();
    m.write('dots/ok.conf', 'ok\n');
    execFileSync('mkfifo', [m.path('dots/pipe')]);
    const r = await m.sync();
    expect(r.kind).toBe('ok');
    expect(m.repoFile('dots/dots/ok.conf')).toBe('ok\n');
    expect(m.repoFile('dots/dots/pipe')).toBeNull();
    expect((await m.invoke('state:get')).skipped.some((s) => s.path.endsWith('/pipe') && /not a regular file/.test(s.reason))).toBe(true);
  });

  it('every byte value, an empty file and a file with no newline arrive byte-exact on another machine', async () => {
    const { m, remote } = await one();
    const all = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
    m.write('dots/bytes.bin', all);
    m.write('dots/empty', '');
    m.write('dots/nonl', 'no newline at end');
    m.write('dots/crlf.txt', 'a\r\nb\r\n');
    await m.sync();
    const other = new Machine('other', { remote, profiles: ['dots'] });
    open.push(other);
    await other.open();
    await other.sync();
    expect(readFileSync(other.path('dots/bytes.bin')).equals(all)).toBe(true);
    expect(readFileSync(other.path('dots/empty')).length).toBe(0);
    expect(other.read('dots/nonl')).toBe('no newline at end');
    expect(readFileSync(other.path('dots/crlf.txt')).equals(Buffer.from('a\r\nb\r\n'))).toBe(true);
  });

  it('names with newlines, tabs, NFC and NFD unicode, a leading dash, glob characters and 255 bytes round-trip; a backslash name is skipped with a reason', async () => {
    const { m, remote } = await one();
    const names = ['line\nbreak', 'tab\there', 'caf\u00e9', 'cafe\u0301', '-rf', '[ab]*?.conf', ':colon:', `${'n'.repeat(250)}.conf`, ' leading space', 'emoji 🧪.txt'];
    for (const [i, n] of names.entries()) m.write(`dots/${n}`, `content ${i}\n`);
    m.write('dots/back\\slash', 'skipped\n');
    const r = await m.sync();
    expect(r.kind).toBe('ok');
    const st = await m.invoke('state:get');
    expect(st.skipped.some((s) => s.path.endsWith('back\\slash') && /backslash/.test(s.reason))).toBe(true);
    const other = new Machine('other', { remote, profiles: ['dots'] });
    open.push(other);
    await other.open();
    await other.sync();
    for (const [i, n] of names.entries()) expect(other.read(`dots/${n}`), JSON.stringify(n)).toBe(`content ${i}\n`);
    expect(other.read('dots/back\\slash')).toBeNull();
    expect(m.read('dots/back\\slash')).toBe('skipped\n');
  });

  it('a synced file that grows past sync.maxFileBytes: skipped with a reason, never truncated, and not deleted anywhere', async () => {
    const { m, remote } = await one('grower', { sync: { maxFileBytes: 1000 } });
    m.write('dots/grows.log', 'small\n');
    await m.sync();
    const other = new Machine('other', { remote, profiles: ['dots'] });
    open.push(other);
    await other.open();
    await other.sync();
    expect(other.read('dots/grows.log')).toBe('small\n');
    m.write('dots/grows.log', 'x'.repeat(5000));
    await m.sync();
    expect(m.repoFile('dots/dots/grows.log')).toBe('small\n');
    expect(m.read('dots/grows.log')!.length).toBe(5000);
    expect((await m.invoke('state:get')).skipped.some((s) => s.path.endsWith('grows.log') && /larger than/.test(s.reason))).toBe(true);
    await other.sync();
    expect(other.read('dots/grows.log')).toBe('small\n');
  });

  it('an edit that keeps the size and puts the mtime back (cp -p, rsync -t, touch -r) is still committed, also after a restart', async () => {
    const { m, remote } = await one();
    m.write('dots/same-size.conf', 'value = 1\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(m.path('dots/same-size.conf'), old, old);
    await m.sync();
    expect(m.repoFile('dots/dots/same-size.conf')).toBe('value = 1\n');
    m.write('dots/same-size.conf', 'value = 2\n');
    utimesSync(m.path('dots/same-size.conf'), old, old);
    await m.sync();
    expect(m.repoFile('dots/dots/same-size.conf')).toBe('value = 2\n');
    await m.restart();
    m.write('dots/same-size.conf', 'value = 3\n');
    utimesSync(m.path('dots/same-size.conf'), old, old);
    await m.sync();
    expect(git(remote, 'show', 'main:dots/dots/same-size.conf')).toBe('value = 3\n');
  });

  it('a detached HEAD in the repo (left by a tool or a crash) is put back on the branch, its commits kept', async () => {
    const { m, remote } = await one();
    m.write('dots/a.conf', 'one\n');
    await m.sync();
    await m.stop();
    git(m.repo, 'checkout', '-q', '--detach');
    // (Synced files are not in the working tree, a sparse checkout: the tool commits through the index.)
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: m.repo, input: 'committed on a detached HEAD\n', encoding: 'utf8' }).trim();
    git(m.repo, 'update-index', '--cacheinfo', `100644,${blob},dots/dots/a.conf`);
    git(m.repo, 'commit', '-qm', 'detached work');
    const detached = git(m.repo, 'rev-parse', 'HEAD').trim();
    await m.open();
    expect(git(m.repo, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(git(m.repo, 'merge-base', '--is-ancestor', detached, 'HEAD')).toBe('');
    const r = await m.sync();
    expect(['ok', 'conflict']).toContain(r.kind);
    expect(git(remote, 'rev-list', 'main')).toContain(detached);
    expect((await m.invoke('state:get')).activity.some((x) => /HEAD was detached/.test(x.text))).toBe(true);
  });
});

// Root reads through any permission bits, so these run the real CLI as the unprivileged `nobody`.
const canDropPrivileges = process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0;

describe.runIf(canDropPrivileges)('unreadable files and folders (engine run as nobody)', () => {
  // runuser resets HOME (and USER, SHELL) to the target user's: set ours inside, with env -i.
  function nobodyEnv(root: string): string[] {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(root, 'home'), CONFSYNC_CONFIG_DIR: join(root, 'config'), XDG_CONFIG_HOME: join(root, 'home', '.config'), GIT_CONFIG_NOSYSTEM: '1', LANG: 'C.UTF-8' };
    return Object.entries(env).map(([k, v]) => `${k}=${v}`);
  }
  function asNobody(root: string, ...args: string[]) {
    return spawnSync('runuser', ['-u', 'nobody', '--', 'env', '-i', ...nobodyEnv(root), process.execPath, CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  }
  function setup() {
    const root = tmp('cs-nobody-');
    mkdirSync(join(root, 'home', 'dots', 'sub'), { recursive: true });
    mkdirSync(join(root, 'config'), { recursive: true });
    writeFileSync(join(root, 'config', 'config.json'), JSON.stringify({ hostName: 'nobody', enabledProfiles: ['dots'], km: { enabled: false } }));
    writeFileSync(join(root, 'home', 'dots', 'ok.conf'), 'ok\n');
    writeFileSync(join(root, 'home', 'dots', 'sub', 'inner.conf'), 'inner\n');
    writeFileSync(join(root, 'home', 'dots', 'locked.conf'), 'locked\n');
    execFileSync('chown', ['-R', 'nobody:nogroup', root]);
    chmodSync(root, 0o755);
    chownSync(root, 65534, 65534);
    const add = asNobody(root, 'profile', 'add', 'dots', '--path', '~/dots');
    expect(add.status, add.stderr).toBe(0);
    return root;
  }
  // The repo belongs to nobody: git run as root here needs safe.directory to read it.
  const rootGit = (root: string, ...args: string[]) => git(join(root, 'config', 'repo'), '-c', 'safe.directory=*', ...args);
  const head = (root: string) => new Set(rootGit(root, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter(Boolean));

  it('an unreadable file is skipped with a reason and never taken as deleted; the other files are committed', async () => {
    const root = setup();
    expect(asNobody(root, 'sync', '--json').status).toBe(0);
    expect(head(root).has('dots/dots/locked.conf')).toBe(true);
    // A synced file becomes unreadable, and a new one arrives unreadable, beside a readable edit.
    chmodSync(join(root, 'home', 'dots', 'locked.conf'), 0o000);
    writeFileSync(join(root, 'home', 'dots', 'new-locked.conf'), 'new but locked\n');
    chownSync(join(root, 'home', 'dots', 'new-locked.conf'), 65534, 65534);
    chmodSync(join(root, 'home', 'dots', 'new-locked.conf'), 0o000);
    writeFileSync(join(root, 'home', 'dots', 'ok.conf'), 'ok, edited\n');
    // The daemon (as nobody) keeps its state, so the reasons can be read after the sync.
    const d = spawn('runuser', ['-u', 'nobody', '--', 'env', '-i', ...nobodyEnv(root), process.execPath, CLI, 'daemon', '--port', '0'], { stdio: 'ignore' });
    try {
      await waitFor(() => existsSync(join(root, 'config', 'daemon.json')), 'daemon as nobody', 30_000);
      const r = await daemonCall<{ kind: string }>(join(root, 'config'), 'sync:now');
      expect(r.kind).toBe('local-only');
      const st = await daemonCall<AppState>(join(root, 'config'), 'state:get');
      for (const name of ['locked.conf', 'new-locked.conf']) {
        expect(st.skipped.some((s) => s.path.endsWith(`/${name}`) && /permission denied|EACCES|unreadable/i.test(s.reason)), `${name}: ${JSON.stringify(st.skipped)}`).toBe(true);
      }
    } finally {
      d.kill('SIGTERM');
      await new Promise((r) => d.once('exit', r));
    }
    const t = head(root);
    expect(rootGit(root, 'show', 'HEAD:dots/dots/ok.conf')).toBe('ok, edited\n');
    expect(t.has('dots/dots/locked.conf'), 'an unreadable file was committed as deleted').toBe(true);
    expect(t.has('dots/dots/new-locked.conf')).toBe(false);
  });

  it('an unreadable folder: nothing under it is taken as deleted; once readable again, syncing resumes', async () => {
    const root = setup();
    expect(asNobody(root, 'sync', '--json').status).toBe(0);
    expect(head(root).has('dots/dots/sub/inner.conf')).toBe(true);
    chmodSync(join(root, 'home', 'dots', 'sub'), 0o000);
    writeFileSync(join(root, 'home', 'dots', 'ok.conf'), 'ok, edited\n');
    const r = asNobody(root, 'sync', '--json');
    expect(r.status, r.stderr).toBe(0);
    const t = head(root);
    expect(t.has('dots/dots/sub/inner.conf'), 'a file under an unreadable folder was committed as deleted').toBe(true);
    expect(rootGit(root, 'show', 'HEAD:dots/dots/ok.conf')).toBe('ok, edited\n');
    chmodSync(join(root, 'home', 'dots', 'sub'), 0o755);
    writeFileSync(join(root, 'home', 'dots', 'sub', 'inner.conf'), 'inner, edited\n');
    expect(asNobody(root, 'sync', '--json').status).toBe(0);
    expect(rootGit(root, 'show', 'HEAD:dots/dots/sub/inner.conf')).toBe('inner, edited\n');
  });
});
