/**
 * Each backend, forced explicitly, on a real directory tree: add / change / unlink, directories,
 * and a 22-level deep path created in one go (mkdir -p).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendName } from '../../../electron/engine/watch/index.js';
import { EventLog, cleanupTmp, makeWatcher, mkTmp, stopAll, waitFor, write } from './helpers.js';

afterEach(async () => {
  await stopAll();
  cleanupTmp();
});

const BACKENDS: BackendName[] = ['chokidar', 'parcel', 'polling'];

describe.each(BACKENDS)('%s backend on a tree', (backend) => {
  it('reports add, change and unlink of files, and directories', async () => {
    const root = mkTmp();
    write(path.join(root, 'existing.json'), '{}');
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: root, kind: 'tree' }]);
    const st = w.status();
    expect(st.ready).toBe(true);
    expect(st.backend).toBe(backend);
    expect(st.watchedTargets).toBe(1);
    expect(st.pollingPaths).toEqual(backend === 'polling' ? [root] : []);

    const f = path.join(root, 'new.json');
    write(f, '1');
    await log.expect(['add', 'change'], f);

    write(path.join(root, 'existing.json'), '{"a":1}');
    await log.expect('change', path.join(root, 'existing.json'));

    fs.unlinkSync(f);
    await log.expect('unlink', f);

    const sub = path.join(root, 'sub');
    fs.mkdirSync(sub);
    write(path.join(sub, 'inner.txt'), 'x');
    await log.expect(['add', 'change'], path.join(sub, 'inner.txt'));

    fs.rmSync(sub, { recursive: true });
    await log.expect(['unlinkDir', 'unlink'], sub);

    // nothing outside the tree, every path absolute, every event stamped
    for (const e of log.events) {
      expect(path.isAbsolute(e.path)).toBe(true);
      expect(e.path === root || e.path.startsWith(root + path.sep)).toBe(true);
      expect(typeof e.at).toBe('number');
    }
    expect(log.errors).toEqual([]);
  });

  it('watches a 22-level deep directory created in one go, and keeps watching it', async () => {
    const root = mkTmp();
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: root, kind: 'tree' }]);

    const parts = Array.from({ length: 22 }, (_, i) => `level${i + 1}`);
    const deepDir = path.join(root, ...parts);
    fs.mkdirSync(deepDir, { recursive: true });
    const deepFile = path.join(deepDir, 'deep.conf');
    fs.writeFileSync(deepFile, 'one');
    await log.expect(['add', 'change'], deepFile);

    // the deepest directory must be watched by now (parcel misses these without our patch: parcel#97)
    await waitFor(async () => {
      fs.writeFileSync(deepFile, `two-${Date.now()}`);
      await new Promise((r) => setTimeout(r, 150));
      return log.has('change', deepFile);
    });
    const sibling = path.join(deepDir, 'later.conf');
    fs.writeFileSync(sibling, 'x');
    await log.expect(['add', 'change'], sibling);
  });

  it('keeps watching a directory tree moved into the watched tree', async () => {
    const root = mkTmp();
    const outside = mkTmp();
    const log = new EventLog();
    const w = makeWatcher(log, { backend });
    await w.start([{ path: root, kind: 'tree' }]);

    write(path.join(outside, 'pkg', 'a', 'b', 'file.txt'), 'x');
    fs.renameSync(path.join(outside, 'pkg'), path.join(root, 'pkg'));
    const moved = path.join(root, 'pkg', 'a', 'b', 'file.txt');
    await log.expect(['add', 'change'], moved); // what was already inside is reported

    const later = path.join(root, 'pkg', 'a', 'b', 'later.txt');
    await waitFor(async () => {
      fs.writeFileSync(later, String(Date.now()));
      await new Promise((r) => setTimeout(r, 150));
      return log.has(['add', 'change'], later);
    });
  });
});
