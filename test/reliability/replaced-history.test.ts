/**
 * A repo whose history was replaced under a machine: deleted and created anew by another process
 * while the engine ran, or reset by hand to another line of commits while it was stopped. The
 * snapshot then says nothing about the new history (it is anchored to a commit the new HEAD does not
 * descend from), so no live file may be deleted or replaced because the new history lacks it: the
 * files are met as a joining machine's are (policy 2), and the person is told.
 *
 * Before the anchor, the first case deleted every live file in the profile at the next pass (a stop's
 * flush was enough), and the second deleted the files the lost commits had added.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GitServer, Machine, bareRemote, git, recordingGit, tmp, waitFor } from '../helpers/machine.js';
import { startWithDots } from './helpers.js';

const open: Machine[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
});


/** Alpha (local only, or on `remote`) with a file, a script and a link in `~/dots`, all synced. */
async function alpha(remote: string | null = null, watch = false): Promise<Machine> {
  const a = new Machine('alpha', { remote, profiles: ['dots'], watch });
  open.push(a);
  a.write('dots/app.conf', 'theme = dark\n');
  a.write('dots/bin/run.sh', '#!/bin/sh\necho hi\n');
  chmodSync(a.path('dots/bin/run.sh'), 0o755);
  symlinkSync('app.conf', a.path('dots/current.conf'));
  await startWithDots(a);
  expect(a.repoFile('dots/dots/app.conf')).toBe('theme = dark\n');
  return a;
}

/** What the person sees in `~/dots`: each path's kind, mode and content. */
function seen(m: Machine): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(m.path(rel)).sort()) {
      const r = `${rel}/${name}`;
      const st = lstatSync(m.path(r));
      if (st.isDirectory()) walk(r);
      else if (st.isSymbolicLink()) out[r] = `link → ${readlinkSync(m.path(r))}`;
      else out[r] = `${(st.mode & 0o777).toString(8)} ${readFileSync(m.path(r), 'utf8')}`;
    }
  };
  walk('dots');
  return out;
}

const BEFORE = {
  'dots/app.conf': '644 theme = dark\n',
  'dots/bin/run.sh': '755 #!/bin/sh\necho hi\n',
  'dots/current.conf': 'link → app.conf',
};

describe('a repo history replaced under a machine', () => {
  it('the repo deleted and created anew while the engine runs: no live file changes, and the new repo gets them', async () => {
    const a = await alpha();
    expect(seen(a)).toEqual(BEFORE);
    // Another process (a reset of ConfSync, a second instance) deletes the repo and creates it anew.
    rmSync(a.repo, { recursive: true, force: true });
    git(a.home, 'init', '-q', '-b', 'main', a.repo);
    git(a.repo, '-c', 'user.name=x', '-c', 'user.email=x@example.com', 'commit', '-q', '--allow-empty', '-m', 'ConfSync repository');
    const r = await a.sync();
    expect(seen(a)).toEqual(BEFORE);
    expect(r.warnings.join('\n')).toMatch(/history was replaced .* none is deleted because the new history lacks it/);
    expect(a.engine.store.getState().activity.some((x) => /history was replaced/.test(x.text))).toBe(true);
    // This machine's files are in the new history, as they are here.
    expect(a.repoFile('dots/dots/app.conf')).toBe('theme = dark\n');
    expect(git(a.repo, 'ls-tree', 'HEAD', 'dots/dots/bin/run.sh').split(' ')[0]).toBe('100755');
    expect(git(a.repo, 'ls-tree', 'HEAD', 'dots/dots/current.conf').split(' ')[0]).toBe('120000');
    // And a stop (its flush) and a restart change nothing either.
    await a.restart();
    await a.sync();
    expect(seen(a)).toEqual(BEFORE);
  });

  it('a watched edit after the repo was replaced brings every file into the new repo, not only the edited one', async () => {
    const a = await alpha(null, true);
    rmSync(a.repo, { recursive: true, force: true });
    git(a.home, 'init', '-q', '-b', 'main', a.repo);
    git(a.repo, '-c', 'user.name=x', '-c', 'user.email=x@example.com', 'commit', '-q', '--allow-empty', '-m', 'ConfSync repository');
    a.write('dots/app.conf', 'theme = auto\n');
    await waitFor(() => a.repoFile('dots/dots/app.conf') === 'theme = auto\n', 'the watched edit committed');
    expect(a.repoFile('dots/dots/bin/run.sh')).toBe('#!/bin/sh\necho hi\n');
    expect(git(a.repo, 'ls-tree', 'HEAD', 'dots/dots/current.conf').split(' ')[0]).toBe('120000');
    expect(seen(a)).toEqual({ ...BEFORE, 'dots/app.conf': '644 theme = auto\n' });
  });

  it('the repo reset by hand to an earlier commit while stopped: what the lost commits held stays live, nothing deleted', async () => {
    const a = await alpha();
    const first = git(a.repo, 'rev-parse', 'HEAD').trim();
    a.write('dots/added.conf', 'added later\n');
    a.write('dots/app.conf', 'theme = light\n');
    await a.sync();
    expect(a.repoFile('dots/dots/added.conf')).toBe('added later\n');
    await a.stop();
    git(a.repo, 'reset', '-q', '--hard', first);
    git(a.repo, 'reflog', 'expire', '--expire=now', '--all');
    git(a.repo, 'gc', '-q', '--prune=now');
    await a.open();
    const r = await a.sync();
    expect(r.warnings.join('\n')).toMatch(/history was replaced/);
    // Added by the lost commit: still live, and back in the repo.
    expect(a.read('dots/added.conf')).toBe('added later\n');
    expect(a.repoFile('dots/dots/added.conf')).toBe('added later\n');
    // Changed by the lost commit: both versions kept, as when a machine joins (policy 2): the repo's
    // version at the path, this machine's beside it, named after it.
    const copies = readdirSync(a.path('dots')).filter((n) => n.startsWith('app.conf') && n !== 'app.conf');
    expect(copies.length).toBe(1);
    expect(readFileSync(a.path(`dots/${copies[0]}`), 'utf8')).toBe('theme = light\n');
    expect(copies[0]).toContain('alpha');
    expect(a.read('dots/app.conf')).toBe('theme = dark\n');
    expect(statSync(a.path('dots/bin/run.sh')).mode & 0o777).toBe(0o755);
    expect(lstatSync(a.path('dots/current.conf')).isSymbolicLink()).toBe(true);
  });

  it('a commit made in the repo by hand keeps the snapshot; when git cannot answer, the pass stops and drops nothing', async () => {
    const a = await alpha();
    a.write('dots/added.conf', 'added\n');
    await a.sync();
    // A descendant of what alpha synced, made by hand: the entries still hold.
    git(a.repo, '-c', 'user.name=x', '-c', 'user.email=x@example.com', 'commit', '-q', '--allow-empty', '-m', 'by hand');
    // git that cannot answer the ancestry question (exit 2) while everything else works.
    const dir = tmp('cs-git-fail-');
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'git'), `#!/bin/sh\nif [ "$1 $2" = "merge-base --is-ancestor" ]; then echo 'fatal: no' >&2; exit 2; fi\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    let failed;
    try {
      a.write('dots/app.conf', 'theme = blue\n');
      failed = await a.sync();
    } finally {
      process.env.PATH = path;
    }
    expect(failed.kind).toBe('error');
    expect(`${failed.message} ${failed.detail ?? ''}`).toMatch(/could not tell whether HEAD .* descends from/);
    expect(a.read('dots/app.conf')).toBe('theme = blue\n');
    expect(a.read('dots/added.conf')).toBe('added\n');
    // git answers again: the snapshot was kept, nothing is compared afresh, the edit is committed.
    const r = await a.sync();
    expect(r.warnings.join('\n')).not.toMatch(/history was replaced/);
    expect(a.repoFile('dots/dots/app.conf')).toBe('theme = blue\n');
    expect(readdirSync(a.path('dots')).filter((n) => n.includes('conflict'))).toEqual([]);
    expect(seen(a)['dots/added.conf']).toBe('644 added\n');
  });

  it('a deletion from another machine still deletes here, and the merge moves the anchor without a check of its own', async () => {
    const remote = bareRemote();
    const a = await alpha(remote);
    const b = new Machine('bravo', { remote, profiles: ['dots'] });
    open.push(b);
    await b.open();
    await b.sync();
    expect(b.read('dots/app.conf')).toBe('theme = dark\n');
    b.remove('dots/app.conf');
    await b.sync();
    expect(b.repoFile('dots/dots/app.conf')).toBeNull();
    const from = git(a.repo, 'rev-parse', 'HEAD').trim();
    const calls = await recordingGit(async (calls) => {
      const r = await a.sync();
      expect(r.warnings.join('\n')).not.toMatch(/history was replaced/);
      return calls();
    });
    const to = git(a.repo, 'rev-parse', 'HEAD').trim();
    expect(to).not.toBe(from);
    expect(a.read('dots/app.conf')).toBeNull();
    expect(a.read('dots/bin/run.sh')).toBe('#!/bin/sh\necho hi\n');
    // The pass that applies the merge asks git nothing more about ancestry: the merge moved the anchor.
    const merged = calls.findIndex((c) => c.startsWith('merge -q --ff-only'));
    expect(merged).toBeGreaterThan(0);
    expect(calls.slice(merged).filter((c) => c.startsWith('merge-base'))).toEqual([]);
  });

  it('a remote recreated and filled first by a machine with old files: adopting keeps each established machine’s own live', async () => {
    const base = tmp('cs-srv-');
    const bare = join(base, 'dots.git');
    git(base, 'init', '-q', '--bare', '-b', 'main', bare);
    const server = new GitServer(base);
    await server.start();
    try {
      const url = server.url('dots.git');
      const a = new Machine('alpha', { remote: url, profiles: ['dots'] });
      const b = new Machine('bravo', { remote: url, profiles: ['dots'] });
      open.push(a, b);
      a.write('dots/x.conf', 'x alpha\n');
      await startWithDots(a);
      await b.open();
      await b.sync();
      expect(b.read('dots/x.conf')).toBe('x alpha\n');
      // The remote is recreated empty; a new machine with an old copy pushes first.
      rmSync(bare, { recursive: true, force: true });
      mkdirSync(bare);
      git(bare, 'init', '-q', '--bare', '-b', 'main');
      const d = new Machine('delta', { remote: url, profiles: ['dots'] });
      open.push(d);
      d.write('dots/x.conf', 'x delta stale\n');
      await startWithDots(d);
      const told = await a.sync();
      expect(told.kind).toBe('remote-rewritten');
      expect(told.message).toMatch(/nothing in common with this machine's/);
      await a.sync({ adoptRemote: true });
      expect(a.read('dots/x.conf')).toBe('x alpha\n');
      await b.sync();
      expect(b.read('dots/x.conf')).toBe('x alpha\n');
      // delta's version is kept beside, as a conflict copy named after it.
      expect(readdirSync(a.path('dots')).some((n) => n.includes('.conflict-delta-') && readFileSync(join(a.path('dots'), n), 'utf8') === 'x delta stale\n')).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('a remote history squashed into one new commit, adopted by a machine with an unpushed edit: the edit stays live', async () => {
    const remote = bareRemote();
    const a = new Machine('alpha', { remote, profiles: ['dots'] });
    const b = new Machine('bravo', { remote, profiles: ['dots'] });
    open.push(a, b);
    a.write('dots/y.conf', 'y base\n');
    await startWithDots(a);
    await b.open();
    await b.sync();
    // Someone squashes the remote's history into one new first commit with the same files.
    const w = join(tmp('cs-squash-'), 'w');
    git(dirname(w), 'clone', '-q', remote, w);
    git(w, 'checkout', '-q', '--orphan', 'squashed');
    git(w, '-c', 'user.name=x', '-c', 'user.email=x@example.com', 'commit', '-q', '-m', 'squashed');
    git(w, 'push', '-q', '--force', 'origin', 'squashed:main');
    b.write('dots/y.conf', 'y bravo edit\n');
    expect((await b.sync()).kind).toBe('remote-rewritten');
    await b.sync({ adoptRemote: true });
    expect(b.read('dots/y.conf')).toBe('y bravo edit\n');
    await a.sync({ adoptRemote: true });
    await b.sync();
    expect(a.read('dots/y.conf')).toBe('y bravo edit\n');
  });
});
