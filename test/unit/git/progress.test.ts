/** git's progress lines as object counts, from a real push (the 100 % line is always written). */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProgress, type Transfer } from '../../../electron/engine/git/progress';
import { pushCommit } from '../../../electron/engine/git/push';
import { fetchRemote } from '../../../electron/engine/git/fetch';
import { GitRunner } from '../../../electron/engine/git/runner';

describe('progress', () => {
  it('reads sending and receiving counts, and nothing else', () => {
    expect(parseProgress('Writing objects:  45% (4500/10000)')).toEqual({ what: 'sending', done: 4500, total: 10000 });
    expect(parseProgress('Receiving objects: 100% (3/3), done.')).toEqual({ what: 'receiving', done: 3, total: 3 });
    expect(parseProgress('remote: Counting objects: 5% (1/20)')).toBeNull();
    expect(parseProgress('Compressing objects: 50% (1/2)')).toBeNull();
  });

  it('a real push and fetch report their object counts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cs-progress-'));
    const bare = join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
    const dir = join(root, 'a');
    mkdirSync(dir);
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `f${i}.txt`), `file ${i}\n`);
    const git = new GitRunner({ dir, identity: { name: 't', email: 't@t' } });
    await git.raw(['add', '.']);
    await git.raw(['commit', '-qm', 'many']);
    await git.raw(['remote', 'add', 'origin', bare]);
    const head = (await git.raw(['rev-parse', 'HEAD'])).trim();
    const sent: Transfer[] = [];
    expect((await pushCommit(git, head, 'main', (t) => sent.push(t))).kind).toBe('ok');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.at(-1)).toEqual({ what: 'sending', done: 302, total: 302 });
    const dir2 = join(root, 'b');
    mkdirSync(dir2);
    execFileSync('git', ['init', '-q', '-b', 'main', dir2]);
    const git2 = new GitRunner({ dir: dir2, identity: { name: 't', email: 't@t' } });
    await git2.raw(['remote', 'add', 'origin', bare]);
    const got: Transfer[] = [];
    expect((await fetchRemote(git2, 'main', (t) => got.push(t))).kind).toBe('ok');
    expect(got.at(-1)).toMatchObject({ what: 'receiving', done: 302, total: 302 });
  });
});
