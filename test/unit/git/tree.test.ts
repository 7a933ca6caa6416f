/**
 * lsTree / parseLsTree against a real repo: every blob and link with its mode, id and (with sizes) size,
 * paths with spaces, a tab, a newline, non-ASCII and a leading dash taken byte for byte; folders and
 * submodules left out; an unborn branch or unknown revision is an empty map.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRunner } from '../../../electron/engine/git/runner.js';
import { lsTree, parseLsTree } from '../../../electron/engine/git/tree.js';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cs-tree-'));
  git(dir, 'init', '-q', '-b', 'main');
  return dir;
}

describe('lsTree', () => {
  it('lists every blob and link of a commit, byte for byte', async () => {
    const dir = repo();
    const names = ['plain.txt', 'with space.conf', 'tab\there', 'new\nline', 'ünïcødé/日本.json', '-dash', 'a/b/c/deep.lua'];
    for (const n of names) {
      mkdirSync(join(dir, n, '..'), { recursive: true });
      writeFileSync(join(dir, n), `content of ${n}\n`.repeat(n.length));
    }
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'run.sh'), 0o755);
    symlinkSync('plain.txt', join(dir, 'link'));
    git(dir, 'add', '-A');
    // A submodule entry (a commit in the tree) is not a file.
    git(dir, 'update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},sub`);
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'x');

    const runner = new GitRunner({ dir });
    const plain = await lsTree(runner);
    const sized = await lsTree(runner, 'HEAD', { sizes: true });
    const all = [...names, 'run.sh', 'link'].sort();
    expect([...plain.keys()].sort()).toEqual(all);
    expect([...sized.keys()].sort()).toEqual(all);
    for (const n of all) {
      const oid = git(dir, 'rev-parse', `HEAD:${n}`);
      const size = Number(git(dir, 'cat-file', '-s', oid));
      const mode = n === 'run.sh' ? '100755' : n === 'link' ? '120000' : '100644';
      expect(plain.get(n)).toEqual({ mode, oid });
      expect(sized.get(n)).toEqual({ mode, oid, size });
    }
  });

  it('is empty for an unborn branch and for an unknown revision', async () => {
    const dir = repo();
    const runner = new GitRunner({ dir });
    expect((await lsTree(runner)).size).toBe(0);
    expect((await lsTree(runner, 'no-such-rev')).size).toBe(0);
  });

  it('keys the map with the strings `intern` gives for each path', () => {
    const oid = 'c'.repeat(40);
    const seen: string[] = [];
    const m = parseLsTree(Buffer.from(`100644 blob ${oid}\ta/one\x00100644 blob ${oid}\tb/two\x00`), (p) => {
      seen.push(p);
      return p === 'a/one' ? 'a/one' : p;
    });
    expect(seen).toEqual(['a/one', 'b/two']);
    expect([...m.keys()]).toEqual(['a/one', 'b/two']);
  });

  it('reads a listing whose last record has no terminator', () => {
    const oid = 'a'.repeat(40);
    const m = parseLsTree(Buffer.from(`100644 blob ${oid}\tone\x00040000 tree ${'b'.repeat(40)}\tdir\x00100755 blob ${oid}     12\ttwo`));
    expect([...m]).toEqual([
      ['one', { mode: '100644', oid }],
      ['two', { mode: '100755', oid, size: 12 }],
    ]);
  });
});
