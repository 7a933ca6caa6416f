/**
 * The remote half with two or three "machines" (temp HOMEs + config dirs) sharing a bare remote, and a
 * real git server (`git daemon`) on 127.0.0.1 for going offline mid-way and coming back.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, renameSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Machine, bareRemote, git, tmp, GitServer } from '../../helpers/machine.js';

const open: Machine[] = [];
const servers: GitServer[] = [];
function machine(name: string, opts: ConstructorParameters<typeof Machine>[1] = {}) {
  const m = new Machine(name, opts);
  open.push(m);
  return m;
}
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
  for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
});

async function pair(profiles = ['zsh', 'git']) {
  const remote = bareRemote();
  const a = machine('alpha', { remote, profiles });
  const b = machine('bravo', { remote, profiles });
  return { remote, a, b };
}

describe('remote sync', () => {
  it('first machine creates the remote; a joining machine gets the profiles and files', async () => {
    const { remote, a, b } = await pair();
    a.write('.zshrc', 'from alpha\n');
    await a.open();
    await a.invoke('profiles:save', { profile: { name: 'dots', paths: ['~/dots'] } });
    await a.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    a.write('dots/x.conf', 'x\n');
    // Saving a profile already started a sync; ours runs after it, so it may find nothing left to do.
    expect(['ok', 'nothing-to-do']).toContain((await a.sync()).kind);
    expect(git(remote, 'show', 'main:zsh/.zshrc')).toBe('from alpha\n');
    expect(git(remote, 'show', 'main:dots/dots/x.conf')).toBe('x\n');

    await b.open();
    const r = await b.sync();
    expect(r.kind).toBe('ok');
    expect(b.read('.zshrc')).toBe('from alpha\n');
    // A fresh machine adopts the remote's history: one root commit, the same on both machines.
    expect(git(b.repo, 'rev-list', '--max-parents=0', 'HEAD').trim()).toBe(git(a.repo, 'rev-list', '--max-parents=0', 'HEAD').trim());
    expect(await b.engine.repoId()).toBe(await a.engine.repoId());
    // Profile definitions came from the repo; enabling is local.
    const custom = await b.invoke('profiles:list');
    expect(custom.map((p) => p.name)).toContain('dots');
    expect(b.read('dots/x.conf')).toBeNull();
    await b.invoke('profiles:set-enabled', { name: 'dots', enabled: true });
    await b.sync();
    expect(b.read('dots/x.conf')).toBe('x\n');
  });

  it('edits, creations and deletions on A arrive on B', async () => {
    const { a, b } = await pair();
    a.write('.zshrc', 'v1\n');
    a.write('.zshenv', 'env\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync();
    expect(b.read('.zshenv')).toBe('env\n');
    a.write('.zshrc', 'v2\n');
    a.remove('.zshenv');
    a.write('.zprofile', 'new\n');
    await a.sync();
    const r = await b.sync();
    expect(r.applied).toBe(3);
    expect(b.read('.zshrc')).toBe('v2\n');
    expect(b.read('.zshenv')).toBeNull();
    expect(b.read('.zprofile')).toBe('new\n');
    const st = await b.invoke('state:get');
    expect(st.activity.some((x) => x.kind === 'arrived' && /from alpha/.test(x.text))).toBe(true);
    expect(st.repo.ahead).toBe(0);
    expect(st.safeToShutDown).toBe(true);
  });

  it('merges JSON edited on both machines by key', async () => {
    const { a, b } = await pair([]);
    const file = '.config/app/settings.json';
    a.write(file, JSON.stringify({ global: { a: 1 }, profiles: { name: 'x' }, keep: true }, null, 2) + '\n');
    await a.open();
    await a.invoke('profiles:save', { profile: { name: 'app', paths: ['~/.config/app/settings.json'] } });
    await a.invoke('profiles:set-enabled', { name: 'app', enabled: true });
    await a.sync();
    await b.open();
    await b.sync();
    await b.invoke('profiles:set-enabled', { name: 'app', enabled: true });
    await b.sync();
    expect(b.read(file)).toBe(a.read(file));
    a.write(file, JSON.stringify({ global: { a: 2 }, profiles: { name: 'x' }, keep: true }, null, 2) + '\n');
    b.write(file, JSON.stringify({ global: { a: 1 }, profiles: { name: 'x' }, keep: true, added: 'b' }, null, 2) + '\n');
    await a.sync();
    const r = await b.sync();
    expect(r.conflicts).toBe(0);
    const merged = JSON.parse(b.read(file)!);
    expect(merged).toEqual({ global: { a: 2 }, profiles: { name: 'x' }, keep: true, added: 'b' });
    // After a real merge, the arrival names the machine the change came from, not our merge commit.
    const arrived = (await b.invoke('state:get')).activity.filter((x) => x.kind === 'arrived').map((x) => x.text);
    expect(arrived[0]).toMatch(/from alpha$/);
    await a.sync();
    expect(JSON.parse(a.read(file)!)).toEqual(merged);
  });

  it('a text conflict keeps both, is visible on both machines, and each resolution works', async () => {
    for (const keep of ['mine', 'theirs', 'both'] as const) {
      const { a, b } = await pair();
      a.write('.zshrc', 'base\n');
      await a.open();
      await a.sync();
      await b.open();
      await b.sync();
      a.write('.zshrc', 'alpha edit\n');
      b.write('.zshrc', 'bravo edit\n');
      await a.sync();
      const r = await b.sync();
      expect(r.kind).toBe('conflict');
      // Bravo keeps its version live; alpha's is beside it as a conflict copy.
      expect(b.read('.zshrc')).toBe('bravo edit\n');
      const copies = readdirSync(b.home).filter((n) => n.startsWith('.zshrc.conflict-alpha-'));
      expect(copies).toHaveLength(1);
      expect(b.read(copies[0])).toBe('alpha edit\n');
      await a.sync();
      const conflictsA = (await a.invoke('state:get')).conflicts;
      expect(conflictsA).toHaveLength(1);
      expect(conflictsA[0]).toMatchObject({ path: 'zsh/.zshrc', kind: 'text' });
      // Alpha's own edit is not lost: it is in its conflict copy too.
      expect(a.read(copies[0])).toBe('alpha edit\n');
      // "Mine" is always this machine's version: on alpha, alpha's edit (now in the copy).
      expect(conflictsA[0]).toMatchObject({ mine: { host: 'alpha', where: 'copy' }, theirs: { host: 'bravo', where: 'live' } });
      const detail = await a.invoke('conflicts:detail', { path: 'zsh/.zshrc' });
      expect(detail.mine).toBe('alpha edit\n');
      expect(detail.theirs).toBe('bravo edit\n');

      // Resolving on alpha does what its words say there.
      await a.invoke('conflicts:resolve', { path: 'zsh/.zshrc', keep });
      const expected = keep === 'theirs' ? 'bravo edit\n' : 'alpha edit\n';
      expect(a.read('.zshrc')).toBe(expected);
      expect((await a.invoke('state:get')).conflicts).toHaveLength(0);
      await b.sync();
      expect(b.read('.zshrc')).toBe(expected);
      expect((await b.invoke('state:get')).conflicts).toHaveLength(0);
      expect(b.read(copies[0])).toBeNull();
      expect(a.read(copies[0])).toBeNull();
      // "both": bravo's version stays beside alpha's, on alpha only, as a plain file named after bravo.
      const beside = readdirSync(a.home).filter((n) => n.startsWith('.zshrc.conflict-bravo-'));
      expect(beside.map((n) => a.read(n))).toEqual(keep === 'both' ? ['bravo edit\n'] : []);
      expect(git(a.repo, 'ls-tree', '-r', '--name-only', 'HEAD')).not.toContain('conflict-');
      for (const m of open.splice(0)) await m.stop();
    }
  });

  it('delete vs modify keeps the modified side and reports it', async () => {
    const { a, b } = await pair();
    a.write('.zshrc', 'base\n');
    await a.open();
    await a.sync();
    await b.open();
    await b.sync();
    a.remove('.zshrc');
    b.write('.zshrc', 'modified on bravo\n');
    await a.sync();
    const r = await b.sync();
    expect(b.read('.zshrc')).toBe('modified on bravo\n');
    expect(r.conflicts).toBe(1);
    const st = await b.invoke('state:get');
    expect(st.conflicts[0]).toMatchObject({ path: 'zsh/.zshrc', kind: 'delete-vs-modify' });
    await a.sync();
    expect(a.read('.zshrc')).toBe('modified on bravo\n');
  });

  it('detects a force-pushed remote, keeps local commits, and merges only when told', async () => {
    const { remote, a, b } = await pair();
    a.write('.zshrc', 'one\n');
    await a.open();
    await a.sync();
    a.write('.zshrc', 'two\n');
    await a.sync();
    await b.open();
    await b.sync();
    // Someone rewrites the remote: drop the last commit.
    const scratch = join(tmp(), 'w');
    git(dirname(scratch), 'clone', '-q', remote, scratch);
    git(scratch, 'reset', '-q', '--hard', 'HEAD~1');
    git(scratch, 'push', '-q', '--force', 'origin', 'HEAD:main');
    b.write('.zshrc', 'bravo local\n');
    const r = await b.sync();
    expect(r.kind).toBe('remote-rewritten');
    expect(b.read('.zshrc')).toBe('bravo local\n');
    expect(b.repoFile('zsh/.zshrc')).toBe('bravo local\n');
    const adopted = await b.sync({ adoptRemote: true });
    expect(['ok', 'conflict']).toContain(adopted.kind);
    expect(b.read('.zshrc')).toBe('bravo local\n');
    expect(git(remote, 'show', 'main:zsh/.zshrc')).toBe('bravo local\n');
  });

  it('queues commits while offline and pushes them when the remote returns', async () => {
    const { remote, a } = await pair();
    a.write('.zshrc', 'v1\n');
    await a.open();
    await a.sync();
    const away = `${remote}.away`;
    renameSync(remote, away);
    a.write('.zshrc', 'v2\n');
    let r = await a.sync();
    expect(r.kind).toBe('offline');
    a.write('.zshenv', 'e\n');
    r = await a.sync();
    expect(r.kind).toBe('offline');
    const st = await a.invoke('state:get');
    expect(st.phase).toBe('offline');
    expect(st.repo.ahead).toBe(2);
    expect(r.message).toBe('Offline: 2 commits waiting');
    expect(st.safeToShutDown).toBe(false);
    renameSync(away, remote);
    r = await a.sync();
    expect(r.kind).toBe('ok');
    expect(git(remote, 'show', 'main:zsh/.zshrc')).toBe('v2\n');
    expect(git(remote, 'show', 'main:zsh/.zshenv')).toBe('e\n');
    expect((await a.invoke('state:get')).safeToShutDown).toBe(true);
  });

  it('over a real git server: offline mid-way, back, and pushed; a third machine converges', async () => {
    const base = tmp('cs-gitd-');
    const bare = join(base, 'conf.git');
    mkdirSync(bare);
    git(bare, 'init', '-q', '--bare', '-b', 'main');
    const server = new GitServer(base);
    servers.push(server);
    await server.start();
    const url = server.url('conf.git');
    const a = machine('alpha', { remote: url });
    const c = machine('charlie', { remote: url });
    a.write('.zshrc', 'a1\n');
    await a.open();
    expect((await a.sync()).kind).toBe('ok');
    await server.stop();
    a.write('.zshrc', 'a2\n');
    const off = await a.sync();
    expect(off.kind).toBe('offline');
    expect(off.detail).toBeTruthy();
    await server.start(server.port);
    expect((await a.sync()).kind).toBe('ok');
    await c.open();
    await c.sync();
    expect(c.read('.zshrc')).toBe('a2\n');
  });

  it('restore puts an old version back and is itself undoable', async () => {
    const { a } = await pair();
    a.write('.zshrc', 'first\n');
    await a.open();
    await a.sync();
    a.write('.zshrc', 'second\n');
    await a.sync();
    a.write('.zshrc', 'third (unsynced)\n');
    const hist = await a.invoke('history:list', { path: 'zsh/.zshrc' });
    expect(hist.map((h) => h.size)).toEqual([7, 6]);
    expect(hist[0].host).toBe('alpha');
    const first = hist[1].rev;
    const show = await a.invoke('history:show', { path: 'zsh/.zshrc', rev: first });
    expect(show.content).toBe('first\n');
    expect(show.current).toBe('third (unsynced)\n');
    await a.invoke('history:restore', { path: 'zsh/.zshrc', rev: first });
    expect(a.read('.zshrc')).toBe('first\n');
    const after = await a.invoke('history:list', { path: 'zsh/.zshrc' });
    // The unsynced content was committed before the restore, so it can be brought back too.
    const contents = await Promise.all(after.map((h) => a.invoke('history:show', { path: 'zsh/.zshrc', rev: h.rev })));
    expect(contents.map((c) => c.content)).toEqual(['first\n', 'third (unsynced)\n', 'second\n', 'first\n']);
  });

  it('refuses a remote that is not a ConfSync repo and changes nothing', async () => {
    const remote = bareRemote();
    const scratch = join(tmp(), 'w');
    git(dirname(scratch), 'clone', '-q', remote, scratch);
    git(scratch, 'commit', '-q', '--allow-empty', '-m', 'someone else');
    git(scratch, 'push', '-q', 'origin', 'HEAD:main');
    const a = machine('alpha', { remote });
    a.write('.zshrc', 'mine\n');
    await a.open();
    const r = await a.sync();
    expect(r.kind).toBe('not-confsync-repo');
    expect(git(remote, 'log', '--format=%s', 'main').trim()).toBe('someone else');
    expect(a.repoFile('zsh/.zshrc')).toBe('mine\n');
    expect(existsSync(a.path('.zshrc'))).toBe(true);
  });
});
