/**
 * The engine's isIgnored (here: createIgnoreFilter) applied by every backend: excludes, a
 * .gitignore in the tree, a nested .gitignore, built-in noise, and ignored directories that are
 * never descended into.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIgnoreFilter, type BackendName } from '../../../electron/engine/watch/index.js';
import { EventLog, cleanupTmp, makeWatcher, mkTmp, stopAll, write } from './helpers.js';

afterEach(async () => {
  await stopAll();
  cleanupTmp();
});

describe.each(['chokidar', 'parcel', 'polling'] as BackendName[])('ignore rules with %s', (backend) => {
  it('drops ignored paths and never descends into ignored directories', async () => {
    const tree = mkTmp();
    write(path.join(tree, '.gitignore'), '*.log\ncache/\n');
    write(path.join(tree, 'sub', '.gitignore'), '!keep.log\n/local.json\n');
    write(path.join(tree, 'cache', 'deep', 'blob.bin'), 'x');
    write(path.join(tree, 'Excluded', 'inner', 'x.json'), 'x');
    write(path.join(tree, 'node_modules', 'pkg', 'index.js'), 'x');
    write(path.join(tree, 'settings.json'), '{}');
    const filter = createIgnoreFilter({ excludes: [path.join(tree, 'Excluded')], loadGitignoreIn: [tree] });
    const asked: string[] = [];
    const log = new EventLog();
    const w = makeWatcher(log, {
      backend,
      isIgnored: (p, d) => {
        asked.push(p);
        return filter.isIgnored(p, d);
      },
    });
    await w.start([{ path: tree, kind: 'tree' }]);

    // nothing below an ignored directory was even looked at while starting
    for (const dir of ['cache', 'Excluded', 'node_modules']) {
      const below = path.join(tree, dir) + path.sep;
      expect(asked.filter((p) => p.startsWith(below))).toEqual([]);
    }

    const ignoredWrites = [
      path.join(tree, 'debug.log'),
      path.join(tree, 'sub', 'other.log'),
      path.join(tree, 'sub', 'local.json'),
      path.join(tree, 'cache', 'deep', 'blob.bin'),
      path.join(tree, 'cache', 'new.bin'),
      path.join(tree, 'Excluded', 'inner', 'x.json'),
      path.join(tree, 'node_modules', 'pkg', 'index.js'),
      path.join(tree, '.settings.json.swp'),
      path.join(tree, 'settings.json~'),
      path.join(tree, '.DS_Store'),
    ];
    for (const p of ignoredWrites) write(p, `changed ${Date.now()}`);
    const kept = [path.join(tree, 'sub', 'keep.log'), path.join(tree, 'sub', 'deeper', 'local.json')];
    for (const p of kept) write(p, 'k');
    write(path.join(tree, 'settings.json'), '{"a":1}'); // sentinel, written last
    await log.expect('change', path.join(tree, 'settings.json'));
    for (const p of kept) await log.expect(['add', 'change'], p);

    const reported = log.paths();
    for (const p of ignoredWrites) expect(reported.has(p), p).toBe(false);
    for (const e of log.events) {
      expect(e.path.startsWith(path.join(tree, 'cache') + path.sep)).toBe(false);
      expect(e.path.startsWith(path.join(tree, 'node_modules') + path.sep)).toBe(false);
    }
  });

  it('filters a single-file target through isIgnored as well', async () => {
    const dir = mkTmp();
    const f = path.join(dir, 'app.json');
    write(f, '1');
    const log = new EventLog();
    let ignoreAll = true;
    const w = makeWatcher(log, { backend, isIgnored: () => ignoreAll });
    await w.start([{ path: f, kind: 'file' }]);
    write(f, '2');
    await new Promise((r) => setTimeout(r, 400));
    expect(log.events).toEqual([]);
    ignoreAll = false;
    fs.writeFileSync(f, '333');
    await log.expect('change', f);
  });
});
