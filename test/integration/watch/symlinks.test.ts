/**
 * Symlinks are never followed: a loop inside a tree neither hangs start() nor produces events
 * through the link, and files reached only through a link to outside the tree are not reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendName } from '../../../electron/engine/watch/index.js';
import { EventLog, cleanupTmp, makeWatcher, mkTmp, stopAll, write } from './helpers.js';

afterEach(async () => {
  await stopAll();
  cleanupTmp();
});

describe.each(['chokidar', 'parcel', 'polling'] as BackendName[])('symlinks with %s', (backend) => {
  it('a symlink loop does not hang and is not followed', async () => {
    const tree = mkTmp();
    const outside = mkTmp();
    fs.mkdirSync(path.join(tree, 'a', 'b'), { recursive: true });
    fs.symlinkSync('../..', path.join(tree, 'a', 'b', 'loop')); // → tree
    fs.symlinkSync('.', path.join(tree, 'self'));
    fs.symlinkSync(outside, path.join(tree, 'out'));
    write(path.join(outside, 'secret.txt'), 's');

    const log = new EventLog();
    const w = makeWatcher(log, { backend, rescanIntervalMs: 0 });
    await w.start([{ path: tree, kind: 'tree' }]); // must resolve (test timeout otherwise)
    expect(w.status().ready).toBe(true);

    write(path.join(outside, 'secret.txt'), 'changed');
    write(path.join(outside, 'new.txt'), 'n');
    const sentinel = path.join(tree, 'a', 'b', 'sentinel.txt');
    write(sentinel, 'x');
    await log.expect(['add', 'change'], sentinel);
    for (const e of log.events) {
      expect(e.path.startsWith(tree)).toBe(true);
      expect(e.path.includes(`${path.sep}loop${path.sep}`)).toBe(false);
      expect(e.path.includes(`${path.sep}out${path.sep}`)).toBe(false);
      expect(e.path.includes(`${path.sep}self${path.sep}`)).toBe(false);
    }

    // a new link is reported as an entry of its own, not walked into
    const link = path.join(tree, 'newlink');
    fs.symlinkSync(tree, link);
    await log.expect(['add', 'change'], link);
    const sentinel2 = path.join(tree, 'sentinel2.txt');
    write(sentinel2, 'y');
    await log.expect(['add', 'change'], sentinel2);
    expect(log.events.some((e) => e.path.startsWith(link + path.sep))).toBe(false);
  });
});

describe.each(['auto', 'chokidar', 'parcel', 'polling'] as const)('symlinked target paths with %s', (backend) => {
  it('a target that is (or lies below) a symlink is watched through it, paths reported as given', async () => {
    const base = mkTmp();
    const real = path.join(base, 'dotfiles', 'app');
    write(path.join(real, 'conf', 'a.toml'), '1');
    write(path.join(real, 'single.json'), '1');
    const linkDir = path.join(base, 'config-app');
    fs.symlinkSync(real, linkDir); // e.g. ~/.config/app -> ~/dotfiles/app
    const tree = path.join(linkDir, 'conf');
    const file = path.join(linkDir, 'single.json');

    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([
      { path: tree, kind: 'tree' },
      { path: file, kind: 'file' },
    ]);
    write(path.join(real, 'conf', 'a.toml'), '22');
    await log.expect('change', path.join(tree, 'a.toml'));
    write(path.join(real, 'conf', 'new', 'b.toml'), 'b');
    await log.expect(['add', 'change'], path.join(tree, 'new', 'b.toml'));
    write(path.join(real, 'single.json'), '22');
    await log.expect('change', file);
    for (const e of log.events) expect(e.path.startsWith(linkDir + path.sep)).toBe(true);
  });
});

describe.each(['auto', 'polling'] as const)('symlinked single files with %s', (backend) => {
  it('a file target that is a symlink reports edits of the file it points to', async () => {
    const base = mkTmp();
    const real = path.join(base, 'dotfiles', 'vimrc');
    write(real, '1');
    const link = path.join(base, '.vimrc'); // GNU stow style
    fs.symlinkSync(real, link);
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: link, kind: 'file' }]);

    write(real, '22');
    await log.expect('change', link);
    log.clear();
    fs.writeFileSync(`${real}.tmp`, '333'); // atomic save of the real file
    fs.renameSync(`${real}.tmp`, real);
    await log.expect('change', link);
    log.clear();
    write(real, '4444');
    await log.expect('change', link);
    expect(log.paths()).toEqual(new Set([link]));
  });
});
